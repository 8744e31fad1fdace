import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/core/operations';
import { Azurite } from '../../src/local/azurite';
import { proxyHandler } from '../../src/http/proxyHandler';
import { statusHandler } from '../../src/http/statusHandler';
import { AzureRowTable } from '../../src/state/AzureRowTable';
import { tableClient } from '../../src/state/createStateStore';
import { MemoryRowTable } from '../../src/state/MemoryRowTable';
import { RequestHistory } from '../../src/status/history';
import { HISTORY } from '../../src/status/historyRow';
import { HISTORY_ROW_KEEP_MS, HistoryShare } from '../../src/status/historyShare';
import { BUCKET_MS, HISTORY_BUCKETS } from '../../src/status/historyTypes';
import { HistoryView, historyView } from '../../src/status/historyView';
import { startTestAzurite } from '../support/azurite';
import { reply } from '../support/FakeBackendClient';
import { backend, NOW } from '../support/fixtures';
import { testRuntime } from '../support/runtime';

let azurite: Azurite;
let tables = 0;
beforeAll(async () => {
  azurite = await startTestAzurite();
}, 30_000);
afterAll(async () => {
  await azurite?.stop();
});

const azureTable = () =>
  new AzureRowTable(tableClient({ kind: 'connection-string', connectionString: azurite.connectionString }, `history${++tables}t${Date.now()}`), 5000);

function answer(backendName: string, deployment: string, consumer: string, latencyMs: number) {
  return {
    consumer,
    alias: deployment,
    backend: { name: backendName, priority: 1, weight: 1, type: undefined, origin: 'http://127.0.0.1:1', basePath: '' },
    deployment,
    status: 200,
    attempts: 1,
    backendLatencyMs: latencyMs,
    stream: false,
    usage: { promptTokens: 900, completionTokens: 300, totalTokens: 1200, cachedTokens: 256, estimated: false },
    spilledOver: false,
    utilizationPercent: undefined,
  };
}

/** An hour of steady traffic: every bucket, every backend × deployment × consumer answers, some 429s, windows every 5 min. */
function busyHour(history: RequestHistory, advance: (ms: number) => void) {
  const backends = ['ptu-eastus', 'payg-sweden', 'payg-westus'];
  for (let bucket = 0; bucket < HISTORY_BUCKETS; bucket++) {
    for (const [k, b] of backends.entries())
      for (const d of ['gpt-4o', 'gpt-4o-mini'])
        for (let c = 0; c < 5; c++) history.completed(answer(b, d, `consumer-${c}`, 40 + 300 * k + ((bucket * 37 + c * 11) % 900)));
    history.failover('ptu-eastus', 'throttled');
    if (bucket % 30 === 0) for (const d of ['gpt-4o', 'gpt-4o-mini']) history.benched('ptu-eastus', d, 'throttled', 20_000);
    if (bucket % 90 === 0) history.benched('payg-westus', '*', 'circuit-open', 30_000);
    advance(BUCKET_MS);
  }
}

describe('HistoryShare on Azurite', () => {
  it("merges every instance's row into each instance's view and counts the instances", async () => {
    let now = NOW;
    const table = azureTable();
    const one = new HistoryShare(new RequestHistory(() => now), table, { instanceId: 'one', now: () => now, log: () => undefined });
    const two = new HistoryShare(new RequestHistory(() => now), table, { instanceId: 'two', now: () => now, log: () => undefined });
    one.history.completed(answer('ptu', 'gpt-4o', 'team-a', 50));
    two.history.completed(answer('ptu', 'gpt-4o', 'team-b', 60));
    two.history.completed(answer('payg', 'gpt-4o', 'team-b', 300));
    await one.sync();
    await two.sync();
    await one.sync();
    now += 1000;
    for (const share of [one, two]) {
      const { snapshot, instances } = share.merged(60_000);
      expect(instances).toBe(2);
      expect(snapshot.backends.ptu?.served.at(-1)).toBe(2);
      expect(snapshot.backends.payg?.served.at(-1)).toBe(1);
      expect(Object.keys(snapshot.consumers).sort()).toEqual(['team-a', 'team-b']);
    }
  });

  it('leaves out and deletes the row of an instance gone for longer than HISTORY_ROW_KEEP_MS', async () => {
    let now = NOW;
    const table = azureTable();
    const gone = new HistoryShare(new RequestHistory(() => now), table, { instanceId: 'gone', now: () => now, log: () => undefined });
    gone.history.completed(answer('ptu', 'gpt-4o', 'team-a', 50));
    await gone.sync();
    now += HISTORY_ROW_KEEP_MS + 1;
    const live = new HistoryShare(new RequestHistory(() => now), table, { instanceId: 'live', now: () => now, log: () => undefined });
    await live.sync();
    expect(live.merged(60_000).instances).toBe(1);
    expect((await table.list(HISTORY)).map((r) => r.key)).toEqual(['live']);
  });

  it('stores a busy hour (3 backends × 2 deployments × 5 consumers) in one row and reads it back whole', async () => {
    let now = NOW;
    const history = new RequestHistory(() => now);
    busyHour(history, (ms) => (now += ms));
    const table = azureTable();
    const share = new HistoryShare(history, table, { instanceId: 'busy', now: () => now, log: () => undefined });
    await share.sync();
    const [row] = await table.list(HISTORY);
    expect(row?.value.snapshot).toEqual(history.snapshot());
    const rowChars = JSON.stringify(history.snapshot()).length;
    const view = JSON.stringify(historyView(share.merged(HISTORY_BUCKETS * BUCKET_MS).snapshot, 1, () => 60_000));
    console.log(`an hour of history, 3 backends × 2 deployments × 5 consumers: row ${rowChars} B of JSON, ?history=1h ${view.length} B`);
    expect(rowChars).toBeLessThan(64_000);
    expect(view.length).toBeLessThan(100_000);
  }, 20_000);
});

