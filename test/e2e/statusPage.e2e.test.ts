import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import type { RouterStatus } from '../../src/status/buildStatus';
import { startTestAzurite } from '../support/azurite';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

/**
 * GET /api/router/status through the local host: the JSON operators read (and what it must
 * never contain), then the HTML shell in a real browser (Debian's Chromium through
 * playwright-core), which asks for the admin key, renders the JSON and keeps itself fresh.
 * The browser part is skipped without /usr/bin/chromium; its screenshot is docs/status-page.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = 'status-page-admin-key-000000001';
const CONSUMER = 'status-page-consumer-key-00001';
const BATCH = 'status-page-batch-key-000000001';
// docs/status-page.png and docs/status-charts.png are rewritten only on request (UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
const UPDATE = process.env.UPDATE_SCREENSHOT === '1';
const shot = (name: string): string => (UPDATE ? resolve(__dirname, '..', '..', 'docs', `${name}.png`) : join(tmpdir(), `router-${name}-${process.pid}.png`));
const SCREENSHOT = shot('status-page');
const CHARTS_SCREENSHOT = shot('status-charts');
const BACKENDS = [
  { name: 'ptu-eastus', priority: 1, type: 'ptu', latencyMs: 35 },
  { name: 'payg-swedencentral', priority: 2, type: 'paygo', latencyMs: 60 },
  { name: 'payg-westus', priority: 2, type: 'paygo', latencyMs: 800 }, // slow enough to be demoted, usually
] as const;

let azurite: Azurite;
let simulators: SimulatedBackend[] = [];
let router: RouterProcess;
let profile: string | undefined;
const seen: string[] = []; // every status answer, for the secrets scan

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function chat(model: string, key = CONSUMER) {
  const res = await fetch(`${router.url}/api/openai/deployments/${model}/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.arrayBuffer();
  return res.headers.get('x-router-backend');
}

beforeAll(async () => {
  azurite = await startTestAzurite();
  simulators = await Promise.all(
    BACKENDS.map((b) => startSimulatedBackend({ name: b.name, apiKey: `${b.name}-key-00000000`, latencyMs: b.latencyMs, tpm: 120_000, rpm: 720 })),
  );
  const env: Record<string, string> = {
    ROUTER_API_KEYS: `ops-demo:${CONSUMER},batch-jobs:${BATCH}`,
    ROUTER_CONSUMER_LIMITS: 'ops-demo=20000,batch-jobs=8000',
    ROUTER_ADMIN_KEY: ADMIN,
    AzureWebJobsStorage: azurite.connectionString,
    ROUTER_STATE_STORE: 'table',
    ROUTER_STATE_TABLE: `page${Date.now()}`,
    ROUTER_STATE_SYNC_MS: '500',
    PROBE_SCHEDULE: '0 0 0 1 1 *', // probes only when asked (below), so the figures are this test's
  };
  BACKENDS.forEach((b, i) => {
    const n = i + 1;
    Object.assign(env, {
      [`BACKEND_${n}_URL`]: simulators[i]?.url,
      [`BACKEND_${n}_NAME`]: b.name,
      [`BACKEND_${n}_PRIORITY`]: String(b.priority),
      [`BACKEND_${n}_TYPE`]: b.type,
      [`BACKEND_${n}_APIKEY`]: `${b.name}-key-00000000`,
    });
  });
  router = await startRouterProcess(env);
  for (let i = 0; i < 4; i++) await chat('gpt-4o'); // warm: the first calls of a fresh process are slow
  await fetch(`${router.url}/admin/functions/probeBackends`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":""}' });
  await waitFor(async () => (await status({ 'api-key': ADMIN })).body.backends.every((b) => b.latency.some((l) => l.deployment === '*'))); // probed
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await Promise.all([...simulators.map((s) => s.close()), azurite?.stop()]);
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
});

async function status(headers: Record<string, string>) {
  const res = await fetch(`${router.url}/api/router/status`, { headers });
  const text = await res.text();
  seen.push(text);
  return { status: res.status, body: JSON.parse(text) as RouterStatus, headers: res.headers };
}

describe('the probe timer', () => {
  it('runs on POST /admin/functions/probeBackends (its schedule never fires here) and probes every backend', async () => {
    const { body } = await status({ 'api-key': ADMIN });
    expect(body.backends.map((b) => b.latency.some((l) => l.deployment === '*'))).toEqual(BACKENDS.map(() => true));
    expect(simulators.map((s) => s.requests.some((r) => r.method === 'GET' && r.path === '/openai/models'))).toEqual(BACKENDS.map(() => true));
  });
});

describe('the router status JSON', () => {
  it('shows each backend with its priority, window and reason after a 429, circuit, latency and remaining capacity', async () => {
    simulators[0]?.setFault({ kind: 'status', status: 429, headers: { 'retry-after-ms': '40000' } }, 1);
    expect(await chat('gpt-4o-mini')).toMatch(/^payg-/);
    const { status: code, body, headers } = await status({ 'api-key': ADMIN });
    expect(code).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    const byPriorityThenLatency = [...body.backends].sort((a, b) => a.effectivePriority - b.effectivePriority || (a.latencyMs ?? 0) - (b.latencyMs ?? 0));
    expect(body.order).toEqual(byPriorityThenLatency.map((b) => b.name));
    expect(body.order[0]).toBe('ptu-eastus');
    expect(body.backends.map((b) => [b.name, b.priority, b.type])).toEqual(BACKENDS.map((b) => [b.name, b.priority, b.type]));
    const ptu = body.backends[0];
    expect(ptu?.windows).toEqual([{ deployment: 'gpt-4o-mini', reason: 'throttled', until: expect.any(String), remainingMs: expect.any(Number) }]);
    expect(ptu?.windows[0]?.remainingMs).toBeGreaterThan(35_000);
    expect(ptu?.windows[0]?.remainingMs).toBeLessThanOrEqual(40_000);
    BACKENDS.forEach((configured, i) => {
      const b = body.backends[i];
      expect(b).toMatchObject({ circuit: { kind: 'closed' }, credential: { kind: 'apiKey', state: 'ok' } });
      const fastestPeer = Math.min(...body.backends.filter((p) => p.priority === configured.priority).map((p) => p.latencyMs ?? Infinity));
      const farSlower = (b?.latencyMs ?? 0) > 3 * fastestPeer && (b?.latencyMs ?? 0) - fastestPeer >= 200; // the default demotion policy
      expect(b).toMatchObject({ demoted: farSlower, effectivePriority: configured.priority + (farSlower ? 1 : 0) });
      expect(b?.latencyMs).toBeGreaterThanOrEqual(configured.latencyMs);
      expect(b?.latency).toContainEqual({ deployment: '*', ewmaMs: expect.any(Number), samples: 1, ageMs: expect.any(Number) }); // the probe
    });
    expect(ptu?.latency).toContainEqual(expect.objectContaining({ deployment: 'gpt-4o', samples: 4 })); // live traffic
    expect(ptu?.remaining).toContainEqual({ deployment: 'gpt-4o', tokens: expect.any(Number), requests: 720 - 4, ageMs: expect.any(Number) });
    expect(ptu?.remaining.find((r) => r.deployment === 'gpt-4o')?.tokens).toBeLessThan(120_000);
    expect(body.instance).toMatch(/^[\w-]+$/);
    expect(body.sharedState).toMatchObject({ store: 'table', lastSyncAt: expect.any(String) });
    expect(body.sharedState.dataAgeMs).toBeGreaterThanOrEqual(0);
    expect(body.sharedState.dataAgeMs).toBeLessThan(3000); // synced every 500 ms
  });

  it('refuses a consumer key with 403 and no key with 401', async () => {
    expect((await status({ 'api-key': CONSUMER })).status).toBe(403);
    expect((await status({ authorization: `Bearer ${CONSUMER}` })).status).toBe(403);
    expect((await status({})).status).toBe(401);
  });

  it('returns the history with ?history=15m: answers per backend, the 429 that moved on, the window and tokens per consumer', async () => {
    const res = await fetch(`${router.url}/api/router/status?history=15m`, { headers: { 'api-key': ADMIN } });
    const text = await res.text();
    seen.push(text);
    const { history } = JSON.parse(text) as RouterStatus;
    expect(history).toMatchObject({ bucketSeconds: 10, instances: 1 });
    expect(history?.allThrottled).toHaveLength(90);
    const sum = (values: readonly number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
    const of = (name: string) => history?.backends.find((b) => b.name === name);
    expect(sum(of('ptu-eastus')?.served)).toBeGreaterThanOrEqual(4);
    expect(sum(of('ptu-eastus')?.throttled)).toBeGreaterThanOrEqual(1);
    expect(sum(history?.backends.flatMap((b) => b.failedOver))).toBeGreaterThanOrEqual(1);
    expect(of('ptu-eastus')?.p50Ms.some((ms) => ms !== null && ms >= 10)).toBe(true);
    expect(history?.intervals).toContainEqual(expect.objectContaining({ backend: 'ptu-eastus', deployment: 'gpt-4o-mini', reason: 'throttled' }));
    expect(history?.consumers).toContainEqual(expect.objectContaining({ name: 'ops-demo', tokensPerMinuteLimit: 20_000 }));
    expect(sum(history?.consumers.find((c) => c.name === 'ops-demo')?.tokens)).toBeGreaterThan(0);
  });

  it('never contains a backend key, the admin key, a consumer key or a backend URL', () => {
    expect(seen.length).toBeGreaterThan(3);
    for (const text of seen) expectNoSecrets(text);
  });
});

function expectNoSecrets(text: string): void {
  const secrets = [ADMIN, CONSUMER, BATCH, ...BACKENDS.map((b) => `${b.name}-key`), ...simulators.map((s) => new URL(s.url).host)];
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/https?:\/\/|127\.0\.0\.1/);
}

describe.skipIf(!existsSync(CHROMIUM))('the router status page in headless Chromium', () => {
  it('asks for the admin key, renders every backend and refreshes itself within one poll', async () => {
    profile = mkdtempSync(join(tmpdir(), 'router-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 300 }, // the full-page screenshot grows to the content
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${router.url}/api/router/status`);
      await expect.poll(() => page.locator('#login').isVisible()).toBe(true);
      expect(await page.locator('#rows tr').count()).toBe(0); // the shell holds no data before the key

      await page.fill('#key', ADMIN);
      await page.click('#login button');
      await page.waitForSelector('#rows tr');
      const names = await page.locator('#rows tr td:first-child b').allTextContents();
      expect(names).toEqual(BACKENDS.map((b) => b.name));
      expect(await page.locator('#order').textContent()).toMatch(/^Effective order: ptu-eastus → /);
      expect(await page.locator('#rows').textContent()).toMatch(/\d+ ms/);
      expect(await page.locator('#meta').textContent()).toMatch(/instance \S+ .* state table \(synced \d+ s ago\)/);

      // A 429 after the page loaded: the next poll (every 5 s) shows the window.
      simulators[0]?.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '45' } }, 1);
      expect(await chat('gpt-4o')).not.toBe('ptu-eastus');
      const ptuRow = page.locator('#rows tr').first();
      await expect.poll(() => ptuRow.textContent(), { timeout: 12_000, interval: 250 }).toMatch(/gpt-4o: throttled, \d+ s left/);
      expect(await ptuRow.locator('.pill').first().textContent()).toMatch(/^\d benched$/);

      // Traffic from two consumers through every backend, the PTU throttled part of the time (a minute of it for the screenshot).
      const rounds = UPDATE ? 24 : 3;
      for (let round = 0; round < rounds; round++) {
        if (round % 8 === 4) simulators[0]?.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '12' } }, 1);
        await Promise.all([chat('gpt-4o'), chat('gpt-4o-mini', BATCH), chat('gpt-4o', BATCH)]);
        if (UPDATE) await sleep(2500);
      }
      await page.selectOption('#span', '5m');
      await expect.poll(() => page.locator('#charts').isVisible(), { timeout: 12_000 }).toBe(true);
      await expect.poll(() => page.locator('#charts-meta').textContent(), { timeout: 12_000 }).toMatch(/^Last 5 min in 10 s buckets, from 1 instance\.$/);
      for (const id of ['chart-traffic', 'chart-latency', 'chart-consumers']) expect(await page.locator(`#${id} canvas`).count()).toBe(1);
      // Each chart has painted its series (coloured pixels; axes and grid are grey), and the timeline its throttled bars.
      const painted = await page.evaluate<Record<string, { coloured: number; throttledBars: number }>>(PAINTED);
      for (const id of ['chart-traffic', 'chart-latency', 'chart-consumers', 'chart-timeline']) expect(painted[id]?.coloured, id).toBeGreaterThan(100);
      expect(painted['chart-timeline']?.throttledBars).toBeGreaterThan(50);
      expect(await page.locator('#chart-consumers').textContent()).toMatch(/batch-jobs limit/);

      // The rendered page shows figures and names only (the inline uPlot keeps its licence banner's project URL).
      const content = await page.content();
      expectNoSecrets(content.replace(/<script[^>]*>[\s\S]*?<\/script>/g, ''));
      for (const key of [ADMIN, CONSUMER, BATCH]) expect(content).not.toContain(key);
      expect(page.url()).toBe(`${router.url}/api/router/status`); // the key never lands in the URL
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      await page.locator('#charts').screenshot({ path: CHARTS_SCREENSHOT });
    } finally {
      await context.close();
    }
  }, 120_000);
});

/** In the page: per chart canvas, how many pixels are coloured (not grey, white or clear) and how many are the throttled bars' colour. */
const PAINTED = `(() => {
  const out = {};
  for (const canvas of document.querySelectorAll('#charts canvas')) {
    const id = canvas.closest('[id^="chart-"]')?.id ?? canvas.id;
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0, throttledBars = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) coloured++;
      if (d[i] === 212 && d[i + 1] === 167 && d[i + 2] === 44) throttledBars++;
    }
    out[id] = { coloured, throttledBars };
  }
  return out;
})()`;

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(100);
  }
}
