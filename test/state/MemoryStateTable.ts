import { LatencyFigure } from '../../src/core/latency';
import { Remaining } from '../../src/core/remaining';
import { Window } from '../../src/core/windows';
import { leaseIsHeld, StateTable, StoredLatency, StoredRemaining, StoredWindow, WriteResult } from '../../src/state/StateTable';

interface Row {
  readonly etag: string;
  readonly data: Record<string, unknown>;
}

/**
 * The shared table in memory, with Table Storage's semantics where the store depends on them:
 * a new ETag on every write, create fails on an existing row, replace and delete only while
 * the ETag still matches. Counts what it is asked, so tests can see the sync cost.
 */
export class MemoryStateTable implements StateTable {
  private readonly rows = new Map<string, Row>();
  private version = 0;
  /** Rows handed out by list calls, in total. */
  rowsListed = 0;

  /** Rows held now in a partition ('window', 'remaining', 'latency', 'lease'). */
  count(partition: string): number {
    return [...this.rows.keys()].filter((id) => id.startsWith(`${partition}|`)).length;
  }

  async ensureExists(): Promise<void> {}

  async listWindows(): Promise<Map<string, StoredWindow>> {
    const result = new Map<string, StoredWindow>();
    for (const [key, row] of this.partition('window')) result.set(key, toStoredWindow(row));
    return result;
  }

  async getWindow(key: string): Promise<StoredWindow | undefined> {
    const row = this.rows.get(`window|${key}`);
    return row === undefined ? undefined : toStoredWindow(row);
  }

  async writeWindow(key: string, window: Window, instance: string, etag: string | undefined, writtenAtMs: number): Promise<WriteResult> {
    const id = `window|${key}`;
    const existing = this.rows.get(id);
    if (etag === undefined ? existing !== undefined : existing?.etag !== etag) return { kind: 'conflict' };
    return { kind: 'written', etag: this.put(id, { untilMs: window.untilMs, reason: window.reason, instance, writtenAtMs }) };
  }

  /** Writes a row as a router version without `writtenAtMs` did. */
  async writeLegacyWindow(key: string, window: Window, instance: string): Promise<void> {
    this.put(`window|${key}`, { untilMs: window.untilMs, reason: window.reason, instance });
  }

  async deleteWindow(key: string, etag: string): Promise<void> {
    this.deleteIf(`window|${key}`, etag);
  }

  async listRemaining(): Promise<Map<string, StoredRemaining>> {
    const result = new Map<string, StoredRemaining>();
    for (const [key, row] of this.partition('remaining'))
      result.set(key, { remaining: row.data.remaining as Remaining, instance: row.data.instance as string, etag: row.etag });
    return result;
  }

  async upsertRemaining(key: string, remaining: Remaining, instance: string): Promise<void> {
    this.put(`remaining|${key}`, { remaining, instance });
  }

  async deleteRemaining(key: string, etag: string): Promise<void> {
    this.deleteIf(`remaining|${key}`, etag);
  }

  async listLatency(): Promise<Map<string, Map<string, StoredLatency>>> {
    const result = new Map<string, Map<string, StoredLatency>>();
    for (const [, row] of this.partition('latency')) {
      const key = row.data.key as string;
      const byInstance = result.get(key) ?? new Map<string, StoredLatency>();
      byInstance.set(row.data.instance as string, { figure: row.data.figure as LatencyFigure, etag: row.etag });
      result.set(key, byInstance);
    }
    return result;
  }

  async upsertLatency(key: string, figure: LatencyFigure, instance: string): Promise<void> {
    this.put(`latency|${key}|${instance}`, { key, instance, figure });
  }

  async deleteLatency(key: string, instance: string, etag: string): Promise<void> {
    this.deleteIf(`latency|${key}|${instance}`, etag);
  }

  async upsertUsage(windowKey: string, consumer: string, tokens: number, instance: string): Promise<void> {
    this.put(`usage|${windowKey}|${consumer}|${instance}`, { windowKey, consumer, instance, tokens });
  }

  async listUsage(windowKeys: readonly string[], excludeInstance: string): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const [, row] of this.partition('usage')) {
      const { windowKey, consumer, instance, tokens } = row.data as { windowKey: string; consumer: string; instance: string; tokens: number };
      if (!windowKeys.includes(windowKey) || instance === excludeInstance) continue;
      totals.set(`${windowKey}|${consumer}`, (totals.get(`${windowKey}|${consumer}`) ?? 0) + tokens);
    }
    return totals;
  }

  async claimLease(name: string, instance: string, nowMs: number, untilMs: number): Promise<boolean> {
    const held = this.rows.get(`lease|${name}`);
    if (held !== undefined && leaseIsHeld(Number(held.data.untilMs), nowMs, untilMs)) return false;
    this.put(`lease|${name}`, { untilMs, instance });
    return true;
  }

  private *partition(name: string): Iterable<[string, Row]> {
    for (const [id, row] of this.rows) {
      if (!id.startsWith(`${name}|`)) continue;
      this.rowsListed++;
      yield [id.slice(name.length + 1), row];
    }
  }

  private put(id: string, data: Record<string, unknown>): string {
    const etag = `W/"${++this.version}"`;
    this.rows.set(id, { etag, data });
    return etag;
  }

  private deleteIf(id: string, etag: string): void {
    if (this.rows.get(id)?.etag === etag) this.rows.delete(id);
  }
}

function toStoredWindow(row: Row): StoredWindow {
  const { untilMs, reason, instance, writtenAtMs } = row.data as { untilMs: number; reason: Window['reason']; instance: string; writtenAtMs?: number };
  return { window: { untilMs, reason }, instance, etag: row.etag, ...(writtenAtMs === undefined ? {} : { writtenAtMs }) };
}
