import { addSample, LATENCY_FRESH_MS, LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { isActive, mergeWindow, Window } from '../core/windows';
import { StateStore } from './StateStore';
import { UsageLedger } from './UsageLedger';

/**
 * Keys per kind (windows, reports, figures) kept at most. A real deployment has backends ×
 * deployments of each, a few hundred at most; with BACKEND_<N>_DEPLOYMENTS unset every name a
 * caller makes up could become one, so past this the oldest go first.
 */
export const MAX_STATE_KEYS = 5000;
/** A report says nothing for routing after one rate window (ROUTER_RATE_WINDOW_SECONDS); kept a minute for the status page. */
export const REMAINING_KEEP_MS = 60_000;
/** Dropping what expired runs at most this often by itself (the shared store prunes every sync). */
const PRUNE_EVERY_MS = 10_000;

export interface MemoryStateOptions {
  /** This instance's clock, to drop what has expired; without one only the key cap applies. */
  readonly now?: () => number;
  readonly maxKeys?: number;
}

/** Per-instance state in Maps. Also the in-memory layer of the shared Table Storage store. */
export class MemoryStateStore implements StateStore {
  private readonly windowMap = new Map<string, Window>();
  private readonly remainingMap = new Map<string, Remaining>();
  private readonly latencyMap = new Map<string, LatencyFigure>();
  /** Shared stores read the ledger to push and merge it. */
  readonly ledger = new UsageLedger();
  private readonly maxKeys: number;
  private prunedAtMs = -Infinity;

  constructor(private readonly options: MemoryStateOptions = {}) {
    this.maxKeys = options.maxKeys ?? MAX_STATE_KEYS;
  }

  addUsage(consumer: string, tokens: number, nowMs: number): void {
    this.ledger.add(consumer, tokens, nowMs);
  }

  usage(consumer: string, windowKey: string): number {
    return this.ledger.used(consumer, windowKey);
  }

  getWindow(key: string): Window | undefined {
    return this.windowMap.get(key);
  }

  /** Returns the window in force after the merge. */
  openWindow(key: string, window: Window): Window {
    const merged = mergeWindow(this.windowMap.get(key), window);
    this.windowMap.set(key, merged);
    this.keepBounded(this.windowMap, (w) => w.untilMs);
    return merged;
  }

  getRemaining(key: string): Remaining | undefined {
    return this.remainingMap.get(key);
  }

  /** The newer report wins; returns whether this one was kept. */
  recordRemaining(key: string, remaining: Remaining): boolean {
    const known = this.remainingMap.get(key);
    if (known !== undefined && known.atMs > remaining.atMs) return false;
    this.remainingMap.set(key, remaining);
    this.keepBounded(this.remainingMap, (r) => r.atMs);
    return true;
  }

  getLatency(key: string): LatencyFigure | undefined {
    return this.latencyMap.get(key);
  }

  /** Returns this instance's updated figure. */
  recordLatency(key: string, sampleMs: number, atMs: number): LatencyFigure {
    const figure = addSample(this.latencyMap.get(key), sampleMs, atMs);
    this.latencyMap.set(key, figure);
    this.keepBounded(this.latencyMap, (f) => f.atMs);
    return figure;
  }

  /**
   * Drops what no longer says anything: windows that ended, reports older than a minute,
   * figures older than LATENCY_FRESH_MS (a new sample would start over anyway).
   */
  prune(nowMs: number): void {
    this.prunedAtMs = nowMs;
    for (const [key, window] of this.windowMap) if (!isActive(window, nowMs)) this.windowMap.delete(key);
    for (const [key, report] of this.remainingMap) if (nowMs - report.atMs > REMAINING_KEEP_MS) this.remainingMap.delete(key);
    for (const [key, figure] of this.latencyMap) if (nowMs - figure.atMs > LATENCY_FRESH_MS) this.latencyMap.delete(key);
  }

  latencies(): ReadonlyMap<string, LatencyFigure> {
    return this.latencyMap;
  }

  liveInstances(): number {
    return 1;
  }

  windows(): ReadonlyMap<string, Window> {
    return this.windowMap;
  }

  remainings(): ReadonlyMap<string, Remaining> {
    return this.remainingMap;
  }

  /**
   * After an insert: prunes now and then (with a clock), and past the cap drops the entries
   * that end or were made first, down to nine tenths of it, so the sort is rare.
   */
  private keepBounded<T>(map: Map<string, T>, age: (value: T) => number): void {
    const nowMs = this.options.now?.();
    if (nowMs !== undefined && (nowMs - this.prunedAtMs >= PRUNE_EVERY_MS || map.size > this.maxKeys)) this.prune(nowMs);
    if (map.size <= this.maxKeys) return;
    const oldest = [...map].sort((a, b) => age(a[1]) - age(b[1]));
    for (const [key] of oldest.slice(0, map.size - Math.floor(this.maxKeys * 0.9))) map.delete(key);
  }
}
