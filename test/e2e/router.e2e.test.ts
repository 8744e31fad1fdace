import { AzureOpenAI, OpenAI, APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const ROUTER_KEY = 'e2e-consumer-key-0123456789';
const API_VERSION = '2024-10-21';
let ptu: SimulatedBackend;
let payg: SimulatedBackend;
let router: RouterProcess;

beforeAll(async () => {
  ptu = await startSimulatedBackend({ name: 'ptu', apiKey: 'ptu-backend-key-000000' });
  payg = await startSimulatedBackend({ name: 'payg', apiKey: 'payg-backend-key-00000' });
  router = await startRouterProcess({
    ROUTER_API_KEYS: `e2e:${ROUTER_KEY}`,
    BACKEND_1_URL: ptu.url,
    BACKEND_1_NAME: 'ptu',
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: 'ptu-backend-key-000000',
    BACKEND_2_URL: payg.url,
    BACKEND_2_NAME: 'payg',
    BACKEND_2_PRIORITY: '2',
    BACKEND_2_APIKEY: 'payg-backend-key-00000',
    HTTP_TIMEOUT_SECONDS: '0.5',
    ROUTER_TIMEOUT_PER_OUTPUT_TOKEN_MS: '0', // the hang fault stands for a dead backend, not a long generation
    ROUTER_RETRY_AFTER_MIN_MS: '50',
    ROUTER_FAILURE_BENCH_SECONDS: '0.2',
  });
});

afterAll(async () => {
  await router?.stop();
  await Promise.all([ptu?.close(), payg?.close()]);
});

// Windows are per deployment: a fresh deployment name per test keeps one test's benches out of the next.
let model = 'gpt-4o';
let testNumber = 0;
beforeEach(() => {
  ptu.reset();
  payg.reset();
  model = `gpt-4o-t${++testNumber}`;
});

const azure = (maxRetries = 0) =>
  new AzureOpenAI({ endpoint: `${router.url}/api`, apiKey: ROUTER_KEY, apiVersion: API_VERSION, deployment: model, maxRetries });
const openai = (maxRetries = 0) => new OpenAI({ baseURL: `${router.url}/api/openai/v1`, apiKey: ROUTER_KEY, maxRetries });
const messages = [{ role: 'user' as const, content: 'Say hello' }];

describe('the router, driven by the official openai SDK', () => {
  it('answers AzureOpenAI chat completions from the priority-1 backend', async () => {
    const { data, response } = await azure().chat.completions.create({ model, messages }).withResponse();
    expect(data.choices[0]?.message.content).toBeTruthy();
    expect(response.headers.get('x-router-backend')).toBe('ptu');
    expect(response.headers.get('x-ms-region')).toBeTruthy();
  });

  it('answers the OpenAI client on the v1 route with model naming the deployment', async () => {
    const { data, response } = await openai().chat.completions.create({ model, messages }).withResponse();
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-router-backend')).toBe('ptu');
  });

  it('streams chat completions with usage through both clients', async () => {
    for (const client of [azure(), openai()]) {
      const stream = await client.chat.completions.create({ model, messages, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let usage = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        usage = chunk.usage?.total_tokens ?? usage;
      }
      expect(text.length).toBeGreaterThan(0);
      expect(usage).toBeGreaterThan(0);
    }
  });

  it('answers embeddings', async () => {
    const result = await azure().embeddings.create({ model, input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
  });

  it('fails over to priority 2 when priority 1 answers 429, within the same request', async () => {
    ptu.setFault({ kind: 'status', status: 429, headers: { 'retry-after-ms': '2000' } });
    const { response } = await azure().chat.completions.create({ model, messages }).withResponse();
    expect(response.headers.get('x-router-backend')).toBe('payg');
    expect(response.headers.get('x-router-attempts')).toBe('2');
    await azure().chat.completions.create({ model, messages });
    expect(ptu.stats.received).toBe(1); // benched for the 2 s it asked
  });

  it('answers 429 with retry-after-ms when all are throttled, and the SDK retry honours it', async () => {
    ptu.setFault({ kind: 'status', status: 429, headers: { 'retry-after-ms': '400' } }, 1);
    payg.setFault({ kind: 'status', status: 429, headers: { 'retry-after-ms': '300' } }, 1);
    const started = Date.now();
    const { response } = await azure(2).chat.completions.create({ model, messages }).withResponse();
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(ptu.stats.received + payg.stats.received).toBe(3);
  });

  it('fails over a stream before its first byte', async () => {
    ptu.setFault({ kind: 'status', status: 503 });
    const stream = await azure().chat.completions.create({ model, messages, stream: true }).withResponse();
    expect(stream.response.headers.get('x-router-backend')).toBe('payg');
    let chunks = 0;
    for await (const _ of stream.data) chunks++;
    expect(chunks).toBeGreaterThan(1);
  });

  it('ends a stream whose backend drops mid-way with an error the SDK raises', async () => {
    ptu.setFault({ kind: 'dropMidStream', afterChunks: 3 });
    const stream = await azure().chat.completions.create({ model, messages, stream: true });
    const consume = async () => {
      for await (const _ of stream) {
        /* drain */
      }
    };
    await expect(consume()).rejects.toThrow(/mid-stream/);
    expect(payg.stats.received).toBe(0);
  });

  it('fails over when a backend sends no headers within HTTP_TIMEOUT_SECONDS', async () => {
    ptu.setFault({ kind: 'hang' });
    const { response } = await azure().chat.completions.create({ model, messages }).withResponse();
    expect(response.headers.get('x-router-backend')).toBe('payg');
  });

  it('answers 504 when every backend times out', async () => {
    ptu.setFault({ kind: 'hang' });
    payg.setFault({ kind: 'hang' });
    const error = await azure()
      .chat.completions.create({ model, messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(504);
  });

  it('answers 502 without backend URLs when every backend fails', async () => {
    ptu.setFault({ kind: 'reset' });
    payg.setFault({ kind: 'status', status: 500 });
    const res = await fetch(`${router.url}/api/openai/deployments/${model}/chat/completions?api-version=${API_VERSION}`, {
      method: 'POST',
      headers: { 'api-key': ROUTER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(text).not.toContain('127.0.0.1');
    expect(JSON.parse(text).error.code).toBe('backend_error');
  });

  it('never lets the caller key reach a backend, and sends the backend its own key', async () => {
    await azure().chat.completions.create({ model, messages });
    await openai().chat.completions.create({ model, messages });
    const seen = JSON.stringify(ptu.requests.map((r) => r.headers));
    expect(seen).not.toContain(ROUTER_KEY);
    expect(ptu.requests.every((r) => r.headers['api-key'] === 'ptu-backend-key-000000')).toBe(true);
  });
});

describe('bad input through the router', () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${router.url}/api/${path}`, { method: 'POST', headers: { 'api-key': ROUTER_KEY, 'content-type': 'application/json', ...headers }, body });
  const chat = `openai/deployments/gpt-4o/chat/completions?api-version=${API_VERSION}`;

  it.each([
    ['invalid JSON', () => post(chat, '{"messages":'), 400, 'invalid_json'],
    [
      'a body over the limit',
      () => post(chat, JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] })),
      413,
      'request_too_large',
    ],
    ['a wrong method', () => fetch(`${router.url}/api/${chat}`, { headers: { 'api-key': ROUTER_KEY } }), 405, 'method_not_allowed'],
    ['an unknown route', () => post('openai/deployments/gpt-4o/images/generations', '{}'), 404, 'not_found'],
    ['a missing key', () => post(chat, '{}', { 'api-key': '' }), 401, 'invalid_api_key'],
    ['a bad deployment name', () => post('openai/deployments/gpt%204o/chat/completions', '{}'), 400, 'invalid_deployment_name'],
    ['a v1 request without model', () => post('openai/v1/chat/completions', JSON.stringify({ messages })), 400, 'missing_model'],
  ])('answers %s with an OpenAI-shaped error and calls no backend', async (_label, send, status, code) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code, type: expect.any(String), message: expect.any(String) });
    expect(ptu.stats.received + payg.stats.received).toBe(0);
  });

  it('answers health without auth or internals', async () => {
    const res = await fetch(`${router.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
