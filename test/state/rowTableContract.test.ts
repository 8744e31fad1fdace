import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { AzureRowTable } from '../../src/state/AzureRowTable';
import { tableClient } from '../../src/state/createStateStore';
import { claimLease } from '../../src/state/lease';
import { MemoryRowTable } from '../../src/state/MemoryRowTable';
import { RowKind, RowTable } from '../../src/state/RowTable';
import { USAGE, usageKey, usagePartition, WINDOWS } from '../../src/state/rowKinds';
import { startTestAzurite } from '../support/azurite';
import { NOW } from '../support/fixtures';

let azurite: Azurite;
let tableNumber = 0;
beforeAll(async () => {
  azurite = await startTestAzurite();
}, 30_000);
afterAll(async () => azurite?.stop());

/** A kind of this test's own: what a new store adds is a kind like this one. */
interface Note {
  readonly text: string;
  readonly size?: number;
}
const NOTES: RowKind<Note> = {
  name: 'note',
  partition: (key) => `note-${key.slice(0, 1)}`,
  rowKey: (key) => key,
  keyOf: (rowKey) => rowKey,
  toProperties: (v) => ({ text: v.text, size: v.size }),
  fromProperties: (p) =>
    typeof p.text === 'string' ? { text: p.text, ...(p.size === undefined || p.size === null ? {} : { size: Number(p.size) }) } : undefined,
};

const azure = async (): Promise<RowTable> => {
  const table = new AzureRowTable(
    tableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, `rows${++tableNumber}t${Date.now()}`),
    5000,
  );
  await table.ensureExists();
  return table;
};

describe.each([
  ['MemoryRowTable', async (): Promise<RowTable> => new MemoryRowTable()],
  ['AzureRowTable on Azurite', azure],
])('%s', (_name, create) => {
  it('reads back what was written, with an ETag, and nothing for a key never written', async () => {
    const table = await create();
    await table.upsert(NOTES, 'a1', { text: 'hello', size: 5 });
    const row = await table.get(NOTES, 'a1');
    expect(row?.value).toEqual({ text: 'hello', size: 5 });
    expect(row?.etag).toBeTruthy();
    expect(await table.get(NOTES, 'a2')).toBeUndefined();
  });

  it('leaves an undefined property out instead of storing null', async () => {
    const table = await create();
    await table.upsert(NOTES, 'a1', { text: 'no size' });
    expect((await table.get(NOTES, 'a1'))?.value).toEqual({ text: 'no size' });
  });

  it('lists one partition of a kind, keyed as written', async () => {
    const table = await create();
    await table.upsert(NOTES, 'a1', { text: 'one' });
    await table.upsert(NOTES, 'a2', { text: 'two' });
    await table.upsert(NOTES, 'b1', { text: 'elsewhere' });
    const rows = await table.list(NOTES, 'note-a');
    expect(rows.map((r) => [r.key, r.value.text]).sort()).toEqual([
      ['a1', 'one'],
      ['a2', 'two'],
    ]);
  });

  it('creates only where no row is, and replaces only while the ETag still matches', async () => {
    const table = await create();
    const created = await table.replaceIf(NOTES, 'a1', { text: 'first' }, undefined);
    expect(created.kind).toBe('written');
    expect((await table.replaceIf(NOTES, 'a1', { text: 'second creator' }, undefined)).kind).toBe('conflict');
    const etag = created.kind === 'written' ? created.etag : '';
    const replaced = await table.replaceIf(NOTES, 'a1', { text: 'replaced' }, etag);
    expect(replaced.kind).toBe('written');
    expect((await table.replaceIf(NOTES, 'a1', { text: 'stale writer' }, etag)).kind).toBe('conflict');
    expect((await table.get(NOTES, 'a1'))?.value.text).toBe('replaced');
  });

  it('calls a replace of a row that went a conflict, so the writer re-reads', async () => {
    const table = await create();
    const created = await table.replaceIf(NOTES, 'a1', { text: 'first' }, undefined);
    const etag = created.kind === 'written' ? created.etag : '';
    await table.deleteIf(NOTES, 'a1', etag);
    expect((await table.replaceIf(NOTES, 'a1', { text: 'late' }, etag)).kind).toBe('conflict');
  });

  it('deletes a row only while it is as it was read', async () => {
    const table = await create();
    await table.upsert(NOTES, 'a1', { text: 'v1' });
    const v1 = (await table.get(NOTES, 'a1'))?.etag ?? '';
    await table.upsert(NOTES, 'a1', { text: 'v2' });
    await table.deleteIf(NOTES, 'a1', v1);
    expect((await table.get(NOTES, 'a1'))?.value.text).toBe('v2');
    await table.deleteIf(NOTES, 'a1', (await table.get(NOTES, 'a1'))?.etag ?? '');
    expect(await table.get(NOTES, 'a1')).toBeUndefined();
    await table.deleteIf(NOTES, 'a1', v1); // a missing row is no error
  });

  it('skips rows its kind cannot read', async () => {
    const table = await create();
    await table.upsert(WINDOWS, 'ptu/gpt-4o', { window: { untilMs: NaN, reason: 'throttled' }, instance: 'x' });
    await table.upsert(WINDOWS, 'ptu/gpt-4o-mini', { window: { untilMs: NOW, reason: 'throttled' }, instance: 'x' });
    expect((await table.list(WINDOWS)).map((r) => r.key)).toEqual(['ptu/gpt-4o-mini']);
  });

  it('keeps a kind with many partitions apart by partition', async () => {
    const table = await create();
    await table.upsert(USAGE, usageKey('m3', 'app', 'i1'), { windowKey: 'm3', consumer: 'app', instance: 'i1', tokens: 10 });
    await table.upsert(USAGE, usageKey('m13', 'app', 'i1'), { windowKey: 'm13', consumer: 'app', instance: 'i1', tokens: 20 });
    await table.upsert(USAGE, usageKey('d20000', 'app', 'i1'), { windowKey: 'd20000', consumer: 'app', instance: 'i1', tokens: 30 });
    const minute = await table.list(USAGE, usagePartition('m3'));
    expect(minute.map((r) => r.value.tokens).sort()).toEqual([10, 20]); // m3 and m13 share a reused partition
    expect((await table.list(USAGE, usagePartition('d20000'))).map((r) => r.value.tokens)).toEqual([30]);
  });

  it('gives a lease to one of two instances that claim it at once', async () => {
    const table = await create();
    const claims = await Promise.all([claimLease(table, 'probe', 'a', NOW, NOW + 5000), claimLease(table, 'probe', 'b', NOW, NOW + 5000)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
  });
});
