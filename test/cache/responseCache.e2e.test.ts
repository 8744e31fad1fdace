import { APIError, AzureOpenAI, OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const ALICE = 'alice-router-key-0123456789';
const BOB = 'bob-router-key-01234567890';
const BACKEND_KEY = 'cache-backend-key-000000';
let backend: SimulatedBackend;
let router: RouterProcess;

beforeAll(async () => {
  backend = await startSimulatedBackend({ name: 'sim', apiKey: BACKEND_KEY });
  router = await startRouterProcess({
    ROUTER_API_KEYS: `alice:${ALICE},bob:${BOB}`,
    BACKEND_1_URL: backend.url,
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: BACKEND_KEY,
    ROUTER_ID_SECRET: 'cache-e2e-id-secret-0123456789abcdef',
    ROUTER_ADMIN_KEY: 'cache-admin-key-0123456789',
    ROUTER_CACHE: 'semantic',
    ROUTER_SEMANTIC_CACHE_EMBEDDINGS: 'embed',
    ROUTER_SEMANTIC_CACHE_DIMENSIONS: '256',
    ROUTER_SEMANTIC_CACHE_THRESHOLD: '0.9',
  });
});

afterAll(async () => {
  await router?.stop();
  await backend?.close();
});

let question = 0;
/** A question no earlier test asked: every test starts from an empty cache for it. */
const fresh = (text = 'What is the capital of France') => `${text} (case${++question})`;
const openai = (key = ALICE) => new OpenAI({ baseURL: `${router.url}/api/openai/v1`, apiKey: key, maxRetries: 0 });
const azure = (deployment: string) => new AzureOpenAI({ endpoint: `${router.url}/api`, apiKey: ALICE, apiVersion: '2024-10-21', deployment, maxRetries: 0 });
/** Chat answers reaching the backend (embedding calls are counted apart). */
const chatCalls = () => backend.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.endsWith('/responses')).length;

async function chat(content: string, options: { key?: string; temperature?: number; headers?: Record<string, string>; model?: string } = {}) {
  const { data, response } = await openai(options.key)
    .chat.completions.create(
      {
        model: options.model ?? 'gpt-4o',
        messages: [{ role: 'user', content }],
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      },
      { headers: options.headers ?? {} },
    )
    .withResponse();
  return { data, cache: response.headers.get('x-router-cache'), attempts: response.headers.get('x-router-attempts') };
}

