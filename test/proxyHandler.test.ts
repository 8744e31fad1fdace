import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../src/core/operations';
import { proxyHandler } from '../src/http/proxyHandler';
import { INTERRUPTED_EVENT } from '../src/router/relayStream';
import { reply, replyStream, transportFailure } from './support/FakeBackendClient';
import { backend, NOW } from './support/fixtures';
import { testRuntime, TestRuntime } from './support/runtime';

const KEY = 'test-consumer-key-0001';
const ptu = backend({ name: 'ptu', priority: 1 });
const payg = backend({ name: 'payg', priority: 2 });
const chatBody = { messages: [{ role: 'user', content: 'hi' }] };

function post(path: string, body: unknown, headers: Record<string, string> = { 'api-key': KEY }, method = 'POST') {
  const init = { method, url: `http://localhost:7071/api/${path}`, headers: { 'content-type': 'application/json', ...headers } };
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new HttpRequest(method === 'GET' ? init : { ...init, body: { string: text } });
}

async function call(runtime: TestRuntime, req: HttpRequest, api: 'deployments' | 'v1' = 'deployments') {
  const withParams =
    api === 'deployments'
      ? new HttpRequest({
          method: req.method,
          url: req.url,
          headers: Object.fromEntries(req.headers),
          body: { string: await req.clone().text() },
          params: { deployment: new URL(req.url).pathname.split('/')[4] ?? '' },
        })
      : req;
  const init = await proxyHandler(() => runtime, api, OPERATIONS.chat)(withParams, new InvocationContext());
  const res = new HttpResponse(init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const chatPath = 'openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';

describe('proxyHandler', () => {
  it('proxies to the highest-priority backend and names it in x-router-backend', async () => {
    const rt = testRuntime([payg, ptu], () => reply(200, { ok: true }, { 'x-ratelimit-remaining-tokens': '900', 'set-cookie': 'a=b' }));
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-router-backend')).toBe('ptu');
    expect(res.headers.get('x-router-attempts')).toBe('1');
    expect(res.headers.get('x-ratelimit-remaining-tokens')).toBe('900');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(JSON.parse(res.text)).toEqual({ ok: true });
  });

  it('forwards the body byte for byte with the backend key and never the caller key', async () => {
    const rt = testRuntime([ptu], () => reply(200));
    const raw = '{ "messages" : [ {"role":"user","content":"héllo"} ], "max_tokens": 5 }';
    await call(rt, post(chatPath, raw, { authorization: `Bearer ${KEY}`, cookie: 'session=1', 'x-forwarded-for': '1.2.3.4' }));
    const sent = rt.client.calls[0];
    expect(sent?.body?.toString()).toBe(raw);
    expect(sent?.headers['api-key']).toBe('key-of-ptu');
    expect(JSON.stringify(sent?.headers)).not.toContain(KEY);
    expect(sent?.headers).not.toHaveProperty('cookie');
    expect(sent?.headers).not.toHaveProperty('x-forwarded-for');
    expect(sent?.path).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
  });

  it('fails over at once on a 429 and keeps the throttled backend out of rotation as long as it asked', async () => {
    const rt = testRuntime([ptu, payg], (_req, origin) => (origin.includes('ptu') ? reply(429, {}, { 'retry-after-ms': '5000' }) : reply(200)));
    const first = await call(rt, post(chatPath, chatBody));
    expect(first.headers.get('x-router-backend')).toBe('payg');
    expect(first.headers.get('x-router-attempts')).toBe('2');
    rt.advance(4999);
    await call(rt, post(chatPath, chatBody));
    expect(rt.client.called).toEqual(['ptu', 'payg', 'payg']);
    rt.advance(1);
    await call(rt, post(chatPath, chatBody));
    expect(rt.client.called.at(-2)).toBe('ptu');
  });

  it('answers 429 with Retry-After from the soonest window when every backend is throttled', async () => {
    const rt = testRuntime([ptu, payg], (_req, origin) => reply(429, {}, { 'retry-after-ms': origin.includes('ptu') ? '7300' : '2100' }));
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after-ms')).toBe('2100');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(JSON.parse(res.text).error).toMatchObject({ code: 'all_backends_throttled', type: 'rate_limit_error' });
  });

  it('calls no backend when every one is known to be throttled', async () => {
    const rt = testRuntime([ptu, payg], () => reply(200));
    rt.state.openWindow('ptu/gpt-4o', { untilMs: NOW + 4000, reason: 'throttled' });
    rt.state.openWindow('payg/gpt-4o', { untilMs: NOW + 9000, reason: 'throttled' });
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after-ms')).toBe('4000');
    expect(rt.client.calls).toHaveLength(0);
  });

  it.each([
    ['5xx answers', () => reply(503), 502],
    ['connection errors', () => transportFailure('network'), 502],
    ['timeouts', () => transportFailure('timeout'), 504],
  ])('answers %s from every backend with %d and no backend URL', async (_label, script, status) => {
    const rt = testRuntime([ptu, payg], script);
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(status);
    expect(rt.client.calls).toHaveLength(2);
    expect(res.text).not.toContain('azure.com');
    expect(JSON.parse(res.text).error.type).toBe('server_error');
  });

  it('passes a content-filter 400 through unchanged, without retrying or benching', async () => {
    const filtered = { error: { code: 'content_filter', message: 'filtered', status: 400 } };
    const rt = testRuntime([ptu, payg], () => reply(400, filtered));
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual(filtered);
    expect(rt.client.calls).toHaveLength(1);
    expect(rt.state.windows().size).toBe(0);
  });

  it('stops after ROUTER_MAX_ATTEMPTS backends', async () => {
    const rt = testRuntime([ptu, payg, backend({ name: 'third', priority: 3 })], () => reply(500), { maxAttempts: 2 });
    expect((await call(rt, post(chatPath, chatBody))).status).toBe(502);
    expect(rt.client.calls).toHaveLength(2);
  });

  it('relays a stream and ends a mid-stream drop with an OpenAI-shaped error event', async () => {
    const rt = testRuntime([ptu, payg], () => replyStream(['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n'], 1));
    const res = await call(rt, post(chatPath, { ...chatBody, stream: true }));
    expect(res.status).toBe(200);
    expect(res.text).toBe(`data: {"a":1}\n\n${Buffer.from(INTERRUPTED_EVENT).toString()}`);
    expect(rt.client.calls).toHaveLength(1);
  });

  it.each([
    ['a missing key', {}, 401],
    ['a wrong key', { 'api-key': 'wrong-key-wrong-key' }, 401],
    ['a wrong bearer token', { authorization: 'Bearer nope-nope-nope-nope' }, 401],
  ])('rejects %s with %d before reading anything', async (_label, headers, status) => {
    const rt = testRuntime([ptu], () => reply(200));
    const res = await call(rt, post(chatPath, chatBody, headers));
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error.code).toBe('invalid_api_key');
    expect(rt.client.calls).toHaveLength(0);
  });

  it.each([
    ['a body that is not JSON', chatPath, '{nope', 400, 'invalid_json'],
    ['a JSON array body', chatPath, '[1]', 400, 'invalid_json'],
    ['a deployment name Azure would not allow', 'openai/deployments/..%2F..%2Fsecret/chat/completions', chatBody, 400, 'invalid_deployment_name'],
    ['a deployment no backend serves', 'openai/deployments/unknown/chat/completions', chatBody, 404, 'DeploymentNotFound'],
  ])('answers %s with an OpenAI-shaped error and forwards nothing', async (_label, path, body, status, code) => {
    const rt = testRuntime([backend({ name: 'ptu', deployments: new Map([['gpt-4o', 'gpt-4o']]) })], () => reply(200));
    const res = await call(rt, post(path, body));
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text).error.code).toBe(code);
    expect(rt.client.calls).toHaveLength(0);
  });

  it('refuses a body over ROUTER_MAX_BODY_BYTES with 413', async () => {
    const rt = testRuntime([ptu], () => reply(200), { maxBodyBytes: 2048 });
    const res = await call(rt, post(chatPath, { messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
    expect(res.status).toBe(413);
    expect(rt.client.calls).toHaveLength(0);
  });

  it('answers a wrong method with 405', async () => {
    const rt = testRuntime([ptu], () => reply(200));
    const res = await call(rt, post(chatPath, undefined, { 'api-key': KEY }, 'GET'));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('routes the v1 route by model and renames it only when DEPLOYMENTS maps it', async () => {
    const mapped = backend({ name: 'ptu', deployments: new Map([['chat', 'gpt-4o-prod']]) });
    const rt = testRuntime([mapped], () => reply(200));
    const res = await call(rt, post('openai/v1/chat/completions', { model: 'chat', ...chatBody }), 'v1');
    expect(res.status).toBe(200);
    expect(rt.client.calls[0]?.path).toBe('/openai/v1/chat/completions');
    expect(JSON.parse(rt.client.calls[0]?.body?.toString() ?? '')).toEqual({ model: 'gpt-4o-prod', ...chatBody });
  });

  it('answers 400 on the v1 route when model is missing', async () => {
    const rt = testRuntime([ptu], () => reply(200));
    const res = await call(rt, post('openai/v1/chat/completions', chatBody), 'v1');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('missing_model');
  });
});

describe('proxyHandler circuit breaker', () => {
  const shortBench = { throttle: { defaultMs: 10_000, floorMs: 1_000, preciseFloorMs: 100, capMs: 120_000, failureMs: 100, authFailureMs: 300_000 } };

  it('opens the failing deployment circuit after repeated failures and lets one trial through after the trip', async () => {
    let ptuHealthy = false;
    const rt = testRuntime([ptu, payg], (_req, origin) => (origin.includes('ptu') && !ptuHealthy ? reply(500) : reply(200)), shortBench);
    for (let i = 0; i < 3; i++) {
      await call(rt, post(chatPath, chatBody));
      rt.advance(200); // past the short failure bench, inside the circuit interval
    }
    expect(rt.state.getWindow('ptu/gpt-4o')?.reason).toBe('circuit-open');
    expect(rt.state.getWindow('ptu/*')).toBeUndefined();
    const before = rt.client.called.filter((n) => n === 'ptu').length;
    await call(rt, post(chatPath, chatBody));
    expect(rt.client.called.filter((n) => n === 'ptu').length).toBe(before); // open: skipped
    rt.advance(30_000);
    ptuHealthy = true;
    const trial = await call(rt, post(chatPath, chatBody));
    expect(trial.headers.get('x-router-backend')).toBe('ptu');
    expect(rt.router.breakers.state('ptu/gpt-4o').kind).toBe('closed');
  });

  it('keeps serving a healthy deployment on every backend after another deployment answered 503 five times', async () => {
    const rt = testRuntime([ptu, payg], (req) => (req.path.includes('/broken/') ? reply(503) : reply(200)), shortBench);
    for (let i = 0; i < 5; i++) {
      await call(rt, post('openai/deployments/broken/chat/completions?api-version=2024-10-21', chatBody));
      rt.advance(200);
    }
    const healthy = await call(rt, post(chatPath, chatBody));
    expect(healthy.status).toBe(200);
    expect(healthy.headers.get('x-router-backend')).toBe('ptu');
    expect(healthy.headers.get('x-router-attempts')).toBe('1');
  });

  it('opens no circuit for slow non-stream generations, so another consumer still reaches a healthy deployment', async () => {
    const rt = testRuntime([ptu, payg], (req) => (req.path.includes('/slow/') ? transportFailure('timeout') : reply(200)), shortBench);
    for (let i = 0; i < 5; i++) {
      const slow = await call(rt, post('openai/deployments/slow/chat/completions?api-version=2024-10-21', chatBody));
      expect(slow.status).toBe(504);
      rt.advance(200);
    }
    expect(rt.router.breakers.state('ptu/slow').kind).toBe('closed');
    expect(rt.router.breakers.state('ptu/*').kind).toBe('closed');
    const other = await call(rt, post(chatPath, chatBody));
    expect(other.headers.get('x-router-backend')).toBe('ptu');
    expect(other.headers.get('x-router-attempts')).toBe('1');
  });

  it('opens only the backend circuit on repeated connection errors', async () => {
    const rt = testRuntime([ptu, payg], (_req, origin) => (origin.includes('ptu') ? transportFailure('network') : reply(200)), shortBench);
    for (let i = 0; i < 3; i++) {
      await call(rt, post(chatPath, chatBody));
      rt.advance(200);
    }
    expect(rt.state.getWindow('ptu/*')?.reason).toBe('circuit-open');
  });
});

describe('proxyHandler with slow generations', () => {
  const three = [ptu, payg, backend({ name: 'spare', priority: 3 })];

  it('sends a request that timed out to at most ROUTER_TIMEOUT_RETRIES more backends, then answers 504', async () => {
    const rt = testRuntime(three, () => transportFailure('timeout'));
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(504);
    expect(rt.client.called).toEqual(['ptu', 'payg']);
    expect(res.headers.get('x-router-attempts')).toBe('2');
  });

  it('still fails over past every backend on 5xx answers', async () => {
    const rt = testRuntime(three, () => reply(500));
    await call(rt, post(chatPath, chatBody));
    expect(rt.client.called).toEqual(['ptu', 'payg', 'spare']);
  });

  it('gives a non-stream call a header budget that grows with the tokens it may generate', async () => {
    const rt = testRuntime([ptu], () => reply(200), { backendTimeoutMs: 30_000, timeoutPerOutputTokenMs: 20 });
    await call(rt, post(chatPath, { ...chatBody, max_tokens: 4000 }));
    await call(rt, post(chatPath, { ...chatBody, max_completion_tokens: 100 }));
    await call(rt, post(chatPath, chatBody));
    expect(rt.client.calls.map((c) => c.headersTimeoutMs)).toEqual([30_000 + 80_000, 30_000 + 2_000, 30_000 + 1024 * 20]);
  });

  it('keeps a stream to HTTP_TIMEOUT_SECONDS for its first event', async () => {
    const rt = testRuntime([ptu], () => replyStream(['data: [DONE]\n\n']), { backendTimeoutMs: 30_000 });
    await call(rt, post(chatPath, { ...chatBody, stream: true, max_tokens: 4000 }));
    expect(rt.client.calls[0]?.headersTimeoutMs).toBe(30_000);
  });
});

describe('proxyHandler when a backend rejects the router credential', () => {
  const rotating = (keys: string[]) => {
    let current = 0;
    let refreshes = 0;
    return {
      source: {
        authHeader: () => ({ name: 'api-key', value: keys[current] ?? '' }),
        refresh: async () => {
          refreshes++;
          current = Math.min(current + 1, keys.length - 1);
          return true;
        },
      },
      refreshes: () => refreshes,
    };
  };

  it('refreshes the credential once and retries the same backend with the new key', async () => {
    const creds = rotating(['old-key', 'new-key']);
    const rt = testRuntime([ptu, payg], (req) => (req.headers['api-key'] === 'new-key' ? reply(200) : reply(401)), {}, creds.source);
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-router-backend')).toBe('ptu');
    expect(creds.refreshes()).toBe(1);
    expect(rt.client.called).toEqual(['ptu', 'ptu']);
  });

  it('benches the backend for longer than a 429 window and fails over when the fresh key is refused too', async () => {
    const creds = rotating(['old-key', 'still-wrong']);
    const rt = testRuntime(
      [ptu, payg],
      (_req, origin) => (origin.includes('ptu') ? reply(403) : reply(200)),
      {},
      {
        authHeader: creds.source.authHeader,
        refresh: async (b) => (b.name === 'ptu' ? creds.source.refresh() : false),
      },
    );
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.headers.get('x-router-backend')).toBe('payg');
    expect(rt.state.getWindow('ptu/*')).toEqual({ untilMs: NOW + 300_000, reason: 'auth' });
  });
});

describe('proxyHandler consumer limits', () => {
  it('answers 429 with Retry-After and calls no backend once the consumer used its tokens this minute', async () => {
    const rt = testRuntime([ptu], () => reply(200), { consumerLimits: new Map([['team-a', { tokensPerMinute: 100, quota: undefined }]]) });
    rt.state.addUsage('team-a', 100, NOW);
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after-ms')).toBe('60000');
    expect(JSON.parse(res.text).error.code).toBe('consumer_rate_limited');
    expect(rt.client.calls).toHaveLength(0);
  });

  it('answers 403 once a daily quota is spent', async () => {
    const rt = testRuntime([ptu], () => reply(200), {
      consumerLimits: new Map([['team-a', { tokensPerMinute: undefined, quota: { tokens: 10, period: 'day' as const } }]]),
    });
    rt.state.addUsage('team-a', 10, NOW);
    const res = await call(rt, post(chatPath, chatBody));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error.code).toBe('consumer_quota_exceeded');
  });
});

describe('proxyHandler preemptive routing', () => {
  const exhausted = { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' };

  it('stops calling a deployment whose answer said it has nothing left, and calls it again when its own call leaves the window', async () => {
    const calls: string[] = [];
    const rt = testRuntime([ptu, payg], async (_req, origin) => {
      calls.push(origin.includes('ptu') ? 'ptu' : 'payg');
      return reply(200, {}, origin.includes('ptu') ? exhausted : {});
    });
    expect((await call(rt, post(chatPath, chatBody))).headers.get('x-router-backend')).toBe('ptu');
    expect((await call(rt, post(chatPath, chatBody))).headers.get('x-router-backend')).toBe('payg');
    rt.advance(10_000 + 10);
    expect((await call(rt, post(chatPath, chatBody))).headers.get('x-router-backend')).toBe('ptu');
    expect(calls).toEqual(['ptu', 'payg', 'ptu']);
  });

  it('answers 429 with a Retry-After and calls nobody when every deployment has nothing left', async () => {
    let calls = 0;
    const rt = testRuntime([ptu], async () => {
      calls++;
      return reply(200, {}, exhausted);
    });
    await call(rt, post(chatPath, chatBody));
    rt.advance(2000);
    const refused = await call(rt, post(chatPath, chatBody));
    expect(refused.status).toBe(429);
    // Back when the report is one 10 s window old (the first call's slot leaves it then too).
    expect(Number(refused.headers.get('retry-after-ms'))).toBe(8000);
    expect(calls).toBe(1);
  });

  it('counts a request in flight against the last reported capacity, so a concurrent one goes elsewhere', async () => {
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const atPtu = new Promise<void>((r) => (arrived = r));
    const rt = testRuntime([ptu, payg], async (_req, origin) => {
      if (origin.includes('ptu')) {
        arrived();
        await gate;
      }
      return reply(200, {}, { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' });
    });
    rt.state.recordRemaining('ptu/gpt-4o', { tokens: 10_000, requests: 1, atMs: NOW });
    const first = call(rt, post(chatPath, chatBody));
    await atPtu; // the first request is now waiting on the PTU
    const second = await call(rt, post(chatPath, chatBody));
    expect(second.headers.get('x-router-backend')).toBe('payg');
    expect(second.headers.get('x-router-attempts')).toBe('1');
    release();
    expect((await first).headers.get('x-router-backend')).toBe('ptu');
  });
});