describe('HistoryShare without a table', () => {
  it("is this instance's history alone and its sync does nothing", async () => {
    const table = new MemoryRowTable();
    const alone = new HistoryShare(new RequestHistory(() => NOW), undefined, { instanceId: 'solo', now: () => NOW, log: () => undefined });
    alone.history.completed(answer('ptu', 'gpt-4o', 'team-a', 50));
    await alone.sync();
    expect(alone.merged(60_000).instances).toBe(1);
    expect(table.count(HISTORY)).toBe(0);
  });
});

describe('GET /api/router/status?history=', () => {
  const ADMIN = 'admin-key-0123456789abcdef';
  const CONSUMER = 'test-consumer-key-0001';
  const ptu = backend({ name: 'ptu', priority: 1, type: 'ptu' });
  const payg = backend({ name: 'payg', priority: 2, type: 'paygo' });

  function runtime() {
    let clock = (): number => NOW;
    const history = new RequestHistory(() => clock());
    const rt = testRuntime(
      [ptu, payg],
      (_req, origin) => (origin.includes('ptu') ? reply(429, {}, { 'retry-after-ms': '5000' }) : reply(200, {})),
      { adminKey: ADMIN },
      undefined,
      history.events,
    );
    clock = rt.now;
    return { ...rt, history: new HistoryShare(history, undefined, { instanceId: 'test', now: rt.now, log: () => undefined }) };
  }

  async function get(rt: ReturnType<typeof runtime>, query: string, headers: Record<string, string> = { 'api-key': ADMIN }) {
    const res = new HttpResponse(await statusHandler(() => rt)(new HttpRequest({ method: 'GET', url: `http://localhost/api/router/status${query}`, headers })));
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  it('returns the span asked for, with the 429 that failed over and the answer that followed it', async () => {
    const rt = runtime();
    const chat = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/openai/deployments/gpt-4o/chat/completions',
      headers: { 'api-key': CONSUMER },
      body: { string: '{"messages":[]}' },
      params: { deployment: 'gpt-4o' },
    });
    await proxyHandler(() => rt, 'deployments', OPERATIONS.chat)(chat, new InvocationContext());
    const res = await get(rt, '?history=15m');
    expect(res.status).toBe(200);
    const { history } = JSON.parse(res.text) as { history: HistoryView };
    expect(history).toMatchObject({ bucketSeconds: 10, instances: 1 });
    expect(history.allThrottled).toHaveLength(90);
    const byName = Object.fromEntries(history.backends.map((b) => [b.name, b]));
    expect(byName.ptu?.throttled.at(-1)).toBe(1);
    expect(byName.payg).toMatchObject({ served: expect.arrayContaining([1]), failedOver: expect.arrayContaining([1]) });
    expect(history.intervals).toContainEqual(expect.objectContaining({ backend: 'ptu', deployment: 'gpt-4o', reason: 'throttled' }));
  });

  it('leaves the history out unless asked and refuses a span it cannot read with an OpenAI-shaped 400', async () => {
    const rt = runtime();
    expect(JSON.parse((await get(rt, '')).text)).not.toHaveProperty('history');
    const bad = await get(rt, '?history=yesterday');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatchObject({ code: 'invalid_request_error', message: expect.stringContaining('15m') });
    expect((await get(rt, '?history=1h', {})).status).toBe(401); // the key is checked whatever the query
  });

  it('serves the page with uPlot inline and a CSP that allows its scripts by hash only', async () => {
    const page = await get(runtime(), '', { accept: 'text/html' });
    const csp = page.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(scriptSrc.split(' ').filter((s) => s.startsWith("'sha256-"))).toHaveLength(3);
    expect(page.text).toContain('https://github.com/leeoniya/uPlot');
    expect(page.text).not.toMatch(/<script[^>]+src=/);
  });
});
