import { odata, RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import { LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { Window, WindowReason } from '../core/windows';
import { leaseIsHeld, StateTable, StoredLatency, StoredRemaining, StoredWindow, WriteResult } from './StateTable';

const WINDOWS = 'window';
const REMAINING = 'remaining';
const LATENCY = 'latency';
const LEASES = 'lease';

interface WindowEntity {
  partitionKey: string;
  rowKey: string;
  untilMs: number;
  reason: string;
  instance: string;
  writtenAtMs?: number;
}
interface LatencyEntity {
  partitionKey: string;
  rowKey: string;
  key: string;
  instance: string;
  ewmaMs: number;
  samples: number;
  atMs: number;
}
interface RemainingEntity {
  partitionKey: string;
  rowKey: string;
  tokens?: number;
  requests?: number;
  atMs: number;
  instance: string;
}

/** "/" may not appear in a RowKey; backend and deployment names never contain "|". */
const toRowKey = (key: string): string => key.replace('/', '|');
const fromRowKey = (rowKey: string): string => rowKey.replace('|', '/');

/** Throttle windows and remaining-capacity reports in one Azure table, two partitions. */
export class AzureStateTable implements StateTable {
  constructor(
    private readonly client: TableClient,
    private readonly opTimeoutMs: number,
  ) {}

  async ensureExists(): Promise<void> {
    await this.client.createTable({ abortSignal: this.signal() });
  }

  async listWindows(): Promise<Map<string, StoredWindow>> {
    const rows = new Map<string, StoredWindow>();
    const query = { filter: odata`PartitionKey eq ${WINDOWS}` };
    for await (const entity of this.client.listEntities<WindowEntity>({ queryOptions: query, abortSignal: this.signal() })) {
      rows.set(fromRowKey(entity.rowKey), toStoredWindow(entity));
    }
    return rows;
  }

  async getWindow(key: string): Promise<StoredWindow | undefined> {
    try {
      return toStoredWindow(await this.client.getEntity<WindowEntity>(WINDOWS, toRowKey(key), { abortSignal: this.signal() }));
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async writeWindow(key: string, window: Window, instance: string, etag: string | undefined, writtenAtMs: number): Promise<WriteResult> {
    const entity: WindowEntity = { partitionKey: WINDOWS, rowKey: toRowKey(key), untilMs: window.untilMs, reason: window.reason, instance, writtenAtMs };
    try {
      const response =
        etag === undefined
          ? await this.client.createEntity(entity, { abortSignal: this.signal() })
          : await this.client.updateEntity(entity, 'Replace', { etag, abortSignal: this.signal() });
      return { kind: 'written', etag: response.etag ?? '' };
    } catch (err) {
      // 404: another instance deleted the expired row since we saw it; the writer re-reads and creates it.
      if (err instanceof RestError && (err.statusCode === 412 || err.statusCode === 409 || err.statusCode === 404)) return { kind: 'conflict' };
      throw err;
    }
  }

  async deleteWindow(key: string, etag: string): Promise<void> {
    await this.deleteIfUnchanged(WINDOWS, toRowKey(key), etag);
  }

  async listRemaining(): Promise<Map<string, StoredRemaining>> {
    const rows = new Map<string, StoredRemaining>();
    const query = { filter: odata`PartitionKey eq ${REMAINING}` };
    for await (const e of this.client.listEntities<RemainingEntity>({ queryOptions: query, abortSignal: this.signal() })) {
      rows.set(fromRowKey(e.rowKey), {
        remaining: { tokens: e.tokens ?? undefined, requests: e.requests ?? undefined, atMs: Number(e.atMs) },
        instance: e.instance,
        etag: e.etag,
      });
    }
    return rows;
  }

  async upsertRemaining(key: string, remaining: Remaining, instance: string): Promise<void> {
    const entity: RemainingEntity = { partitionKey: REMAINING, rowKey: toRowKey(key), atMs: remaining.atMs, instance };
    if (remaining.tokens !== undefined) entity.tokens = remaining.tokens;
    if (remaining.requests !== undefined) entity.requests = remaining.requests;
    await this.client.upsertEntity(entity, 'Replace', { abortSignal: this.signal() });
  }

  async deleteRemaining(key: string, etag: string): Promise<void> {
    await this.deleteIfUnchanged(REMAINING, toRowKey(key), etag);
  }

  async listLatency(): Promise<Map<string, Map<string, StoredLatency>>> {
    const rows = new Map<string, Map<string, StoredLatency>>();
    const query = { filter: odata`PartitionKey eq ${LATENCY}` };
    for await (const e of this.client.listEntities<LatencyEntity>({ queryOptions: query, abortSignal: this.signal() })) {
      const byInstance = rows.get(e.key) ?? new Map<string, StoredLatency>();
      byInstance.set(e.instance, { figure: { ewmaMs: Number(e.ewmaMs), samples: Number(e.samples), atMs: Number(e.atMs) }, etag: e.etag });
      rows.set(e.key, byInstance);
    }
    return rows;
  }

  /** One row per instance and key: each instance owns its row, so no write ever conflicts. */
  async upsertLatency(key: string, figure: LatencyFigure, instance: string): Promise<void> {
    const entity: LatencyEntity = { partitionKey: LATENCY, rowKey: `${toRowKey(key)}|${instance}`, key, instance, ...figure };
    await this.client.upsertEntity(entity, 'Replace', { abortSignal: this.signal() });
  }

  async deleteLatency(key: string, instance: string, etag: string): Promise<void> {
    await this.deleteIfUnchanged(LATENCY, `${toRowKey(key)}|${instance}`, etag);
  }

  /** A row per consumer and instance in the window's partition: each instance owns its rows. */
  async upsertUsage(windowKey: string, consumer: string, tokens: number, instance: string): Promise<void> {
    const entity = { partitionKey: usagePartition(windowKey), rowKey: `${consumer}|${instance}`, windowKey, consumer, instance, tokens };
    await this.client.upsertEntity(entity, 'Replace', { abortSignal: this.signal() });
  }

  async listUsage(windowKeys: readonly string[], excludeInstance: string): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const windowKey of windowKeys) {
      const query = { filter: odata`PartitionKey eq ${usagePartition(windowKey)} and windowKey eq ${windowKey}` };
      for await (const e of this.client.listEntities<{ consumer: string; instance: string; tokens: number }>({
        queryOptions: query,
        abortSignal: this.signal(),
      })) {
        if (e.instance === excludeInstance) continue;
        const k = `${windowKey}|${e.consumer}`;
        totals.set(k, (totals.get(k) ?? 0) + Number(e.tokens));
      }
    }
    return totals;
  }

  async claimLease(name: string, instance: string, nowMs: number, untilMs: number): Promise<boolean> {
    const entity = { partitionKey: LEASES, rowKey: name, untilMs, instance };
    try {
      const held = await this.client.getEntity<{ untilMs: number }>(LEASES, name, { abortSignal: this.signal() }).catch((err: unknown) => {
        if (err instanceof RestError && err.statusCode === 404) return undefined;
        throw err;
      });
      if (held === undefined) await this.client.createEntity(entity, { abortSignal: this.signal() });
      else if (leaseIsHeld(Number(held.untilMs), nowMs, untilMs)) return false;
      else await this.client.updateEntity(entity, 'Replace', { etag: held.etag, abortSignal: this.signal() });
      return true;
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412)) return false; // another instance won
      throw err;
    }
  }

  /** A row that changed (412) or went (404) since it was listed is left to whoever touched it. */
  private async deleteIfUnchanged(partitionKey: string, rowKey: string, etag: string): Promise<void> {
    try {
      await this.client.deleteEntity(partitionKey, rowKey, { etag, abortSignal: this.signal() });
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 404 || err.statusCode === 412)) return;
      throw err;
    }
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.opTimeoutMs);
  }
}

function toStoredWindow(entity: TableEntityResult<WindowEntity>): StoredWindow {
  const writtenAtMs = entity.writtenAtMs === undefined || entity.writtenAtMs === null ? undefined : Number(entity.writtenAtMs);
  return {
    window: { untilMs: Number(entity.untilMs), reason: entity.reason as WindowReason },
    instance: entity.instance,
    etag: entity.etag,
    ...(writtenAtMs === undefined ? {} : { writtenAtMs }),
  };
}

/**
 * Minute windows reuse ten partitions in turn (rows are overwritten ten minutes later, and the
 * windowKey property tells a stale row from a current one), so the table does not grow by a
 * partition a minute. Days and months are few enough to keep their own.
 */
function usagePartition(windowKey: string): string {
  return windowKey.startsWith('m') ? `usage-m${Number(windowKey.slice(1)) % 10}` : `usage-${windowKey}`;
}
