import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { AzureRowTable } from '../../src/state/AzureRowTable';
import { tableClient } from '../../src/state/createStateStore';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { SharedStateStore } from '../../src/state/SharedStateStore';
import { RowTable } from '../../src/state/RowTable';
import { startTestAzurite } from '../support/azurite';
import { NOW } from '../support/fixtures';
import { MemoryRowTable } from '../../src/state/MemoryRowTable';
import { LATENCY, REMAINING, WINDOWS } from '../../src/state/rowKinds';

const MINUTE = 60_000;

describe('MemoryStateStore', () => {
  it('forgets windows that ended, reports older than a minute and figures older than ten minutes', () => {
    const store = new MemoryStateStore();
    store.openWindow('ptu/ended', { untilMs: NOW - 1, reason: 'throttled' });
    store.openWindow('ptu/open', { untilMs: NOW + 1000, reason: 'throttled' });
    store.recordRemaining('ptu/old', { tokens: 1, requests: 1, atMs: NOW - MINUTE - 1 });
    store.recordRemaining('ptu/recent', { tokens: 1, requests: 1, atMs: NOW - MINUTE });
    store.recordLatency('ptu/old', 50, NOW - 10 * MINUTE - 1);
    store.recordLatency('ptu/recent', 50, NOW - 10 * MINUTE);
    store.prune(NOW);
    expect([...store.windows().keys()]).toEqual(['ptu/open']);
    expect([...store.remainings().keys()]).toEqual(['ptu/recent']);
    expect([...store.latencies().keys()]).toEqual(['ptu/recent']);
  });

  it('with a clock, drops what expired by itself as new keys arrive', () => {
    let now = NOW;
    const store = new MemoryStateStore({ now: () => now });
    store.openWindow('ptu/alias-1', { untilMs: NOW + 1000, reason: 'server-error' });
    now += 11_000;
    store.openWindow('ptu/alias-2', { untilMs: now + 1000, reason: 'server-error' });
    expect([...store.windows().keys()]).toEqual(['ptu/alias-2']);
  });

  it('keeps at most its cap of keys of each kind, dropping those that end or were made first', () => {
    const store = new MemoryStateStore({ maxKeys: 100 });
    for (let i = 0; i < 250; i++) {
      store.openWindow(`ptu/alias-${i}`, { untilMs: NOW + 60_000 + i, reason: 'throttled' });
      store.recordRemaining(`ptu/alias-${i}`, { tokens: i, requests: 1, atMs: NOW + i });
      store.recordLatency(`ptu/alias-${i}`, 50, NOW + i);
    }
    for (const map of [store.windows(), store.remainings(), store.latencies()]) {
      expect(map.size).toBeLessThanOrEqual(100);
      expect(map.has('ptu/alias-249')).toBe(true);
      expect(map.has('ptu/alias-0')).toBe(false);
    }
  });
});

let azurite: Azurite;
let tableNumber = 0;
beforeAll(async () => {
  azurite = await startTestAzurite();
}, 30_000);
afterAll(async () => azurite?.stop());

