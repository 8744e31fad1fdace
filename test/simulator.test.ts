import { request } from 'node:http';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  AzureOpenAI,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OpenAI,
  RateLimitError,
} from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_FILTER_TRIGGER, startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../src/local/simulator';

const API_KEY = 'sim-key';
const API_VERSION = '2024-10-21';
const DEPLOYMENT = 'gpt-4o';
const HELLO = [{ role: 'user' as const, content: 'Say hello' }];

function azureClient(backend: SimulatedBackend, options: { apiKey?: string; timeout?: number } = {}): AzureOpenAI {
  return new AzureOpenAI({
    endpoint: backend.url,
    apiKey: options.apiKey ?? API_KEY,
    apiVersion: API_VERSION,
    deployment: DEPLOYMENT,
    maxRetries: 0,
    timeout: options.timeout ?? 5_000,
  });
}

function v1Client(backend: SimulatedBackend): OpenAI {
  return new OpenAI({ baseURL: `${backend.url}/openai/v1`, apiKey: API_KEY, maxRetries: 0 });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/** Starts a backend for one test and closes it even when the test fails. */
async function withBackend(options: Partial<SimulatedBackendOptions>, body: (backend: SimulatedBackend) => Promise<void>): Promise<void> {
  const backend = await startSimulatedBackend({ name: 'scoped', apiKey: API_KEY, ...options });
  try {
    await body(backend);
  } finally {
    await backend.close();
  }
}

describe('startSimulatedBackend', () => {
  let backend: SimulatedBackend;

  beforeAll(async () => {
    backend = await startSimulatedBackend({ name: 'eus-1', apiKey: API_KEY, deployments: [DEPLOYMENT], region: 'West Europe' });
  });

  afterAll(async () => {
    await backend.close();
  });

  it('listens on 127.0.0.1 with no trailing slash in its url', () => {
    expect(backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(backend.name).toBe('eus-1');
  });

  it('answers a chat completion that the AzureOpenAI client parses, with Azure headers', async () => {
    const { data, response } = await azureClient(backend).chat.completions.create({ model: DEPLOYMENT, messages: HELLO, max_tokens: 5 }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.choices[0]?.message.content?.split(' ')).toHaveLength(5);
    expect(data.choices[0]?.finish_reason).toBe('length');
    expect(data.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 5, total_tokens: 11 });
    expect(response.headers.get('x-ms-region')).toBe('West Europe');
    expect(response.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('azureml-model-session')).toBeTruthy();
  });

  it('streams one chunk per token and sends usage in the final chunk when include_usage is set', async () => {
    const stream = await azureClient(backend).chat.completions.create({
      model: DEPLOYMENT,
      messages: HELLO,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices).toEqual([]);
    expect(chunks[0]).toHaveProperty('prompt_filter_results');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text.split(' ')).toHaveLength(16);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 16, total_tokens: 22 });
  });

  it('serves the v1 route to the OpenAI client, with model naming the deployment', async () => {
    const completion = await v1Client(backend).chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(backend.requests.at(-1)?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('returns one small unit embedding per input item, in base64 or floats', async () => {
    const client = azureClient(backend);
    const decoded = await client.embeddings.create({ model: DEPLOYMENT, input: ['one', 'two', 'three'] });
    expect(decoded.object).toBe('list');
    expect(decoded.data.map((item) => item.index)).toEqual([0, 1, 2]);
    expect(decoded.data[0]?.embedding).toHaveLength(8);
    const floats = await client.embeddings.create({ model: DEPLOYMENT, input: 'one', encoding_format: 'float' });
    const vector = floats.data[0]?.embedding ?? [];
    expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    expect(Array.from(decoded.data[0]?.embedding ?? [])).toEqual(vector.map((value) => Math.fround(value)));
    expect(floats.usage).toEqual({ prompt_tokens: 1, total_tokens: 1 });
  });

  it('answers legacy completions in the text_completion shape, streamed or not', async () => {
    const client = azureClient(backend);
    const completion = await client.completions.create({ model: DEPLOYMENT, prompt: 'Once', max_tokens: 3 });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]?.text).toBe('Lorem ipsum dolor');
    expect(completion.usage?.completion_tokens).toBe(3);
    const stream = await client.completions.create({ model: DEPLOYMENT, prompt: 'Once', max_tokens: 3, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('Lorem ipsum dolor');
  });

  it('refuses a wrong key with 401 and Azure wording', async () => {
    const error = await caught(azureClient(backend, { apiKey: 'wrong' }).chat.completions.create({ model: DEPLOYMENT, messages: HELLO }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain('invalid subscription key');
  });

  it('answers the content-filter 400 when a user message carries the trigger', async () => {
    const messages = [{ role: 'user' as const, content: `please ${CONTENT_FILTER_TRIGGER}` }];
    const error = await caught(azureClient(backend).chat.completions.create({ model: DEPLOYMENT, messages }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe('content_filter');
    expect((error as BadRequestError).error).toMatchObject({ innererror: { code: 'ResponsibleAIPolicyViolation' } });
  });

  it('answers 404 DeploymentNotFound for a deployment it does not serve', async () => {
    const error = await caught(v1Client(backend).chat.completions.create({ model: 'gpt-35', messages: HELLO }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('DeploymentNotFound');
  });

  it('answers missing api-version, unknown paths, wrong methods and bad JSON like Azure', async () => {
    const post = (path: string, body = '{}'): Promise<Response> => fetch(`${backend.url}${path}`, { method: 'POST', headers: { 'api-key': API_KEY }, body });
    const missing = await post(`/openai/deployments/${DEPLOYMENT}/chat/completions`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('api-version');
    const unknown = await post('/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
    expect((await fetch(`${backend.url}/openai/v1/chat/completions`)).status).toBe(405);
    const badJson = await post(`/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=${API_VERSION}`, '{nope');
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('content-type')).toBe('application/json');
  });

  it('lists models on both models routes for probes', async () => {
    const headers = { 'api-key': API_KEY };
    const azure = await fetch(`${backend.url}/openai/models?api-version=${API_VERSION}`, { headers });
    expect(azure.status).toBe(200);
    const models = await v1Client(backend).models.list();
    expect(models.data.length).toBeGreaterThan(0);
  });

  it('records every request and echoes x-ms-client-request-id', async () => {
    const { response } = await azureClient(backend)
      .chat.completions.create({ model: DEPLOYMENT, messages: HELLO }, { headers: { 'x-ms-client-request-id': 'abc-123' } })
      .withResponse();
    expect(response.headers.get('x-ms-client-request-id')).toBe('abc-123');
    const last = backend.requests.at(-1);
    expect(last).toMatchObject({ method: 'POST', path: `/openai/deployments/${DEPLOYMENT}/chat/completions` });
    expect(last?.query).toBe(`api-version=${API_VERSION}`);
    expect(JSON.parse(last?.body ?? '{}')).toMatchObject({ messages: HELLO });
  });
});

describe('startSimulatedBackend rate limits', () => {
  it('throttles over RPM with retry-after and retry-after-ms, and does not charge the refusal', async () => {
    let clock = 1_000_000;
    await withBackend({ rpm: 2, now: () => clock }, async (backend) => {
      const client = azureClient(backend);
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      clock += 10_000;
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      clock += 5_000;
      const error = await caught(client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO }));
      expect(error).toBeInstanceOf(RateLimitError);
      const headers = (error as RateLimitError).headers;
      expect(headers.get('retry-after-ms')).toBe('45000');
      expect(headers.get('retry-after')).toBe('45');
      expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect((error as RateLimitError).message).toContain(`API version ${API_VERSION} have exceeded call rate limit`);
      clock += 45_000;
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      expect(backend.stats).toMatchObject({ received: 4, served: 3, throttled: 1 });
    });
  });

  it('charges prompt + max_tokens on arrival and waits until enough tokens leave the window', async () => {
    let clock = 0;
    await withBackend({ tpm: 100, now: () => clock }, async (backend) => {
      const client = azureClient(backend);
      const ask = () => client.chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: '' }], max_tokens: 37 });
      const first = await ask().withResponse();
      expect(first.response.headers.get('x-ratelimit-remaining-tokens')).toBe('60');
      clock = 10_000;
      await ask();
      clock = 20_000;
      const error = await caught(ask());
      expect((error as RateLimitError).headers.get('retry-after-ms')).toBe('40000');
      expect((error as RateLimitError).message).toContain('exceeded token rate limit');
      clock = 60_000;
      await ask();
    });
  });

  it('scales the limits to a shorter rateWindowMs, like Azure enforcing RPM/6 per 10 s', async () => {
    let clock = 0;
    await withBackend({ rpm: 12, tpm: 600, rateWindowMs: 10_000, now: () => clock }, async (backend) => {
      const client = azureClient(backend);
      const ask = () => client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO, max_tokens: 10 }).withResponse();
      const first = await ask();
      expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('1'); // 12 per minute = 2 per 10 s
      expect(first.response.headers.get('x-ratelimit-remaining-tokens')).toBe('84'); // 600 per minute = 100 per 10 s; prompt 6 + max_tokens 10 charged
      clock = 4_000;
      await ask();
      clock = 6_000;
      const error = await caught(ask());
      expect((error as RateLimitError).headers.get('retry-after-ms')).toBe('4000');
      clock = 10_000;
      await ask();
      expect(backend.stats).toMatchObject({ served: 3, throttled: 1 });
    });
  });

  it('keeps a separate window per deployment, like Azure', async () => {
    await withBackend({ rpm: 1 }, async (backend) => {
      const client = v1Client(backend);
      await client.chat.completions.create({ model: 'a', messages: HELLO });
      await client.chat.completions.create({ model: 'b', messages: HELLO });
      expect(await caught(client.chat.completions.create({ model: 'a', messages: HELLO }))).toBeInstanceOf(RateLimitError);
    });
  });
});

describe('startSimulatedBackend faults', () => {
  it('answers a status fault for the next N requests, then serves again', async () => {
    await withBackend({}, async (backend) => {
      backend.setFault({ kind: 'status', status: 503 }, 2);
      const client = azureClient(backend);
      expect(await caught(client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO }))).toBeInstanceOf(InternalServerError);
      expect(await caught(client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO }))).toBeInstanceOf(InternalServerError);
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      expect(backend.stats).toMatchObject({ received: 3, served: 1, failed: 2 });
    });
  });

  it('sends a 429 fault with the headers it was given', async () => {
    await withBackend({}, async (backend) => {
      backend.setFault({ kind: 'status', status: 429, headers: { 'Retry-After': '7', 'retry-after-ms': '6500' } }, 1);
      const error = await caught(azureClient(backend).chat.completions.create({ model: DEPLOYMENT, messages: HELLO }));
      expect((error as RateLimitError).headers.get('retry-after')).toBe('7');
      expect((error as RateLimitError).headers.get('retry-after-ms')).toBe('6500');
      expect(backend.stats.throttled).toBe(1);
    });
  });

  it('drops a stream mid-way so the SDK stream throws after the first chunks', async () => {
    await withBackend({}, async (backend) => {
      backend.setFault({ kind: 'dropMidStream', afterChunks: 4 }, 1);
      const stream = await azureClient(backend).chat.completions.create({ model: DEPLOYMENT, messages: HELLO, stream: true });
      const received: string[] = [];
      const error = await caught(
        (async () => {
          for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
        })(),
      );
      expect(error).toBeInstanceOf(Error);
      expect(received.length).toBeGreaterThan(0);
      expect(received.length).toBeLessThanOrEqual(4);
      expect(backend.stats.failed).toBe(1);
    });
  });

  it('hangs until the client times out', async () => {
    await withBackend({}, async (backend) => {
      backend.setFault({ kind: 'hang' });
      const client = azureClient(backend, { timeout: 150 });
      const error = await caught(client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO }));
      expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    });
  });

  it('closes promptly even with a request still hanging', async () => {
    const backend = await startSimulatedBackend({ name: 'hanging' });
    backend.setFault({ kind: 'hang' });
    const outcome = new Promise<string>((resolve) => {
      const hanging = request(`${backend.url}/openai/v1/models`, (response) => resolve(`status ${response.statusCode}`));
      hanging.on('error', (error) => resolve(error.message));
      hanging.end();
    });
    await expect.poll(() => backend.stats.received).toBe(1);
    const started = Date.now();
    await backend.close();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await outcome).toMatch(/socket hang up|ECONNRESET/);
  });

  it('resets the connection without answering', async () => {
    await withBackend({}, async (backend) => {
      backend.setFault({ kind: 'reset' }, 1);
      const error = await caught(azureClient(backend).chat.completions.create({ model: DEPLOYMENT, messages: HELLO }));
      expect(error).toBeInstanceOf(APIConnectionError);
    });
  });

  it('delays the headers by the injected delay, and by the latency for successes', async () => {
    await withBackend({ latencyMs: 50 }, async (backend) => {
      backend.setFault({ kind: 'delay', ms: 100 }, 1);
      const client = azureClient(backend);
      let started = Date.now();
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      const delayed = Date.now() - started;
      expect(delayed).toBeGreaterThanOrEqual(145);
      backend.setLatency(0);
      started = Date.now();
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      // Relative, not absolute: on a loaded machine both calls carry the same overhead.
      expect(Date.now() - started).toBeLessThan(delayed - 75);
    });
  });

  it('paces stream chunks by chunkIntervalMs', async () => {
    await withBackend({ chunkIntervalMs: 10, completionTokens: 5 }, async (backend) => {
      const started = Date.now();
      const stream = await azureClient(backend).chat.completions.create({ model: DEPLOYMENT, messages: HELLO, stream: true });
      const arrivals: number[] = [];
      for await (const _chunk of stream) arrivals.push(Date.now() - started);
      // prompt-filter, role, 5 tokens, finish: 8 frames, 7 intervals apart.
      expect(arrivals).toHaveLength(8);
      expect(arrivals.at(-1)).toBeGreaterThanOrEqual(60);
    });
  });

  it('reset() clears requests, stats, limiter windows and faults', async () => {
    await withBackend({ rpm: 1 }, async (backend) => {
      const client = azureClient(backend);
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      backend.setFault({ kind: 'status', status: 500 });
      backend.reset();
      expect(backend.requests).toHaveLength(0);
      expect(backend.stats).toEqual({ received: 0, served: 0, throttled: 0, failed: 0, tokensServed: 0 });
      await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      expect(backend.stats.served).toBe(1);
    });
  });

  it('accepts Entra bearer tokens through acceptBearer', async () => {
    await withBackend({ acceptBearer: (token) => token === 'entra-token' }, async (backend) => {
      const client = new AzureOpenAI({
        endpoint: backend.url,
        apiVersion: API_VERSION,
        deployment: DEPLOYMENT,
        azureADTokenProvider: () => Promise.resolve('entra-token'),
        maxRetries: 0,
      });
      const completion = await client.chat.completions.create({ model: DEPLOYMENT, messages: HELLO });
      expect(completion.object).toBe('chat.completion');
    });
  });
});
