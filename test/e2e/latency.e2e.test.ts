import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const KEY = 'latency-consumer-key-000001';
const ADMIN = 'latency-admin-key-00000001';
let fast: SimulatedBackend;
let slow: SimulatedBackend;
let spill: SimulatedBackend;
let router: RouterProcess;

beforeAll(async () => {
  fast = await startSimulatedBackend({ name: 'fast', apiKey: 'fast-key-00000000', latencyMs: 10 });
  slow = await startSimulatedBackend({ name: 'slow', apiKey: 'slow-key-00000000', latencyMs: 60 });
  spill = await startSimulatedBackend({ name: 'spill', apiKey: 'spill-key-0000000', latencyMs: 5 });
  router = await startRouterProcess({
    ROUTER_API_KEYS: `e2e:${KEY}`,
    ROUTER_ADMIN_KEY: ADMIN,
    BACKEND_1_URL: fast.url,
    BACKEND_1_NAME: 'fast',
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: 'fast-key-00000000',
    BACKEND_2_URL: slow.url,
    BACKEND_2_NAME: 'slow',
    BACKEND_2_PRIORITY: '1',
    BACKEND_2_APIKEY: 'slow-key-00000000',
    BACKEND_3_URL: spill.url,
    BACKEND_3_NAME: 'spill',
    BACKEND_3_PRIORITY: '2',
    BACKEND_3_APIKEY: 'spill-key-0000000',
    PROBE_SCHEDULE: '*/1 * * * * *',
    PROBE_DEPLOYMENT: 'gpt-4o',
    ROUTER_LATENCY_DEMOTE_MIN_MS: '100',
  });
}, 30_000);

afterAll(async () => {
  await router?.stop();
  await Promise.all([fast?.close(), slow?.close(), spill?.close()]);
});

const chat = () =>
  fetch(`${router.url}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  }).then(async (res) => (await res.text(), res.headers.get('x-router-backend')));

const status = async () => {
  const res = await fetch(`${router.url}/api/router/status`, { headers: { 'api-key': ADMIN } });
  return (await res.json()) as { backends: { name: string; demoted: boolean; latencyMs: number | null }[] };
};
const demoted = async (name: string) => (await status()).backends.find((b) => b.name === name)?.demoted;
const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await check()) return true;
  return false;
};

describe('latency-aware ordering through the local host', () => {
  it('runs the probe timer on its schedule', async () => {
    const before = fast.stats.received;
    await expect.poll(() => fast.stats.received - before, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
  });

  it('sends most of a priority to its faster backend while the lower priority stays idle', async () => {
    for (let i = 0; i < 10; i++) await chat(); // learn
    const picks: (string | null)[] = [];
    for (let i = 0; i < 60; i++) picks.push(await chat());
    const share = (name: string) => picks.filter((p) => p === name).length / picks.length;
    expect(share('fast')).toBeGreaterThan(0.75);
    expect(share('spill')).toBe(0);
  });

  it('demotes a backend that turns far slower and brings it back once it recovers', async () => {
    slow.setLatency(400);
    expect(await until(async () => (await demoted('slow')) === true, 15_000)).toBe(true);
    slow.setLatency(10);
    expect(await until(async () => (await demoted('slow')) === false, 20_000)).toBe(true);
  }, 45_000);
});