describe('the response cache, through a router process and the official openai SDK', () => {
  it('answers a repeated chat completion from the cache, with no backend call and the original usage', async () => {
    const content = fresh();
    const first = await chat(content);
    const callsAfterFirst = chatCalls();
    const second = await chat(content);
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.attempts).toBe('0');
    expect(chatCalls()).toBe(callsAfterFirst);
    expect(second.data).toEqual(first.data);
    expect(second.data.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('misses when a field that changes the answer differs, or the alias does', async () => {
    const content = fresh();
    await chat(content, { temperature: 0 });
    expect((await chat(content, { temperature: 1 })).cache).toBe('miss');
    expect((await chat(content, { temperature: 0, model: 'gpt-4o-mini' })).cache).toBe('miss');
    expect((await chat(content, { temperature: 0 })).cache).toBe('hit');
  });

  it('keeps consumers apart: another consumer never gets a cached answer of the first', async () => {
    const content = fresh();
    await chat(content, { key: ALICE });
    expect((await chat(content, { key: BOB })).cache).toBe('miss');
    expect((await chat(content, { key: ALICE })).cache).toBe('hit');
  });

  it('bypasses the cache on Cache-Control: no-store and no-cache, and no-cache refreshes the entry', async () => {
    const content = fresh();
    expect((await chat(content, { headers: { 'cache-control': 'no-store' } })).cache).toBe('bypass');
    expect((await chat(content)).cache).toBe('miss');
    const calls = chatCalls();
    expect((await chat(content, { headers: { 'cache-control': 'no-cache' } })).cache).toBe('bypass');
    expect(chatCalls()).toBe(calls + 1);
    expect((await chat(content)).cache).toBe('hit');
  });

  it('never caches an error', async () => {
    const content = fresh();
    // Every call fails while the fault is set: the embedding call the semantic lookup makes first, then the chat.
    backend.setFault({ kind: 'status', status: 400, body: { error: { code: 'invalid_prompt', message: 'no' } } });
    const error = await chat(content).catch((err: unknown) => err);
    backend.setFault(undefined);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).headers?.get('x-router-cache')).toBe('miss');
    expect((await chat(content)).cache).toBe('miss');
  });

  it('replays a stream as a well-formed SSE stream the SDK reads to the end, like the original', async () => {
    const content = fresh();
    const read = async () => {
      const { data: stream, response } = await azure('gpt-4o')
        .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true } })
        .withResponse();
      let text = '';
      let finish: string | null | undefined;
      let usage: number | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage?.total_tokens ?? usage;
      }
      return { text, finish, usage, cache: response.headers.get('x-router-cache') };
    };
    const first = await read();
    const calls = chatCalls();
    const second = await read();
    expect(first.cache).toBe('miss');
    expect(second).toEqual({ ...first, cache: 'hit' });
    expect(second.finish).toBe('stop');
    expect(chatCalls()).toBe(calls);
  });

  it('does not store a stream that was interrupted', async () => {
    const content = fresh();
    backend.setFault({ kind: 'dropMidStream', afterChunks: 3 });
    const stream = await openai().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream: true });
    const consume = async () => {
      for await (const chunk of stream) void chunk;
    };
    await expect(consume()).rejects.toThrow(/mid-stream/);
    backend.setFault(undefined);
    expect((await chat(content)).cache).toBe('miss');
  });

  it('caches Responses creates, and bypasses a request bound to a previous response', async () => {
    const input = fresh('Name three rivers');
    const create = () => openai().responses.create({ model: 'gpt-4o', input }).withResponse();
    const first = await create();
    const second = await create();
    expect(first.response.headers.get('x-router-cache')).toBe('miss');
    expect(second.response.headers.get('x-router-cache')).toBe('hit');
    expect(second.data.output_text).toBe(first.data.output_text);
    const chained = await openai().responses.create({ model: 'gpt-4o', input: 'and two more', previous_response_id: first.data.id }).withResponse();
    expect(chained.response.headers.get('x-router-cache')).toBe('bypass');
  });

  it('answers a paraphrase of a cached question from the cache (semantic)', async () => {
    const topic = `zorblat${++question}`;
    await chat(`What is the capital of ${topic}?`);
    const paraphrase = await chat(`what's the capital of ${topic}`);
    expect(paraphrase.cache).toBe('hit');
  });

  it('misses a different question, and the same question in a different context', async () => {
    const topic = `quendor${++question}`;
    await chat(`What is the capital of ${topic}?`);
    expect((await chat(`How do I bake sourdough bread in ${topic}?`)).cache).toBe('miss');
    const withSystem = await openai()
      .chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Answer as a pirate.' },
          { role: 'user', content: `What is the capital of ${topic}?` },
        ],
      })
      .withResponse();
    expect(withSystem.response.headers.get('x-router-cache')).toBe('miss');
  });

  it('counts hits, misses and tokens saved per consumer on the status page', async () => {
    const content = fresh();
    await chat(content, { key: BOB });
    await chat(content, { key: BOB });
    const status = (await (await fetch(`${router.url}/api/router/status`, { headers: { 'api-key': 'cache-admin-key-0123456789' } })).json()) as {
      responseCache: Record<string, { hits: number; misses: number; tokensSaved: number }>;
    };
    expect(status.responseCache.bob?.hits).toBeGreaterThanOrEqual(1);
    expect(status.responseCache.bob?.misses).toBeGreaterThanOrEqual(1);
    expect(status.responseCache.bob?.tokensSaved).toBeGreaterThan(0);
  });

  it('says nothing about the cache on routes it does not apply to', async () => {
    const { response } = await openai().embeddings.create({ model: 'embed', input: 'hello' }).withResponse();
    expect(response.headers.get('x-router-cache')).toBeNull();
  });
});
