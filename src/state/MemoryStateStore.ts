import { addSample, LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { mergeWindow, Window } from '../core/windows';
import { StateStore } from './StateStore';
import { UsageLedger } from './UsageLedger';

/** Per-instance state in Maps. Also the in-memory layer of the shared Table Storage store. */
export class MemoryStateStore implements StateStore {
  private readonly windowMap = new Map<string, Window>();
  private readonly remainingMap = new Map<string, Remaining>();
  private readonly latencyMap = new Map<string, LatencyFigure>();
  /** Shared stores read the ledger to push and merge it. */
  readonly ledger = new UsageLedger();

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
    return true;
  }

  getLatency(key: string): LatencyFigure | undefined {
    return this.latencyMap.get(key);
  }

  /** Returns this instance's updated figure. */
  recordLatency(key: string, sampleMs: number, atMs: number): LatencyFigure {
    const figure = addSample(this.latencyMap.get(key), sampleMs, atMs);
    this.latencyMap.set(key, figure);
    return figure;
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
}
