import { RowTable } from '../state/RowTable';
import { RequestHistory } from './history';
import { mergeSnapshots } from './historyMerge';
import { historyParts, HISTORY } from './historyRow';
import { BUCKET_MS, HISTORY_BUCKETS, HistorySnapshot } from './historyTypes';

/** How often each instance writes its row and reads the others'. */
export const HISTORY_SYNC_MS = 15_000;
/** Rows not rewritten for this long belong to instances that are gone: skipped, then deleted. */
export const HISTORY_ROW_KEEP_MS = 2 * HISTORY_BUCKETS * BUCKET_MS;

export interface HistoryShareOptions {
  readonly instanceId: string;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly syncIntervalMs?: number;
}

/**
 * Every instance's history on every instance, through the state table and off the request
 * path: a background round (every HISTORY_SYNC_MS) writes this instance's row and lists the
 * others'; the status merges this instance's live history with the others' last rows (up to
 * one round old). Without a table (state in memory) the history is this instance's alone.
 */
export class HistoryShare {
  private peers: HistorySnapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private down = false;
  private ensured = false;

  constructor(
    readonly history: RequestHistory,
    private readonly table: RowTable | undefined,
    private readonly options: HistoryShareOptions,
  ) {}

  start(): void {
    if (this.table === undefined || this.timer !== undefined) return;
    this.timer = setInterval(() => void this.sync(), this.options.syncIntervalMs ?? HISTORY_SYNC_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sync();
  }

  /** The app's history over the last `spanMs`, and how many instances it holds. */
  merged(spanMs: number): { snapshot: HistorySnapshot; instances: number } {
    const own = this.history.snapshot(spanMs);
    const last = own.first + own.count - 1;
    return { snapshot: mergeSnapshots([own, ...this.peers], last, own.count), instances: 1 + this.peers.length };
  }

  /** One round: write this instance's row, read the others'. Never throws; an outage is logged once. */
  sync(): Promise<void> {
    this.round ??= this.syncOnce().finally(() => (this.round = undefined));
    return this.round;
  }

  private async syncOnce(): Promise<void> {
    const table = this.table;
    if (table === undefined) return;
    try {
      if (!this.ensured) await table.ensureExists();
      this.ensured = true;
      const nowMs = this.options.now();
      await table.upsert(HISTORY, this.options.instanceId, { instance: this.options.instanceId, writtenAtMs: nowMs, snapshot: this.fitting() });
      const rows = await table.list(HISTORY);
      const others = rows.filter((r) => r.key !== this.options.instanceId);
      const gone = others.filter((r) => !(nowMs - r.value.writtenAtMs < HISTORY_ROW_KEEP_MS));
      this.peers = others.filter((r) => !gone.includes(r)).map((r) => r.value.snapshot);
      for (const r of gone.slice(0, 10)) await table.deleteIf(HISTORY, r.key, r.etag);
      if (this.down) this.options.log('[router] history sharing resumed');
      this.down = false;
    } catch (err) {
      if (!this.down) this.options.log(`[router] history sharing paused (the table is unreachable): ${err instanceof Error ? err.message : String(err)}`);
      this.down = true;
    }
  }

  /** The whole hour when it fits in a row (it does for tens of backends and consumers), else the most recent part that does. */
  private fitting(): HistorySnapshot {
    for (let spanMs = HISTORY_BUCKETS * BUCKET_MS; spanMs >= BUCKET_MS; spanMs = Math.floor(spanMs / 2)) {
      const snapshot = this.history.snapshot(spanMs);
      if (historyParts(snapshot) !== undefined) return snapshot;
    }
    return { ...this.history.snapshot(BUCKET_MS), backends: {}, consumers: {}, intervals: [] };
  }
}
