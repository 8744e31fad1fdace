import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { estimateChatPromptTokens, SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { startTestAzurite } from '../support/azurite';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

/**
 * Consumer token limits counted across two router instances through one Table Storage: what
 * one instance spent, the other refuses, without calling a backend.
 */
const MESSAGES = [{ role: 'user', content: 'hi' }];
const COMPLETION_TOKENS = 16; // the simulator's default answer length
const PER_REQUEST = estimateChatPromptTokens(MESSAGES) + COMPLETION_TOKENS;
const PER_MINUTE = 2 * PER_REQUEST + 1; // the third request still passes (checked before), the fourth is refused
const PER_DAY = PER_REQUEST + 1; // the second request passes, the third is refused
const ADMIN = 'quota-admin-key-000000000001';
const KEYS = { minute: 'quota-minute-consumer-key-01', daily: 'quota-daily-consumer-key-001', free: 'quota-free-consumer-key-0001' };

let azurite: Azurite;
let backend: SimulatedBackend;
let hostA: RouterProcess;
let hostB: RouterProcess;

beforeAll(async () => {
  azurite = await startTestAzurite();
  backend = await startSimulatedBackend({ name: 'ptu', apiKey: 'ptu-key-0000000000', completionTokens: COMPLETION_TOKENS });
  const env = {
    ROUTER_API_KEYS: `minute:${KEYS.minute},daily:${KEYS.daily},free:${KEYS.free}`,
    ROUTER_ADMIN_KEY: ADMIN,
    ROUTER_CONSUMER_LIMITS: `minute=${PER_MINUTE}`,
    ROUTER_CONSUMER_QUOTAS: `daily=${PER_DAY}/day`,
    AzureWebJobsStorage: azurite.connectionString,
    ROUTER_STATE_STORE: 'table',
    ROUTER_STATE_TABLE: `quotas${Date.now()}`,
    ROUTER_STATE_SYNC_MS: '200',
    BACKEND_1_URL: backend.url,
    BACKEND_1_NAME: 'ptu',
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: 'ptu-key-0000000000',
  };
  [hostA, hostB] = await Promise.all([startRouterProcess(env), startRouterProcess(env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([hostA?.stop(), hostB?.stop()]);
  await Promise.all([backend?.close(), azurite?.stop()]);
});

/**
 * Counting windows are UTC minutes (and days, which end on a minute boundary): a test that
 * straddled one would see its count reset. Start only with at least 20 s left in the minute.
 */
beforeEach(async () => {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await sleep(left + 100);
}, 30_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type ConsumerFigures = { name: string; tokensThisMinute: number | null; tokensToday: number | null };

/** Waits (without calling a backend) until host B's status shows what host A counted. */
async function untilHostBSees(consumer: string, figure: keyof ConsumerFigures, atLeast: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await fetch(`${hostB.url}/api/router/status`, { headers: { 'api-key': ADMIN } });
        const { consumers } = (await res.json()) as { consumers: ConsumerFigures[] };
        return consumers.find((c) => c.name === consumer)?.[figure] ?? 0;
      },
      { timeout: 10_000, interval: 100 },
    )
    .toBeGreaterThanOrEqual(atLeast);
}

async function chat(host: RouterProcess, key: string) {
  const res = await fetch(`${host.url}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: MESSAGES }),
  });
  const body = (await res.json()) as { usage?: { total_tokens: number }; error?: { code: string; message: string } };
  return { status: res.status, headers: res.headers, body };
}

describe('consumer token limits shared by two router instances', () => {
  it('answers 429 consumer_rate_limited on the second instance once the first spent the minute budget, without calling a backend', async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await chat(hostA, KEYS.minute);
      expect(ok.status).toBe(200);
      expect(ok.body.usage?.total_tokens).toBe(PER_REQUEST);
    }
    expect((await chat(hostA, KEYS.minute)).status).toBe(429);
    await untilHostBSees('minute', 'tokensThisMinute', PER_MINUTE);
    const received = backend.stats.received;
    const refused = await chat(hostB, KEYS.minute);
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('consumer_rate_limited');
    const retryAfterMs = Number(refused.headers.get('retry-after-ms'));
    const msToMinuteEnd = 60_000 - (Date.now() % 60_000);
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(Math.abs(retryAfterMs - msToMinuteEnd)).toBeLessThan(1000); // the rest of the UTC minute
    expect(Number(refused.headers.get('retry-after'))).toBe(Math.ceil(retryAfterMs / 1000));
    expect(backend.stats.received).toBe(received);
  });

  it('answers 403 consumer_quota_exceeded on the second instance once the first spent the daily quota, without calling a backend', async () => {
    expect((await chat(hostA, KEYS.daily)).status).toBe(200);
    expect((await chat(hostA, KEYS.daily)).status).toBe(200);
    await untilHostBSees('daily', 'tokensToday', PER_DAY);
    const received = backend.stats.received;
    const refused = await chat(hostB, KEYS.daily);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('consumer_quota_exceeded');
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(refused.body.error?.message).toContain(midnight.toISOString());
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(backend.stats.received).toBe(received);
  });

  it('keeps serving a consumer without limits on both instances', async () => {
    for (const host of [hostA, hostB, hostA, hostB]) expect((await chat(host, KEYS.free)).status).toBe(200);
  });
});
