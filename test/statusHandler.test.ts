import { HttpRequest, HttpResponse } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/core/operations';
import { statusHandler } from '../src/http/statusHandler';
import { proxyHandler } from '../src/http/proxyHandler';
import { InvocationContext } from '@azure/functions';
import { reply } from './support/FakeBackendClient';
import { backend, NOW } from './support/fixtures';
import { testRuntime } from './support/runtime';
import { BackendTally } from '../src/status/BackendTally';

const ADMIN = 'admin-key-0123456789abcdef';
const CONSUMER = 'test-consumer-key-0001';
const ptu = backend({ name: 'ptu', priority: 1, type: 'ptu' });
const payg = backend({ name: 'payg', priority: 2, type: 'paygo' });

function runtimeWithTraffic() {
  const rt = testRuntime(
    [ptu, payg],
    (_req, origin) =>
      origin.includes('ptu')
        ? reply(429, {}, { 'retry-after-ms': '5000', 'x-ratelimit-remaining-tokens': '0' })
        : reply(200, {}, { 'x-ratelimit-remaining-tokens': '4200', 'x-ratelimit-remaining-requests': '9' }),
    { adminKey: ADMIN },
  );
  return rt;
}

async function status(rt: ReturnType<typeof testRuntime>, headers: Record<string, string>) {
  const res = new HttpResponse(await statusHandler(() => rt)(new HttpRequest({ method: 'GET', url: 'http://localhost/api/router/status', headers })));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('statusHandler', () => {
  it('shows each backend with its window, remaining capacity and circuit to the admin key', async () => {
    const rt = runtimeWithTraffic();
    const req = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/openai/deployments/gpt-4o/chat/completions',
      headers: { 'api-key': CONSUMER },
      body: { string: '{"messages":[]}' },
      params: { deployment: 'gpt-4o' },
    });
    await proxyHandler(() => rt, 'deployments', OPERATIONS.chat)(req, new InvocationContext());
    const res = await status(rt, { 'api-key': ADMIN });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.order).toEqual(['ptu', 'payg']);
    const [ptuStatus, paygStatus] = body.backends;
    expect(ptuStatus).toMatchObject({ name: 'ptu', priority: 1, type: 'ptu', circuit: { kind: 'closed' }, credential: { kind: 'apiKey', state: 'ok' } });
    expect(ptuStatus.windows).toEqual([
      { deployment: 'gpt-4o', reason: 'throttled', until: new Date(NOW + 5000).toISOString(), remainingMs: expect.any(Number) },
    ]);
    expect(paygStatus.remaining).toEqual([{ deployment: 'gpt-4o', tokens: 4200, requests: 9, ageMs: expect.any(Number) }]);
  });

  it('accepts the admin key as a Bearer token', async () => {
    expect((await status(runtimeWithTraffic(), { authorization: `Bearer ${ADMIN}` })).status).toBe(200);
  });

  it.each([
    ['no key with 401', {}, 401],
    ['a wrong key with 401', { 'api-key': 'nope-nope-nope-nope' }, 401],
    ['a consumer key with 403', { 'api-key': CONSUMER }, 403],
  ])('refuses %s', async (_label, headers, code) => {
    expect((await status(runtimeWithTraffic(), headers)).status).toBe(code);
  });

  it('never shows a backend URL or key', async () => {
    const res = await status(runtimeWithTraffic(), { 'api-key': ADMIN });
    expect(res.text).not.toMatch(/azure\.com|key-of-|https?:/);
  });

  it('serves a data-free HTML shell to browsers, which fetches the JSON with the admin key itself', async () => {
    const res = await status(runtimeWithTraffic(), { accept: 'text/html' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    // The page's code (uPlot's "capture", say) may hold any word: no backend name, URL or figure outside it.
    const withoutCode = res.text.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
    expect(withoutCode).not.toContain('ptu');
    expect(res.text).not.toMatch(/ptu\.openai|"ptu"|'ptu'/);
  });
});

