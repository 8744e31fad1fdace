import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCover } from '../../src/core/remaining';
import { isActive, WindowCaps } from '../../src/core/windows';
import { Azurite } from '../../src/local/azurite';
import { AzureRowTable } from '../../src/state/AzureRowTable';
import { tableClient } from '../../src/state/createStateStore';
import { SharedStateStore } from '../../src/state/SharedStateStore';
import { claimLease } from '../../src/state/lease';
import { RowTable } from '../../src/state/RowTable';
import { startTestAzurite } from '../support/azurite';
import { NOW } from '../support/fixtures';
import { MemoryRowTable } from '../../src/state/MemoryRowTable';
import { WINDOWS } from '../../src/state/rowKinds';

const CAPS: WindowCaps = { throttled: 120_000, 'server-error': 10_000, timeout: 10_000, network: 10_000, auth: 300_000, 'circuit-open': 30_000 };
const KEY = 'ptu/gpt-4o';

let azurite: Azurite;
let tableNumber = 0;
beforeAll(async () => {
  azurite = await startTestAzurite();
}, 30_000);
afterAll(async () => azurite?.stop());

const azureTable = (): RowTable =>
  new AzureRowTable(tableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, `skew${++tableNumber}t${Date.now()}`), 5000);

/** One true time, and instances that each read it off by their own skew. */
function cluster(table: RowTable) {
  const clock = { now: NOW };
  const instance = (name: string, skewMs: number) =>
    new SharedStateStore(table, { instanceId: name, syncIntervalMs: 1000, now: () => clock.now + skewMs, log: () => undefined, windowCaps: CAPS });
  return { clock, instance };
}

describe.each([
  ['a memory table', (): RowTable => new MemoryRowTable()],
  ['Azurite', azureTable],
])('SharedStateStore on %s, between instances whose clocks disagree', (_name, createTable) => {
  it('keeps a 100 ms bench written by an instance 90 s ahead at 100 ms on a correct instance', async () => {
    const { clock, instance } = cluster(createTable());
    const ahead = instance('ahead', 90_000);
    const right = instance('right', 0);
    ahead.openWindow(KEY, { untilMs: NOW + 90_000 + 100, reason: 'throttled' });
    await ahead.sync();
    clock.now += 400;
    await right.sync();
    expect(right.getWindow(KEY)?.untilMs).toBe(NOW + 400 + 100);
    clock.now += 2500;
    await right.sync(); // the row is still there: pulling it again must not stretch it
    expect(isActive(right.getWindow(KEY), clock.now)).toBe(false);
  });

  it("keeps a bench written by an instance 30 s behind for as long as it asked, less the time since the reader last listed and a second's slack", async () => {
    const { clock, instance } = cluster(createTable());
    const behind = instance('behind', -30_000);
    const right = instance('right', 0);
    await right.sync(); // has listed the table before, so it knows the row is new
    clock.now += 1000;
    behind.openWindow(KEY, { untilMs: NOW + 1000 - 30_000 + 10_000, reason: 'throttled' });
    await behind.sync();
    await right.sync();
    // Written at NOW + 1000 true time; all the reader knows is that it was stamped after its listing at NOW, less the slack.
    expect(right.getWindow(KEY)?.untilMs).toBe(NOW - 1000 + 10_000);
  });

  it('shares a bench between instances whose clocks agree exactly as written', async () => {
    const { clock, instance } = cluster(createTable());
    const a = instance('a', 0);
    const b = instance('b', 0);
    await b.sync();
    a.openWindow(KEY, { untilMs: NOW + 5000, reason: 'throttled' });
    clock.now += 300;
    await a.sync();
    clock.now += 300;
    await b.sync();
    expect(b.getWindow(KEY)).toEqual({ untilMs: NOW + 5000, reason: 'throttled' });
  });

  it('gives a 429 seen on a correct instance to an instance 90 s ahead without cutting it short', async () => {
    const { clock, instance } = cluster(createTable());
    const right = instance('right', 0);
    const ahead = instance('ahead', 90_000);
    await ahead.sync(); // has listed the table before, so it knows the row is new
    clock.now += 200;
    right.openWindow(KEY, { untilMs: NOW + 200 + 20_000, reason: 'throttled' });
    await right.sync();
    clock.now += 500;
    await ahead.sync();
    // Written after ahead's last listing: on ahead's clock, from then (less the slack) on for the 20 s asked.
    expect(ahead.getWindow(KEY)?.untilMs).toBe(NOW + 90_000 - 1000 + 20_000);
  });

  it("ends a 429's report from an instance 90 s ahead when its Retry-After ends, on the reader's clock", async () => {
    const { clock, instance } = cluster(createTable());
    const ahead = instance('ahead', 90_000);
    const right = instance('right', 0);
    ahead.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: NOW + 90_000, freshUntilMs: NOW + 90_000 + 400 });
    await ahead.sync();
    await right.sync();
    expect(right.getRemaining(KEY)).toEqual({ tokens: 0, requests: 0, atMs: NOW, freshUntilMs: NOW + 400 });
    expect(canCover(right.getRemaining(KEY), 100, NOW + 399)).toBe(false);
    clock.now += 400;
    expect(canCover(right.getRemaining(KEY), 100, clock.now)).toBe(true);
  });

  it('takes a remaining-capacity report stamped in the future as made when first seen, so it goes stale on time', async () => {
    const { clock, instance } = cluster(createTable());
    const ahead = instance('ahead', 90_000);
    const right = instance('right', 0);
    ahead.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: NOW + 90_000 });
    await ahead.sync();
    await right.sync();
    expect(right.getRemaining(KEY)).toEqual({ tokens: 0, requests: 0, atMs: NOW });
    clock.now += 11_000;
    await right.sync(); // the same row again: still dated when first seen
    expect(canCover(right.getRemaining(KEY), 100, clock.now)).toBe(true);
  });

  it("lets a correct instance's newer report replace one stamped in the future", async () => {
    const { clock, instance } = cluster(createTable());
    const ahead = instance('ahead', 90_000);
    const right = instance('right', 0);
    ahead.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: NOW + 90_000 });
    await ahead.sync();
    await right.sync();
    clock.now += 1000;
    right.recordRemaining(KEY, { tokens: 5000, requests: 9, atMs: clock.now });
    expect(right.getRemaining(KEY)?.tokens).toBe(5000);
  });

  it('stops counting an instance 90 s ahead as live half a minute after its last figure arrived', async () => {
    const { clock, instance } = cluster(createTable());
    const ahead = instance('ahead', 90_000);
    const right = instance('right', 0);
    ahead.recordLatency(KEY, 50, NOW + 90_000);
    await ahead.sync();
    await right.sync();
    expect(right.liveInstances()).toBe(2);
    clock.now += 31_000;
    await right.sync();
    expect(right.liveInstances()).toBe(1);
  });
});

