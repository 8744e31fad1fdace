import { odata, RestError, TableClient, TableEntityResult } from '@azure/data-tables';
import { Remaining } from '../core/remaining';
import { Window, WindowReason } from '../core/windows';
import { StateTable, StoredRemaining, StoredWindow, WriteResult } from './StateTable';

const WINDOWS = 'window';
const REMAINING = 'remaining';

interface WindowEntity { partitionKey: string; rowKey: string; untilMs: number; reason: string; instance: string }
interface RemainingEntity { partitionKey: string; rowKey: string; tokens?: number; requests?: number; atMs: number; instance: string }

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

  async writeWindow(key: string, window: Window, instance: string, etag: string | undefined): Promise<WriteResult> {
    const entity: WindowEntity = { partitionKey: WINDOWS, rowKey: toRowKey(key), untilMs: window.untilMs, reason: window.reason, instance };
    try {
      const response = etag === undefined
        ? await this.client.createEntity(entity, { abortSignal: this.signal() })
        : await this.client.updateEntity(entity, 'Replace', { etag, abortSignal: this.signal() });
      return { kind: 'written', etag: response.etag ?? '' };
    } catch (err) {
      if (err instanceof RestError && (err.statusCode === 412 || err.statusCode === 409)) return { kind: 'conflict' };
      throw err;
    }
  }

  async listRemaining(): Promise<Map<string, StoredRemaining>> {
    const rows = new Map<string, StoredRemaining>();
    const query = { filter: odata`PartitionKey eq ${REMAINING}` };
    for await (const e of this.client.listEntities<RemainingEntity>({ queryOptions: query, abortSignal: this.signal() })) {
      rows.set(fromRowKey(e.rowKey), { remaining: { tokens: e.tokens ?? undefined, requests: e.requests ?? undefined, atMs: e.atMs }, instance: e.instance });
    }
    return rows;
  }

  async upsertRemaining(key: string, remaining: Remaining, instance: string): Promise<void> {
    const entity: RemainingEntity = { partitionKey: REMAINING, rowKey: toRowKey(key), atMs: remaining.atMs, instance };
    if (remaining.tokens !== undefined) entity.tokens = remaining.tokens;
    if (remaining.requests !== undefined) entity.requests = remaining.requests;
    await this.client.upsertEntity(entity, 'Replace', { abortSignal: this.signal() });
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.opTimeoutMs);
  }
}

function toStoredWindow(entity: TableEntityResult<WindowEntity>): StoredWindow {
  return { window: { untilMs: Number(entity.untilMs), reason: entity.reason as WindowReason }, instance: entity.instance, etag: entity.etag };
}
