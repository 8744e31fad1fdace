import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { startTestAzurite } from '../support/azurite';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const KEY = 'shared-state-consumer-key-01';
let azurite: Azurite;
let ptu: SimulatedBackend;
let payg: SimulatedBackend;
let first: RouterProcess;
let second: RouterProcess;

beforeAll(async () => {
  azurite = await startTestAzurite();
  ptu = await startSimulatedBackend({ name: 'ptu', apiKey: 'ptu-key-0000000000' });
  payg = await startSimulatedBackend({ name: 'payg', apiKey: 'payg-key-000000000' });
  const env = {
    ROUTER_API_KEYS: `e2e:${KEY}`,
    AzureWebJobsStorage: azurite.connectionString,
    ROUTER_STATE_STORE: 'table',
    ROUTER_STATE_TABLE: `shared${Date.now()}`,
    ROUTER_STATE_SYNC_MS: '200',
    BACKEND_1_URL: ptu.url,
    BACKEND_1_NAME: 'ptu',
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: 'ptu-key-0000000000',
    BACKEND_2_URL: payg.url,
    BACKEND_2_NAME: 'payg',
    BACKEND_2_PRIORITY: '2',
    BACKEND_2_APIKEY: 'payg-key-000000000',
  };
  [first, second] = await Promise.all([startRouterProcess(env), startRouterProcess(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await Promise.all([ptu?.close(), payg?.close(), azurite?.stop()]);
});

const chat = (router: RouterProcess, model: string) =>
  fetch(`${router.url}/api/openai/deployments/${model}/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('two router instances sharing one Table Storage', () => {
  it('makes the second instance honour a 429 window the first one learned, within about a second', async () => {
    ptu.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '30' } }, 1);
    const learned = await chat(first, 'shared-a');
    expect(learned.headers.get('x-router-backend')).toBe('payg');
    const received = ptu.stats.received;
    await new Promise((r) => setTimeout(r, 1000));
    const res = await chat(second, 'shared-a');
    expect(res.headers.get('x-router-backend')).toBe('payg');
    expect(res.headers.get('x-router-attempts')).toBe('1');
    expect(ptu.stats.received).toBe(received); // the second instance never called the throttled PTU
  });

  it('keeps serving every request from memory while Table Storage is down', async () => {
    await azurite.stop();
    await expect.poll(() => first.output(), { timeout: 10_000 }).toMatch(/Table Storage unreachable/); // the outage is noticed
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await chat(first, 'outage')).status);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    const outageLines = first.output().match(/Table Storage unreachable/g) ?? [];
    expect(outageLines).toHaveLength(1);
  });
});
