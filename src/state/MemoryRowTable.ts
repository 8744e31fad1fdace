import { definedOnly } from './AzureRowTable';
import { Row, RowKind, RowTable, WriteResult } from './RowTable';

interface Stored {
  readonly etag: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * The row adapter in memory, with Table Storage's semantics where callers depend on them: a new
 * ETag on every write, create fails on an existing row, replace and delete only while the ETag
 * still matches. A single instance's leases and the tests use it. Counts what it is asked, so
 * tests can see the sync cost.
 */
export class MemoryRowTable implements RowTable {
  private readonly partitions = new Map<string, Map<string, Stored>>();
  private version = 0;
  /** Rows handed out by list calls, in total. */
  rowsListed = 0;

  /** Rows held now by a kind (in all of its partitions). */
  count(kind: RowKind<unknown>): number {
    let n = 0;
    for (const [partition, rows] of this.partitions) if (partition === kind.name || partition.startsWith(`${kind.name}-`)) n += rows.size;
    return n;
  }

  async ensureExists(): Promise<void> {}

  async list<T>(kind: RowKind<T>, partition = kind.partition('')): Promise<Row<T>[]> {
    const rows: Row<T>[] = [];
    for (const [rowKey, stored] of this.partitions.get(partition) ?? []) {
      const value = kind.fromProperties(stored.properties);
      if (value === undefined) continue;
      this.rowsListed++;
      rows.push({ key: kind.keyOf(rowKey), value, etag: stored.etag });
    }
    return rows;
  }

  async get<T>(kind: RowKind<T>, key: string): Promise<Row<T> | undefined> {
    const stored = this.partitions.get(kind.partition(key))?.get(kind.rowKey(key));
    const value = stored === undefined ? undefined : kind.fromProperties(stored.properties);
    return stored === undefined || value === undefined ? undefined : { key, value, etag: stored.etag };
  }

  async upsert<T>(kind: RowKind<T>, key: string, value: T): Promise<void> {
    this.put(kind, key, value);
  }

  async replaceIf<T>(kind: RowKind<T>, key: string, value: T, etag: string | undefined): Promise<WriteResult> {
    const existing = this.partitions.get(kind.partition(key))?.get(kind.rowKey(key));
    if (etag === undefined ? existing !== undefined : existing?.etag !== etag) return { kind: 'conflict' };
    return { kind: 'written', etag: this.put(kind, key, value) };
  }

  async deleteIf<T>(kind: RowKind<T>, key: string, etag: string): Promise<void> {
    const rows = this.partitions.get(kind.partition(key));
    if (rows?.get(kind.rowKey(key))?.etag === etag) rows.delete(kind.rowKey(key));
  }

  private put<T>(kind: RowKind<T>, key: string, value: T): string {
    const etag = `W/"${++this.version}"`;
    const partition = kind.partition(key);
    const rows = this.partitions.get(partition) ?? new Map<string, Stored>();
    rows.set(kind.rowKey(key), { etag, properties: definedOnly(kind.toProperties(value)) });
    this.partitions.set(partition, rows);
    return etag;
  }
}