describe('SharedStateStore on a memory table, under a flood of made-up deployment names', () => {
  function flooded(count: number) {
    const table = new MemoryRowTable();
    const clock = { now: NOW };
    const store = new SharedStateStore(table, { instanceId: 'a', syncIntervalMs: 1000, now: () => clock.now, log: () => undefined });
    for (let i = 0; i < count; i++) {
      store.openWindow(`ptu/rand-${i}`, { untilMs: NOW + 1000, reason: 'server-error' });
      store.recordRemaining(`ptu/rand-${i}`, { tokens: 100, requests: 1, atMs: NOW });
      store.recordLatency(`ptu/rand-${i}`, 40, NOW);
    }
    return { table, clock, store };
  }

  it('drops from memory and deletes from the table what expired, a round at a time, then lists nothing of it', async () => {
    const { table, clock, store } = flooded(100);
    await store.sync();
    expect([table.count(WINDOWS), table.count(REMAINING), table.count(LATENCY)]).toEqual([100, 100, 100]);
    clock.now += 11 * MINUTE;
    for (let round = 0; round < 7; round++) {
      await store.sync();
      clock.now += 1000;
    }
    expect([table.count(WINDOWS), table.count(REMAINING), table.count(LATENCY)]).toEqual([0, 0, 0]);
    expect([store.windows().size, store.remainings().size, store.latencies().size]).toEqual([0, 0, 0]);
    const listed = table.rowsListed;
    await store.sync();
    expect(table.rowsListed).toBe(listed);
  });

  it('deletes no row before every instance had a minute to list it, expired or not', async () => {
    const { table, clock, store } = flooded(10);
    await store.sync();
    clock.now += MINUTE - 1;
    await store.sync();
    expect(table.count(WINDOWS)).toBe(10);
    clock.now += 1;
    await store.sync();
    expect(table.count(WINDOWS)).toBe(0);
  });

  it('keeps what is still in force', async () => {
    const table = new MemoryRowTable();
    const clock = { now: NOW };
    const store = new SharedStateStore(table, { instanceId: 'a', syncIntervalMs: 1000, now: () => clock.now, log: () => undefined });
    store.openWindow('ptu/gpt-4o', { untilMs: NOW + 100_000, reason: 'throttled' });
    await store.sync();
    clock.now += 90_000;
    await store.sync();
    expect(table.count(WINDOWS)).toBe(1);
    expect(store.getWindow('ptu/gpt-4o')?.untilMs).toBe(NOW + 100_000);
  });

  it('lets another instance forget figures of a key once they expired everywhere', async () => {
    const table = new MemoryRowTable();
    const clock = { now: NOW };
    const a = new SharedStateStore(table, { instanceId: 'a', syncIntervalMs: 1000, now: () => clock.now, log: () => undefined });
    const b = new SharedStateStore(table, { instanceId: 'b', syncIntervalMs: 1000, now: () => clock.now, log: () => undefined });
    a.recordLatency('ptu/rand-1', 40, NOW);
    await a.sync();
    await b.sync();
    expect(b.getLatency('ptu/rand-1')?.ewmaMs).toBe(40);
    clock.now += 11 * MINUTE;
    await b.sync();
    await b.sync();
    expect(b.latencies().has('ptu/rand-1')).toBe(false);
    expect(table.count(LATENCY)).toBe(0);
  });
});

describe.each([
  ['a memory table', (): RowTable => new MemoryRowTable()],
  [
    'Azurite',
    (): RowTable =>
      new AzureRowTable(tableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, `bounded${++tableNumber}t${Date.now()}`), 5000),
  ],
])('SharedStateStore on %s, when another instance deleted a row', (_name, createTable) => {
  it("writes the key's next window anew", async () => {
    const table = createTable();
    const clock = { now: NOW };
    const a = new SharedStateStore(table, { instanceId: 'a', syncIntervalMs: 1000, now: () => clock.now, log: () => undefined });
    const lines: string[] = [];
    const b = new SharedStateStore(table, { instanceId: 'b', syncIntervalMs: 1000, now: () => clock.now, log: (line) => lines.push(line) });
    a.openWindow('ptu/gpt-4o', { untilMs: NOW + 1000, reason: 'throttled' });
    await a.sync();
    await b.sync(); // b now holds the row's ETag
    clock.now += 2 * MINUTE;
    await a.sync(); // expired and listed for over a minute: a deletes it
    b.openWindow('ptu/gpt-4o', { untilMs: clock.now + 5000, reason: 'throttled' });
    await b.sync(); // b's ETag names a row that is gone
    expect(lines).toEqual([]);
    await a.sync();
    expect(a.getWindow('ptu/gpt-4o')).toEqual({ untilMs: clock.now + 5000, reason: 'throttled' });
  });
});