describe('statusHandler consumers', () => {
  it('shows each consumer with the tokens it used this minute against its limit', async () => {
    const rt = testRuntime([ptu], () => reply(200), { adminKey: ADMIN, consumerLimits: new Map([['team-a', { tokensPerMinute: 1000, quota: undefined }]]) });
    rt.state.addUsage('team-a', 120, NOW);
    const body = JSON.parse((await status(rt, { 'api-key': ADMIN })).text);
    expect(body.consumers).toEqual([
      { name: 'team-a', tokensThisMinute: 120, tokensToday: 120, tokensThisMonth: 120, tokensPerMinuteLimit: 1000, quota: null },
    ]);
  });
});

describe('statusHandler with many deployment names', () => {
  it('shows at most 20 windows, figures and reports per backend, the most telling first, and counts the rest', async () => {
    const rt = testRuntime([ptu, payg], () => reply(200), { adminKey: ADMIN });
    rt.state.openWindow('ptu/*', { untilMs: NOW + 1000, reason: 'network' });
    rt.state.recordLatency('ptu/*', 30, NOW - 60_000); // the probe's figure
    for (let i = 0; i < 500; i++) {
      rt.state.openWindow(`ptu/rand-${i}`, { untilMs: NOW + 2000 + i, reason: 'server-error' });
      rt.state.recordRemaining(`ptu/rand-${i}`, { tokens: i, requests: 1, atMs: NOW - 5000 + i });
      rt.state.recordLatency(`ptu/rand-${i}`, 40, NOW - 5000 + i);
    }
    const res = await status(rt, { 'api-key': ADMIN });
    const [ptuStatus, paygStatus] = JSON.parse(res.text).backends;
    expect(ptuStatus.windows).toHaveLength(20);
    expect(ptuStatus.windows[0]).toMatchObject({ deployment: '*', reason: 'network' }); // the whole backend's bench first
    expect(ptuStatus.windows[1]).toMatchObject({ deployment: 'rand-499' }); // then the longest
    expect(ptuStatus.latency).toHaveLength(20);
    expect(ptuStatus.latency[0]).toMatchObject({ deployment: '*' }); // the whole backend's first
    expect(ptuStatus.latency[1]).toMatchObject({ deployment: 'rand-499' }); // then the freshest
    expect(ptuStatus.remaining).toHaveLength(20);
    expect(ptuStatus.remaining[0]).toMatchObject({ deployment: 'rand-499', tokens: 499 });
    expect(ptuStatus.omitted).toEqual({ windows: 481, latency: 481, remaining: 480 });
    expect(paygStatus.omitted).toEqual({ windows: 0, latency: 0, remaining: 0 });
    expect(res.text.length).toBeLessThan(20_000);
  });
});

describe('statusHandler served counts', () => {
  it('shows each backend its served answers, cached share of prompt tokens, spilled answers and PTU utilization', async () => {
    const tally = new BackendTally();
    const usage = { prompt_tokens: 2000, completion_tokens: 10, total_tokens: 2010, prompt_tokens_details: { cached_tokens: 1536 } };
    const answer = () => reply(200, { choices: [], usage }, { 'x-ms-spillover-from-gpt-4o-ptu': 'true', 'azure-openai-deployment-utilization': '93%' });
    const base = testRuntime([ptu], answer, { adminKey: ADMIN }, undefined, tally.events);
    const rt = { ...base, tally };
    const req = () =>
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/openai/deployments/gpt-4o/chat/completions',
        headers: { 'api-key': CONSUMER },
        body: { string: '{"messages":[]}' },
        params: { deployment: 'gpt-4o' },
      });
    for (let i = 0; i < 2; i++) await proxyHandler(() => rt, 'deployments', OPERATIONS.chat)(req(), new InvocationContext());
    const body = JSON.parse((await status(rt, { 'api-key': ADMIN })).text);
    expect(body.backends[0].served).toEqual({ served: 2, promptTokens: 4000, cachedTokens: 3072, cachedShare: 0.768, spilledOver: 2, utilizationPercent: 93 });
  });
});
