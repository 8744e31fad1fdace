/**
 * The shared table as a small generic row adapter: every kind of shared state (windows,
 * reports, figures, usage counts, leases, and any later store) is rows of one kind, read and
 * written through these few calls. What a kind is (where its rows live, how a value becomes
 * properties and back) is data: see rowKinds.ts. One implementation per storage.
 */

export type Scalar = string | number | boolean;
/** A row's properties as stored; undefined properties are left out. */
export type Properties = Readonly<Record<string, Scalar | undefined>>;

export interface RowKind<T> {
  /** For messages and the memory table's counts. */
  readonly name: string;
  /** The partition a key's row lives in. */
  partition(key: string): string;
  /** The row key for a key (Table Storage refuses `/`, `\`, `#`, `?` in keys). */
  rowKey(key: string): string;
  /** The key back from a row key, for the kinds whose listing is keyed by it. */
  keyOf(rowKey: string): string;
  toProperties(value: T): Properties;
  /** undefined for a row this version cannot read: listings skip it. */
  fromProperties(properties: Readonly<Record<string, unknown>>): T | undefined;
}

export interface Row<T> {
  readonly key: string;
  readonly value: T;
  readonly etag: string;
}

export type WriteResult = { readonly kind: 'written'; readonly etag: string } | { readonly kind: 'conflict' };

export interface RowTable {
  ensureExists(): Promise<void>;
  /** Every readable row of a kind in one partition (the kind's only one when not given). */
  list<T>(kind: RowKind<T>, partition?: string): Promise<Row<T>[]>;
  get<T>(kind: RowKind<T>, key: string): Promise<Row<T> | undefined>;
  /** Writes the row whatever is there (rows each instance owns never conflict). */
  upsert<T>(kind: RowKind<T>, key: string, value: T): Promise<void>;
  /**
   * Creates the row (etag undefined) or replaces it only while it still has `etag`; 'conflict'
   * when another writer got there first (412/409) or the row is gone (404).
   */
  replaceIf<T>(kind: RowKind<T>, key: string, value: T, etag: string | undefined): Promise<WriteResult>;
  /** Deletes the row while it still has `etag`; a changed or missing row is left as it is. */
  deleteIf<T>(kind: RowKind<T>, key: string, etag: string): Promise<void>;
}
