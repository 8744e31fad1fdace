import { RestError, TableClient } from '@azure/data-tables';
import { TokenUsage } from '../core/usage';
import { CacheEntry, CacheStore, EntryHead, MAX_STORED_BODY_BYTES } from './CacheStore';

/** One binary property holds at most 64 KiB. */
const CHUNK_BYTES = 64 * 1024 - 1;
const HEAD_COLUMNS = ['PartitionKey', 'RowKey', 'storedAtMs', 'expiresAtMs', 'contextHash', 'vector'];
const BACKGROUND_TIMEOUT_MS = 10_000;

type Entity = Record<string, unknown> & { partitionKey?: string; rowKey?: string };

/**
 * Entries in their own table of the app's storage account (Azurite locally): PartitionKey is
 * the partition hash, RowKey the key hash, the body split over binary properties `b0…bN`,
 * times as Int64 so `storedAtMs ge …L` filters them exactly.
 */
export class TableCacheStore implements CacheStore {
  constructor(private readonly client: TableClient) {}

  async ensureExists(): Promise<void> {
    await this.client.createTable({ abortSignal: AbortSignal.timeout(BACKGROUND_TIMEOUT_MS) });
  }

  async get(partition: string, key: string, signal: AbortSignal): Promise<CacheEntry | undefined> {
    try {
      return entryOf(await this.client.getEntity<Entity>(partition, key, { abortSignal: signal }));
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async put(entry: CacheEntry): Promise<void> {
    if (entry.body.length > MAX_STORED_BODY_BYTES) return;
    await this.client.upsertEntity(toEntity(entry), 'Replace', { abortSignal: AbortSignal.timeout(BACKGROUND_TIMEOUT_MS) });
  }

  async headsSince(sinceMs: number): Promise<EntryHead[]> {
    const heads: EntryHead[] = [];
    const queryOptions = { filter: `storedAtMs ge ${Math.max(0, Math.floor(sinceMs))}L`, select: HEAD_COLUMNS };
    for await (const entity of this.client.listEntities<Entity>({ queryOptions, abortSignal: AbortSignal.timeout(BACKGROUND_TIMEOUT_MS * 3) })) {
      const head = headOf(entity);
      if (head !== undefined) heads.push(head);
    }
    return heads;
  }

  async delete(partition: string, key: string): Promise<void> {
    try {
      await this.client.deleteEntity(partition, key, { abortSignal: AbortSignal.timeout(BACKGROUND_TIMEOUT_MS) });
    } catch (err) {
      if (!(err instanceof RestError && err.statusCode === 404)) throw err;
    }
  }
}

function toEntity(entry: CacheEntry): Entity & { partitionKey: string; rowKey: string } {
  const entity: Entity & { partitionKey: string; rowKey: string } = {
    partitionKey: entry.partition,
    rowKey: entry.key,
    storedAtMs: BigInt(Math.floor(entry.storedAtMs)),
    expiresAtMs: BigInt(Math.floor(entry.expiresAtMs)),
    contentType: entry.contentType,
    chunks: Math.ceil(entry.body.length / CHUNK_BYTES),
  };
  for (let i = 0, at = 0; at < entry.body.length; i++, at += CHUNK_BYTES) entity[`b${i}`] = new Uint8Array(entry.body.subarray(at, at + CHUNK_BYTES));
  if (entry.usage !== undefined) entity.usage = JSON.stringify(entry.usage);
  if (entry.contextHash !== undefined) entity.contextHash = entry.contextHash;
  if (entry.vector !== undefined) entity.vector = new Uint8Array(entry.vector.buffer, entry.vector.byteOffset, entry.vector.byteLength);
  return entity;
}

function headOf(entity: Entity): EntryHead | undefined {
  const storedAtMs = Number(entity.storedAtMs);
  const expiresAtMs = Number(entity.expiresAtMs);
  if (entity.partitionKey === undefined || entity.rowKey === undefined || !Number.isFinite(storedAtMs) || !Number.isFinite(expiresAtMs)) return undefined;
  const vector = entity.vector instanceof Uint8Array ? toFloats(entity.vector) : undefined;
  return {
    partition: entity.partitionKey,
    key: entity.rowKey,
    storedAtMs,
    expiresAtMs,
    ...(typeof entity.contextHash === 'string' ? { contextHash: entity.contextHash } : {}),
    ...(vector === undefined ? {} : { vector }),
  };
}

function entryOf(entity: Entity): CacheEntry | undefined {
  const head = headOf(entity);
  const chunks = Number(entity.chunks);
  if (head === undefined || typeof entity.contentType !== 'string' || !Number.isInteger(chunks)) return undefined;
  const parts: Buffer[] = [];
  for (let i = 0; i < chunks; i++) {
    const part = entity[`b${i}`];
    if (!(part instanceof Uint8Array)) return undefined;
    parts.push(Buffer.from(part));
  }
  return { ...head, contentType: entity.contentType, body: Buffer.concat(parts), usage: usageOf(entity.usage) };
}

/** A copy, aligned for Float32Array whatever offset the decoder left the bytes at. */
function toFloats(bytes: Uint8Array): Float32Array | undefined {
  if (bytes.byteLength % 4 !== 0 || bytes.byteLength === 0) return undefined;
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

function usageOf(raw: unknown): TokenUsage | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    return JSON.parse(raw) as TokenUsage;
  } catch {
    return undefined;
  }
}
