import { Remaining } from '../core/remaining';
import { mergeWindow, Window } from '../core/windows';
import { MemoryStateStore } from './MemoryStateStore';
import { StateStore } from './StateStore';
import { StateTable } from './StateTable';
import { WindowWriter } from './WindowWriter';

export interface SharedStateOptions {
  readonly instanceId: string;
  readonly syncIntervalMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
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
  private readonly writer: WindowWriter;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private down = false;
  private ensured = false;

  constructor(private readonly table: StateTable, private readonly options: SharedStateOptions) {
    this.writer = new WindowWriter(table, options.instanceId);
  }

  getWindow = (key: string): Window | undefined => this.memory.getWindow(key);
  getRemaining = (key: string): Remaining | undefined => this.memory.getRemaining(key);
  windows = (): ReadonlyMap<string, Window> => this.memory.windows();
  remainings = (): ReadonlyMap<string, Remaining> => this.memory.remainings();

  openWindow(key: string, window: Window): void {
    const merged = this.memory.openWindow(key, window);
    this.pendingWindows.set(key, mergeWindow(this.pendingWindows.get(key), merged));
  }

  recordRemaining(key: string, remaining: Remaining): void {
    if (this.memory.recordRemaining(key, remaining)) this.pendingRemaining.set(key, remaining);
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
  }

  private async pull(): Promise<void> {
    const nowMs = this.options.now();
    for (const [key, stored] of await this.table.listWindows()) {
      this.writer.remember(key, stored.etag);
      if (stored.window.untilMs > nowMs) this.memory.openWindow(key, stored.window);
    }
    for (const [key, stored] of await this.table.listRemaining()) this.memory.recordRemaining(key, stored.remaining);
  }
}
