import { describe, expect, it } from 'vitest';
import { CACHE_OFF, CacheSettings } from '../../src/cache/CacheSettings';
import { createResponseCache } from '../../src/cache/createResponseCache';
import { MemoryCacheStore } from '../../src/cache/MemoryCacheStore';
import { OPERATIONS } from '../../src/core/operations';
import { ownRequest } from '../../src/router/ownRequest';
import { ProxyRequest } from '../../src/router/types';
import { reply } from '../support/FakeBackendClient';
import { backend } from '../support/fixtures';
import { testRuntime } from '../support/runtime';

const ANSWER = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
};

function setup(settings: Partial<CacheSettings> = {}, answer: unknown = ANSWER) {
  const runtime = testRuntime([backend({ name: 'ptu' })], () => reply(200, answer));
  const store = new MemoryCacheStore();
  const logs: string[] = [];
  const handle = createResponseCache({ ...CACHE_OFF, mode: 'exact', ...settings }, runtime.config.state, {
    now: runtime.now,
    log: (line) => logs.push(line),
    route: (r) => runtime.router.route(r),
    store,
  });
  if (handle === undefined) throw new Error('cache is off');
  const ask = async (json: Record<string, unknown>, options: { consumer?: string; cacheControl?: string; alias?: string } = {}) => {
    const body = { messages: [{ role: 'user', content: 'capital of France?' }], ...json };
    const request = chatRequest(body, options.alias ?? 'gpt-4o', options.consumer ?? 'team-a');
    const answer = await handle.cache.route(request, options.cacheControl ?? null, () => runtime.router.route(request));
    // Stores complete in the background: let them land.
    await new Promise((resolve) => setImmediate(resolve));
    return answer.status;
  };
  return { runtime, store, logs, handle, ask };
}

/** A chat completion on the `deployments` shape, as parsing builds it. */
const chatRequest = (json: Record<string, unknown>, alias: string, consumer: string): ProxyRequest =>
  ownRequest({ api: 'deployments', operation: OPERATIONS.chat, alias, json, consumer, search: '?api-version=2024-10-21' });

describe('ResponseCache', () => {
  it.each([
    ['temperature', { temperature: 0.2 }, { temperature: 0.9 }],
    ['seed', { seed: 1 }, { seed: 2 }],
    ['tools', { tools: [{ type: 'function', function: { name: 'a' } }] }, { tools: [{ type: 'function', function: { name: 'b' } }] }],
    ['response_format', { response_format: { type: 'text' } }, { response_format: { type: 'json_object' } }],
    ['messages', { messages: [{ role: 'user', content: 'one' }] }, { messages: [{ role: 'user', content: 'two' }] }],
  ])('misses when %s differs, and hits when it is the same', async (_field, first, second) => {
    const { ask } = setup();
    expect(await ask(first)).toBe('miss');
    expect(await ask(second)).toBe('miss');
    expect(await ask(first)).toBe('hit');
  });

  it('ignores fields that do not change the answer, and the order of keys', async () => {
    const { ask, runtime } = setup();
    await ask({ temperature: 0, top_p: 1, user: 'u1' });
    expect(await ask({ top_p: 1, temperature: 0, user: 'u2', stream_options: { include_usage: true } })).toBe('hit');
    expect(runtime.client.calls).toHaveLength(1);
  });

  it('shares entries between consumers only with ROUTER_CACHE_SHARED', async () => {
    const own = setup();
    await own.ask({}, { consumer: 'a' });
    expect(await own.ask({}, { consumer: 'b' })).toBe('miss');
    const shared = setup({ shared: true });
    await shared.ask({}, { consumer: 'a' });
    expect(await shared.ask({}, { consumer: 'b' })).toBe('hit');
  });

  it('stops answering from an entry once its TTL passed', async () => {
    const { ask, runtime } = setup({ ttlMs: 60_000 });
    await ask({});
    runtime.advance(59_000);
    expect(await ask({})).toBe('hit');
    runtime.advance(2000);
    expect(await ask({})).toBe('miss');
  });

  it('bypasses aliases outside ROUTER_CACHE_ALIASES', async () => {
    const { ask } = setup({ aliases: new Set(['gpt-4o']) });
    expect(await ask({}, { alias: 'other' })).toBe('bypass');
    expect(await ask({}, { alias: 'gpt-4o' })).toBe('miss');
  });

  it('does not store a truncated answer', async () => {
    const truncated = { ...ANSWER, choices: [{ ...ANSWER.choices[0], finish_reason: 'length' }] };
    const { ask } = setup({}, truncated);
    await ask({});
    expect(await ask({})).toBe('miss');
  });

  it('serves answers as misses while the store is down, with one log line', async () => {
    const { ask, store, logs, runtime } = setup();
    await ask({});
    store.down = true;
    expect(await ask({})).toBe('miss');
    expect(await ask({})).toBe('miss');
    expect(runtime.client.calls).toHaveLength(3);
    expect(logs.filter((l) => l.includes('response cache read failing'))).toHaveLength(1);
  });

  it('treats a store slower than the lookup timeout as a miss', async () => {
    const { ask, store } = setup({ lookupTimeoutMs: 20 });
    await ask({});
    store.delayMs = 200;
    expect(await ask({})).toBe('miss');
  });

  it('learns entries another instance stored through the background sync', async () => {
    const one = setup();
    await one.ask({});
    // A second cache over the same store, as a second instance would be.
    const second = createResponseCache({ ...CACHE_OFF, mode: 'exact' }, one.runtime.config.state, {
      now: one.runtime.now,
      log: () => undefined,
      route: (r) => one.runtime.router.route(r),
      store: one.store,
    });
    expect(second).toBeDefined();
    await second?.sync.syncOnce();
    const request = chatRequest({ messages: [{ role: 'user', content: 'capital of France?' }] }, 'gpt-4o', 'team-a');
    const answer = await second?.cache.route(request, null, () => Promise.reject(new Error('a hit never routes')));
    expect(answer?.status).toBe('hit');
  });
});