/** A table, and a way to write a window row as a router version without write times did. */
interface LegacyTable {
  readonly table: RowTable;
  readonly writeLegacy: (key: string, untilMs: number, reason: string) => Promise<void>;
}

const memoryLegacy = (): LegacyTable => {
  const table = new MemoryRowTable();
  return {
    table,
    writeLegacy: (key, untilMs, reason) => table.upsert(WINDOWS, key, { window: { untilMs, reason: reason as 'throttled' }, instance: 'older-version' }),
  };
};

const azureLegacy = (): LegacyTable => {
  const client = tableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, `legacy${++tableNumber}t${Date.now()}`);
  return {
    table: new AzureRowTable(client, 5000),
    writeLegacy: async (key, untilMs, reason) => {
      await client.createTable();
      await client.upsertEntity({ partitionKey: 'window', rowKey: key.replace('/', '|'), untilMs, reason, instance: 'older-version' }, 'Replace');
    },
  };
};

describe.each([
  ['a memory table', memoryLegacy],
  ['Azurite', azureLegacy],
])('SharedStateStore on %s, reading rows it cannot date', (_name, createTable) => {
  it.each([
    ['throttled', 120_000],
    ['server-error', 10_000],
    ['auth', 300_000],
    ['circuit-open', 30_000],
  ] as const)("caps a window of reason %s without a write time at its longest bench (%d ms) from the reader's now", async (reason, capMs) => {
    const { table, writeLegacy } = createTable();
    await writeLegacy(KEY, NOW + 86_400_000, reason);
    const { clock, instance } = cluster(table);
    const right = instance('right', 0);
    await right.sync();
    expect(right.getWindow(KEY)).toEqual({ untilMs: NOW + capMs, reason });
    clock.now += 1000;
    await right.sync();
    expect(right.getWindow(KEY)?.untilMs).toBe(NOW + capMs); // not moved on by the next pull
  });

  it('caps a window whose written duration is longer than any bench', async () => {
    const { table } = createTable();
    const { instance } = cluster(table);
    const liar = instance('liar', 0);
    liar.openWindow(KEY, { untilMs: NOW + 86_400_000, reason: 'throttled' });
    await liar.sync();
    const right = instance('right', 0);
    await right.sync();
    expect(right.getWindow(KEY)?.untilMs).toBe(NOW + 120_000);
  });
});

describe.each([
  ['MemoryRowTable', (): RowTable => new MemoryRowTable()],
  ['AzureRowTable on Azurite', azureTable],
])('%s leases', (_name, createTable) => {
  it('is held by the first instance until it ends', async () => {
    const table = createTable();
    await table.ensureExists();
    expect(await claimLease(table, 'probe', 'a', NOW, NOW + 50_000)).toBe(true);
    expect(await claimLease(table, 'probe', 'b', NOW + 49_000, NOW + 99_000)).toBe(false);
    expect(await claimLease(table, 'probe', 'b', NOW + 50_000, NOW + 100_000)).toBe(true);
  });

  it("is taken over when it ends after the one the claimer would take itself (its holder's clock is ahead)", async () => {
    const table = createTable();
    await table.ensureExists();
    expect(await claimLease(table, 'probe', 'ahead', NOW + 90_000, NOW + 140_000)).toBe(true);
    expect(await claimLease(table, 'probe', 'right', NOW + 1000, NOW + 51_000)).toBe(true);
  });
});
