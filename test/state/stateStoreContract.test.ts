import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WindowCaps } from '../../src/core/windows';
import { Azurite } from '../../src/local/azurite';
import { AzureRowTable } from '../../src/state/AzureRowTable';
import { tableClient } from '../../src/state/createStateStore';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { SharedStateStore } from '../../src/state/SharedStateStore';
import { StateStore } from '../../src/state/StateStore';
import { startTestAzurite } from '../support/azurite';
import { MemoryRowTable } from '../../src/state/MemoryRowTable';

// Taken once Azurite is up: the table store drops windows already expired by the wall clock when it pulls.
let NOW = 0;
let azurite: Azurite;
let tableNumber = 0;

beforeAll(async () => {
  azurite = await startTestAzurite();
  NOW = Date.now();
}, 30_000);
afterAll(async () => azurite?.stop());

/** N views of one shared state, and a way to let them converge. */
interface Shared {
  views: StateStore[];
  converge: () => Promise<void>;
}

const memory = async (n: number): Promise<Shared> => {
  const store = new MemoryStateStore();
  return { views: Array.from({ length: n }, () => store), converge: async () => undefined };
};

const tableViews = (n: number): SharedStateStore[] => {
  const name = `contract${++tableNumber}t${Date.now()}`;
  return Array.from({ length: n }, (_, i) => {
    const azureTable = new AzureRowTable(tableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, name), 5000);
    return new SharedStateStore(azureTable, {
      instanceId: `instance-${i}`,
      syncIntervalMs: 60_000,
      now: Date.now,
      log: () => undefined,
      windowCaps: LONG_CAPS,
    });
  });
};

/** The contract is about sharing, not caps: benches here run longer than the default settings allow. */
const LONG_CAPS: WindowCaps = { throttled: 3600_000, 'server-error': 3600_000, timeout: 3600_000, network: 3600_000, auth: 3600_000, 'circuit-open': 3600_000 };

const memoryTable = async (n: number): Promise<Shared> => {
  const shared = new MemoryRowTable();
  const views = Array.from(
    { length: n },
    (_, i) => new SharedStateStore(shared, { instanceId: `instance-${i}`, syncIntervalMs: 60_000, now: Date.now, log: () => undefined, windowCaps: LONG_CAPS }),
  );
  return {
    views,
    converge: async () => {
      await Promise.all(views.map((v) => v.sync()));
      await Promise.all(views.map((v) => v.sync()));
    },
  };
};

const table = async (n: number): Promise<Shared> => {
  const views = tableViews(n);
  return {
    views,
    converge: async () => {
      await Promise.all(views.map((v) => v.sync())); // everyone pushes at once
      await Promise.all(views.map((v) => v.sync())); // then everyone pulls
    },
  };
};

describe.each([
  ['MemoryStateStore', memory],
  ['SharedStateStore on a memory table', memoryTable],
  ['SharedStateStore on Azurite', table],
])('%s', (_name, create) => {
  it('shows a window opened in one view in every view', async () => {
    const { views, converge } = await create(2);
    views[0]?.openWindow('ptu/gpt-4o', { untilMs: NOW + 60_000, reason: 'throttled' });
    await converge();
    expect(views[1]?.getWindow('ptu/gpt-4o')).toEqual({ untilMs: NOW + 60_000, reason: 'throttled' });
  });

  it('keeps the later expiry whichever view writes last', async () => {
    const { views, converge } = await create(2);
    views[0]?.openWindow('ptu/gpt-4o', { untilMs: NOW + 90_000, reason: 'throttled' });
    await converge();
    views[1]?.openWindow('ptu/gpt-4o', { untilMs: NOW + 30_000, reason: 'server-error' });
    await converge();
    for (const view of views) expect(view.getWindow('ptu/gpt-4o')).toEqual({ untilMs: NOW + 90_000, reason: 'throttled' });
  });

  it('loses nothing when many writers race on the same and on different keys', async () => {
    const { views, converge } = await create(6);
    views.forEach((view, i) => {
      view.openWindow('shared/gpt-4o', { untilMs: NOW + 10_000 * (i + 1), reason: 'throttled' });
      view.openWindow(`own-${i}/gpt-4o`, { untilMs: NOW + 50_000, reason: 'network' });
    });
    await converge();
    for (const view of views) {
      expect(view.getWindow('shared/gpt-4o')?.untilMs).toBe(NOW + 60_000);
      for (let i = 0; i < views.length; i++) expect(view.getWindow(`own-${i}/gpt-4o`)?.untilMs).toBe(NOW + 50_000);
    }
  });

  it('shares the newest remaining-capacity report', async () => {
    const { views, converge } = await create(2);
    views[0]?.recordRemaining('ptu/gpt-4o', { tokens: 500, requests: 3, atMs: NOW - 1000 });
    await converge();
    views[1]?.recordRemaining('ptu/gpt-4o', { tokens: 100, requests: 1, atMs: NOW });
    await converge();
    for (const view of views) expect(view.getRemaining('ptu/gpt-4o')).toEqual({ tokens: 100, requests: 1, atMs: NOW });
  });
});

describe('SharedStateStore with a stale ETag', () => {
  it('re-reads on 412, merges keeping the later expiry, and writes', async () => {
    const [a, b] = tableViews(2) as [SharedStateStore, SharedStateStore];
    a.openWindow('ptu/gpt-4o', { untilMs: NOW + 20_000, reason: 'throttled' });
    await a.sync();
    await b.sync(); // b now holds the row's ETag
    a.openWindow('ptu/gpt-4o', { untilMs: NOW + 40_000, reason: 'throttled' });
    await a.sync(); // the row changes: b's ETag is stale
    b.openWindow('ptu/gpt-4o', { untilMs: NOW + 70_000, reason: 'server-error' });
    await b.sync(); // 412 → re-read → merge → write
    await a.sync();
    for (const view of [a, b]) expect(view.getWindow('ptu/gpt-4o')).toEqual({ untilMs: NOW + 70_000, reason: 'server-error' });
  });

  it('never overwrites a later window with an earlier one', async () => {
    const [a, b] = tableViews(2) as [SharedStateStore, SharedStateStore];
    a.openWindow('ptu/gpt-4o', { untilMs: NOW + 80_000, reason: 'throttled' });
    await a.sync();
    b.openWindow('ptu/gpt-4o', { untilMs: NOW + 10_000, reason: 'timeout' }); // b has not pulled yet
    await b.sync();
    await a.sync();
    for (const view of [a, b]) expect(view.getWindow('ptu/gpt-4o')).toEqual({ untilMs: NOW + 80_000, reason: 'throttled' });
  });
});

describe('SharedStateStore when the table is unreachable', () => {
  it('keeps serving from memory and says so once per outage', async () => {
    const lines: string[] = [];
    const dead = new AzureRowTable(
      tableClient({ kind: 'connection-string', connectionString: azurite.connectionString.replace(`:${azurite.port}/`, ':1/') }, 'nowhere'),
      500,
    );
    const store = new SharedStateStore(dead, { instanceId: 'x', syncIntervalMs: 60_000, now: Date.now, log: (l) => lines.push(l) });
    store.openWindow('ptu/gpt-4o', { untilMs: NOW + 5000, reason: 'throttled' });
    await store.sync();
    await store.sync();
    expect(store.getWindow('ptu/gpt-4o')?.untilMs).toBe(NOW + 5000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Table Storage unreachable/);
  });
});
