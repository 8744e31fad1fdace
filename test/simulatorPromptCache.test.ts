import { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatedBackend, type SimulatedBackend } from '../src/local/simulator';
import { cachedPrefixTokens, PromptCache } from '../src/local/simulator/promptCache';

const API_KEY = 'sim-key';
/** 4 characters a token in the simulator: this system prompt alone is 1,100 tokens. */
const SYSTEM = 'You are a careful assistant. '.repeat(152).slice(0, 4400);
const conversation = (turns: string[]) => [{ role: 'system' as const, content: SYSTEM }, ...turns.map((content) => ({ role: 'user' as const, content }))];

let clock = 1_000_000;
let one: SimulatedBackend;
let other: SimulatedBackend;
beforeAll(async () => {
  one = await startSimulatedBackend({ name: 'one', apiKey: API_KEY, now: () => clock, promptCacheIdleMs: 60_000 });
  other = await startSimulatedBackend({ name: 'other', apiKey: API_KEY, now: () => clock });
});
afterAll(async () => Promise.all([one?.close(), other?.close()]));

const client = (backend: SimulatedBackend) => new OpenAI({ baseURL: `${backend.url}/openai/v1`, apiKey: API_KEY, maxRetries: 0 });
const cachedOf = async (backend: SimulatedBackend, messages: ReturnType<typeof conversation>, model = 'gpt-4o') =>
  (await client(backend).chat.completions.create({ model, messages })).usage?.prompt_tokens_details?.cached_tokens;

describe("the simulator's prompt cache, per resource like Azure's", () => {
  it('serves nothing from cache the first time, then the shared prefix from 1,024 tokens in 128-token steps', async () => {
    expect(await cachedOf(one, conversation(['first question']))).toBe(0);
    expect(await cachedOf(one, conversation(['first question', 'and a follow-up']))).toBe(1024);
  });

  it('grows the cached part with the conversation', async () => {
    const long = 'x'.repeat(2000); // 500 more tokens: 1,600 in all, cached up to 1,536 next time
    await cachedOf(one, conversation([long]));
    expect(await cachedOf(one, conversation([long, 'next']))).toBe(1536);
  });

  it('caches nothing for a prompt under 1,024 tokens', async () => {
    const short = [{ role: 'user' as const, content: 'short '.repeat(100) }];
    await cachedOf(one, short);
    expect(await cachedOf(one, short)).toBe(0);
  });

  it('keeps resources and deployments apart', async () => {
    const messages = conversation(['kept apart']);
    await cachedOf(one, messages);
    expect(await cachedOf(other, messages)).toBe(0);
    expect(await cachedOf(one, messages, 'gpt-4o-mini')).toBe(0);
  });

  it('forgets a prefix left idle past its expiry', async () => {
    const messages = conversation(['idle']);
    await cachedOf(one, messages);
    clock += 61_000;
    expect(await cachedOf(one, messages)).toBe(0);
  });

  it('reports cached tokens in the final usage of a stream', async () => {
    const messages = conversation(['streamed']);
    await cachedOf(one, messages);
    const stream = await client(one).chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    let cached: number | undefined;
    for await (const chunk of stream) cached = chunk.usage?.prompt_tokens_details?.cached_tokens ?? cached;
    expect(cached).toBe(1024);
  });

  it("reports the Responses API's cached input: a repeated prefix, and a continued context", async () => {
    const openai = client(one);
    const first = await openai.responses.create({ model: 'gpt-4o', instructions: SYSTEM, input: 'first' });
    expect(first.usage?.input_tokens_details.cached_tokens).toBe(0);
    const again = await openai.responses.create({ model: 'gpt-4o', instructions: SYSTEM, input: 'second' });
    expect(again.usage?.input_tokens_details.cached_tokens).toBe(1024);
    const next = await openai.responses.create({ model: 'gpt-4o', previous_response_id: again.id, input: 'third' });
    expect(next.usage?.input_tokens_details.cached_tokens).toBe(cachedPrefixTokens(again.usage?.total_tokens ?? 0));
  });
});

describe('PromptCache', () => {
  it('rounds a cached prefix down to a 128-token step from 1,024', () => {
    expect([1023, 1024, 1151, 1152, 2000].map(cachedPrefixTokens)).toEqual([0, 1024, 1024, 1152, 1920]);
  });

  it('never reports more than the prompt', () => {
    const cache = new PromptCache();
    const text = 'y'.repeat(4096);
    cache.serve('d', text, 1030, 0);
    expect(cache.serve('d', text, 1000, 1)).toBe(1000);
  });
});
