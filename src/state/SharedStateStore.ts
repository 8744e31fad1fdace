import { LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { mergeWindow, Window } from '../core/windows';
import { MemoryStateStore } from './MemoryStateStore';
import { SharedLatency } from './SharedLatency';
import { StateStore } from './StateStore';
import { StateTable } from './StateTable';
import { WindowWriter } from './WindowWriter';

export interface SharedStateOptions {
  readonly instanceId: string;
  readonly syncIntervalMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Pull other instances' token counts (only needed when consumer limits are configured). */
  readonly countUsage?: boolean;
}

/**
 * State every instance shares through a table, without the table on the request path:
 * reads and writes hit memory; a background loop (about every second) writes what changed
 * (coalesced: one write per changed key, not per request) and merges what other instances
 * wrote. Storage down or slow only delays learning; it is logged once per outage.
 */
export class SharedStateStore implements StateStore {
  private readonly memory = new MemoryStateStore();
  private readonly pendingWindows = new Map<string, Window>();
  private readonly pendingRemaining = new Map<string, Remaining>();
  private readonly pendingLatency = new Set<string>();
  private readonly latency: SharedLatency;
  private readonly writer: WindowWriter;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private down = false;
  private live = 1;
  /** When the last successful round finished (for the status page's data age). */
  lastSyncAtMs: number | undefined;
  private ensured = false;

  constructor(private readonly table: StateTable, private readonly options: SharedStateOptions) {
    this.writer = new WindowWriter(table, options.instanceId);
    this.latency = new SharedLatency(options.now);
  }

  getWindow = (key: string): Window | undefined => this.memory.getWindow(key);
  getRemaining = (key: string): Remaining | undefined => this.memory.getRemaining(key);
  windows = (): ReadonlyMap<string, Window> => this.memory.windows();
  remainings = (): ReadonlyMap<string, Remaining> => this.memory.remainings();
  addUsage = (consumer: string, tokens: number, nowMs: number): void => this.memory.addUsage(consumer, tokens, nowMs);
  usage = (consumer: string, windowKey: string): number => this.memory.usage(consumer, windowKey);
  liveInstances = (): number => this.live;
  getLatency = (key: string): LatencyFigure | undefined => this.latency.get(key);
  latencies = (): ReadonlyMap<string, LatencyFigure> => this.latency.all();

  recordLatency(key: string, sampleMs: number, atMs: number): void {
    this.latency.updateOwn(key, this.memory.recordLatency(key, sampleMs, atMs));
    this.pendingLatency.add(key);
  }

  openWindow(key: string, window: Window): void {
    const merged = this.memory.openWindow(key, window);
    this.pendingWindows.set(key, mergeWindow(this.pendingWindows.get(key), merged));
  }

  recordRemaining(key: string, remaining: Remaining): void {
    if (this.memory.recordRemaining(key, remaining)) this.pendingRemaining.set(key, remaining);
  }

  /**
   * One probe round per schedule tick for the whole app: the first instance to take the lease
   * probes. With storage unreachable every instance probes (more probes beat none).
   */
  async claimLease(name: string, holdMs: number): Promise<boolean> {
    const nowMs = this.options.now();
    return this.table.claimLease(name, this.options.instanceId, nowMs, nowMs + holdMs).catch(() => true);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sync(), this.options.syncIntervalMs);
    this.timer.unref(); // never keeps a process alive
    void this.sync();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
    await this.sync(); // push what the last interval learned

  }

  /** One round: push what changed here, pull what others learned. Never throws; never overlaps. */
  sync(): Promise<void> {
    this.syncing ??= this.syncRound().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncRound(): Promise<void> {
    try {
      if (!this.ensured) await this.table.ensureExists();
      this.ensured = true;
      await this.push();
      await this.pull();
      this.lastSyncAtMs = this.options.now();
      if (this.down) this.options.log('[router] Table Storage reachable again; sharing state with other instances resumed');
      this.down = false;
    } catch (err) {
      if (!this.down) {
        const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
        this.options.log(`[router] Table Storage unreachable (${reason}); serving from memory, retrying every ${this.options.syncIntervalMs} ms`);
      }
      this.down = true;
    }
  }

  private async push(): Promise<void> {
    for (const [key, window] of [...this.pendingWindows]) {
      // Memory holds everything pulled so far: never write back a window older than what we saw.
      const current = mergeWindow(this.memory.getWindow(key), window);
      await this.writer.write(key, current, (stored) => this.memory.openWindow(key, stored));
      if (this.pendingWindows.get(key) === window) this.pendingWindows.delete(key);
    }
    for (const [key, remaining] of [...this.pendingRemaining]) {
      await this.table.upsertRemaining(key, remaining, this.options.instanceId);
      if (this.pendingRemaining.get(key) === remaining) this.pendingRemaining.delete(key);
    }
    const usageRows = this.memory.ledger.takeDirty();
    try {
      for (const [windowKey, consumer, tokens] of usageRows) await this.table.upsertUsage(windowKey, consumer, tokens, this.options.instanceId);
    } catch (err) {
      this.memory.ledger.restoreDirty(usageRows);
      throw err;
    }
    for (const key of [...this.pendingLatency]) {
      const own = this.memory.getLatency(key);
      if (own !== undefined) await this.table.upsertLatency(key, own, this.options.instanceId);
      this.pendingLatency.delete(key);
    }
  }

  private async pull(): Promise<void> {
    const nowMs = this.options.now();
    for (const [key, stored] of await this.table.listWindows()) {
      this.writer.remember(key, stored.etag);
      if (stored.window.untilMs > nowMs) this.memory.openWindow(key, stored.window);
    }
    for (const [key, stored] of await this.table.listRemaining()) this.memory.recordRemaining(key, stored.remaining);
    const latencyRows = await this.table.listLatency();
    this.live = countLive(latencyRows, this.options.instanceId, nowMs);
    for (const byInstance of latencyRows.values()) byInstance.delete(this.options.instanceId); // memory has our own, newer
    this.latency.replaceOthers(latencyRows, this.memory.latencies());
    if (this.options.countUsage === true) {
      const windows = this.memory.ledger.currentWindows(nowMs);
      this.memory.ledger.replaceOthers(await this.table.listUsage(windows, this.options.instanceId));
    }
  }
}

/** Instances whose latency rows moved in the last 30 s (they only move with traffic), plus this one. */
function countLive(rows: ReadonlyMap<string, ReadonlyMap<string, LatencyFigure>>, self: string, nowMs: number): number {
  const live = new Set<string>([self]);
  for (const byInstance of rows.values()) {
    for (const [instance, figure] of byInstance) if (nowMs - figure.atMs <= 30_000) live.add(instance);
  }
  return live.size;
}
