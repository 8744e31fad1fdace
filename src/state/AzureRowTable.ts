import { odata, RestError, TableClient } from '@azure/data-tables';
import { Properties, Row, RowKind, RowTable, WriteResult } from './RowTable';

const statusOf = (err: unknown): number | undefined => (err instanceof RestError ? err.statusCode : undefined);

/** Rows in one Azure table (Table Storage, or Azurite locally); every call bounded by a timeout. */
export class AzureRowTable implements RowTable {
  constructor(
    private readonly client: TableClient,
    private readonly opTimeoutMs: number,
  ) {}

  async ensureExists(): Promise<void> {
    await this.client.createTable({ abortSignal: this.signal() });
  }

  async list<T>(kind: RowKind<T>, partition = kind.partition('')): Promise<Row<T>[]> {
    const rows: Row<T>[] = [];
    const queryOptions = { filter: odata`PartitionKey eq ${partition}` };
    for await (const entity of this.client.listEntities<Record<string, unknown>>({ queryOptions, abortSignal: this.signal() })) {
      const value = kind.fromProperties(entity);
      if (value !== undefined) rows.push({ key: kind.keyOf(entity.rowKey ?? ''), value, etag: entity.etag });
    }
    return rows;
  }

  async get<T>(kind: RowKind<T>, key: string): Promise<Row<T> | undefined> {
    try {
      const entity = await this.client.getEntity<Record<string, unknown>>(kind.partition(key), kind.rowKey(key), { abortSignal: this.signal() });
      const value = kind.fromProperties(entity);
      return value === undefined ? undefined : { key, value, etag: entity.etag };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async upsert<T>(kind: RowKind<T>, key: string, value: T): Promise<void> {
    await this.client.upsertEntity(this.entity(kind, key, value), 'Replace', { abortSignal: this.signal() });
  }

  async replaceIf<T>(kind: RowKind<T>, key: string, value: T, etag: string | undefined): Promise<WriteResult> {
    const entity = this.entity(kind, key, value);
    try {
      const response =
        etag === undefined
          ? await this.client.createEntity(entity, { abortSignal: this.signal() })
          : await this.client.updateEntity(entity, 'Replace', { etag, abortSignal: this.signal() });
      return { kind: 'written', etag: response.etag ?? '' };
    } catch (err) {
      // 404: another instance deleted the row since it was read; the caller re-reads and creates it.
      const status = statusOf(err);
      if (status === 412 || status === 409 || status === 404) return { kind: 'conflict' };
      throw err;
    }
  }

  /** A row that changed (412) or went (404) since it was read is left to whoever touched it. */
  async deleteIf<T>(kind: RowKind<T>, key: string, etag: string): Promise<void> {
    try {
      await this.client.deleteEntity(kind.partition(key), kind.rowKey(key), { etag, abortSignal: this.signal() });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 412) return;
      throw err;
    }
  }

  private entity<T>(kind: RowKind<T>, key: string, value: T): Record<string, unknown> & { partitionKey: string; rowKey: string } {
    return { ...definedOnly(kind.toProperties(value)), partitionKey: kind.partition(key), rowKey: kind.rowKey(key) };
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.opTimeoutMs);
  }
}

/** The SDK would store an undefined property as null: leave it out instead. */
export function definedOnly(properties: Properties): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(properties)) if (value !== undefined) out[name] = value;
  return out;
}
