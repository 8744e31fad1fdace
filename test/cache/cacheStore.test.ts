import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { CacheEntry, CacheStore } from '../../src/cache/CacheStore';
import { MemoryCacheStore } from '../../src/cache/MemoryCacheStore';
import { TableCacheStore } from '../../src/cache/TableCacheStore';
import { startTestAzurite } from '../support/azurite';
import { NOW } from '../support/fixtures';

let azurite: Azurite;
let tables = 0;
beforeAll(async () => {
  azurite = await startTestAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const stores: [string, () => Promise<CacheStore>][] = [
  ['MemoryCacheStore', async () => new MemoryCacheStore()],
  [
    'TableCacheStore on Azurite',
    async () => {
      const client = TableClient.fromConnectionString(azurite.connectionString, `cache${++tables}`, { allowInsecureConnection: true });
      const store = new TableCacheStore(client);
      await store.ensureExists();
      return store;
    },
  ],
];

const entry = (key: string, overrides: Partial<CacheEntry> = {}): CacheEntry => ({
  partition: 'p1',
  key,
  storedAtMs: NOW,
  expiresAtMs: NOW + 60_000,
  contentType: 'application/json',
  body: Buffer.from(`{"answer":"${key}"}`),
  usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7, estimated: false },
  ...overrides,
});
const signal = () => AbortSignal.timeout(5000);

describe.each(stores)('%s', (_name, create) => {
  it('returns a stored entry whole, and nothing for a key never stored', async () => {
    const store = await create();
    await store.put(entry('a'));
    const got = await store.get('p1', 'a', signal());
    expect(got?.body.toString()).toBe('{"answer":"a"}');
    expect(got?.usage?.totalTokens).toBe(7);
    expect(got?.expiresAtMs).toBe(NOW + 60_000);
    expect(await store.get('p1', 'b', signal())).toBeUndefined();
    expect(await store.get('p2', 'a', signal())).toBeUndefined();
  });

  it('keeps a body larger than one 64 KiB property intact', async () => {
    const store = await create();
    const body = Buffer.from('x'.repeat(300 * 1024));
    await store.put(entry('big', { body }));
    expect((await store.get('p1', 'big', signal()))?.body.equals(body)).toBe(true);
  });

  it('lists the heads stored since a time, with their context and vector, across partitions', async () => {
    const store = await create();
    const vector = Float32Array.from([0.6, 0.8, 0]);
    await store.put(entry('old', { storedAtMs: NOW - 10_000 }));
    await store.put(entry('new', { partition: 'p2', contextHash: 'ctx', vector }));
    const heads = await store.headsSince(NOW - 1000);
    expect(heads.map((h) => h.key)).toEqual(['new']);
    expect(heads[0]?.contextHash).toBe('ctx');
    expect(Array.from(heads[0]?.vector ?? [])).toEqual(Array.from(vector));
  });

  it('deletes an entry, and a second delete is harmless', async () => {
    const store = await create();
    await store.put(entry('gone'));
    await store.delete('p1', 'gone');
    await store.delete('p1', 'gone');
    expect(await store.get('p1', 'gone', signal())).toBeUndefined();
  });
});
