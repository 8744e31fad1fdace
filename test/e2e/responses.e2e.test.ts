import { AzureOpenAI, NotFoundError, OpenAI, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../src/local/simulator';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';
import { startTwoEqualBackends, TwoEqualBackends } from '../support/twoEqualBackends';

const FIRST_KEY = 'e2e-responses-first-key-0123456789';
const SECOND_KEY = 'e2e-responses-second-key-012345678';
const ID_SECRET = 'e2e-router-id-secret-0123456789abcdef';
const RAW_SIMULATOR_ID = /^(resp|conv|msg|rs)_[0-9a-f]{48}$/;
let east: SimulatedBackend;
let west: SimulatedBackend;
let router: RouterProcess;
let twin: RouterProcess;
let backends: TwoEqualBackends;

beforeAll(async () => {
  // A 2 ms pace between generated tokens keeps a long background response running long enough to cancel.
  backends = await startTwoEqualBackends({ chunkIntervalMs: 2 });
  ({ east, west } = backends);
  // Two backends of one priority and equal weight: only affinity keeps a chain on the backend that holds it.
  const env = { ROUTER_API_KEYS: `first:${FIRST_KEY},second:${SECOND_KEY}`, ROUTER_ID_SECRET: ID_SECRET, ...backends.env, ROUTER_RETRY_AFTER_MIN_MS: '50' };
  [router, twin] = await Promise.all([startRouterProcess(env), startRouterProcess(env)]);
}, 40_000);

afterAll(async () => {
  await Promise.all([router?.stop(), twin?.stop()]);
  await backends?.close();
});

let model = 'gpt-4o';
let testNumber = 0;
beforeEach(() => {
  east.reset();
  west.reset();
  model = `gpt-4o-r${++testNumber}`;
});

const openai = (key = FIRST_KEY, base = router.url) => new OpenAI({ baseURL: `${base}/api/openai/v1`, apiKey: key, maxRetries: 0 });
const received = () => east.stats.received + west.stats.received;
/** Which backend answered, from the requests each simulator recorded since the last reset. */
const servedBy = (from: { east: number; west: number }) => (east.requests.length > from.east ? 'east' : west.requests.length > from.west ? 'west' : 'none');
const counts = () => ({ east: east.requests.length, west: west.requests.length });

describe('the Responses API through the official openai SDK', () => {
  it('creates a response and hands out a sealed id, not the backend’s own', async () => {
    const { data, response } = await openai().responses.create({ model, input: 'Say hello' }).withResponse();
    expect(data.output_text.length).toBeGreaterThan(0);
    expect(data.id).toMatch(/^resp_/);
    expect(data.id).not.toMatch(RAW_SIMULATOR_ID);
    expect(['east', 'west']).toContain(response.headers.get('x-router-backend'));
  });

  it('streams created, output_text deltas and completed, each carrying the sealed id', async () => {
    const stream = await openai().responses.create({ model, input: 'Say hello', stream: true });
    const types: string[] = [];
    const ids = new Set<string>();
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.created' || event.type === 'response.completed') ids.add(event.response.id);
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(text.length).toBeGreaterThan(0);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).not.toMatch(RAW_SIMULATOR_ID);
    expect(east.holds(id ?? '') || west.holds(id ?? '')).toBe(false);
    const stored = await openai().responses.retrieve(id ?? '');
    expect(stored.output_text).toBe(text);
  });

  it('retrieves, lists the input items of, and deletes a stored response on the backend that holds it', async () => {
    const created = await openai().responses.create({ model, input: 'Remember the word teal' });
    const before = counts();
    const stored = await openai().responses.retrieve(created.id);
    expect(stored.id).toBe(created.id);
    const holder = servedBy(before);
    const items = await openai().responses.inputItems.list(created.id);
    expect(items.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(items.data)).toContain('teal');
    await openai().responses.delete(created.id);
    await expect(openai().responses.retrieve(created.id)).rejects.toBeInstanceOf(NotFoundError);
    // Every follow-up went to the one holder, none to the other backend.
    const other = holder === 'east' ? west : east;
    expect(other.requests.length).toBe(before[holder === 'east' ? 'west' : 'east']);
  });

  it('cancels a background response', async () => {
    const created = await openai().responses.create({ model, input: 'Write a long essay', background: true, max_output_tokens: 4000 });
    expect(['queued', 'in_progress']).toContain(created.status);
    const cancelled = await openai().responses.cancel(created.id);
    expect(cancelled.id).toBe(created.id);
    expect(cancelled.status).toBe('cancelled');
  });

  it('resumes a background stream after a sequence number', async () => {
    const stream = await openai().responses.create({ model, input: 'Say hello', background: true, stream: true });
    let id = '';
    const seen: number[] = [];
    for await (const event of stream) {
      seen.push(event.sequence_number);
      if (event.type === 'response.created') id = event.response.id;
    }
    expect(id).not.toMatch(RAW_SIMULATOR_ID);
    const resumed = await openai().responses.retrieve(id, { stream: true, starting_after: 1 });
    const replayed: number[] = [];
    for await (const event of resumed) replayed.push(event.sequence_number);
    expect(replayed).toEqual(seen.filter((n) => n > 1));
  });

  it('keeps ten-turn previous_response_id chains on their backends while the chains spread over both', async () => {
    const holders = new Set<string>();
    for (let chain = 0; chain < 16; chain++) {
      let previous: string | undefined;
      let chainHolder: string | undefined;
      for (let turn = 0; turn < 10; turn++) {
        const before = counts();
        const { data, response } = await openai()
          .responses.create({ model, input: `chain ${chain} turn ${turn}`, previous_response_id: previous })
          .withResponse();
        const backend = response.headers.get('x-router-backend') ?? '';
        expect(servedBy(before)).toBe(backend);
        chainHolder ??= backend;
        expect(backend).toBe(chainHolder);
        previous = data.id;
      }
      holders.add(chainHolder ?? '');
    }
    // Spread over two equal backends: sixteen chains all landing on one has probability 2^-15.
    expect(holders).toEqual(new Set(['east', 'west']));
  });

  it('serves every turn of a chain that alternates between two routers sharing ROUTER_ID_SECRET', async () => {
    let previous: string | undefined;
    for (let turn = 0; turn < 10; turn++) {
      const base = turn % 2 === 0 ? router.url : twin.url;
      const data = await openai(FIRST_KEY, base).responses.create({ model, input: `turn ${turn}`, previous_response_id: previous });
      expect(data.status).toBe('completed');
      previous = data.id;
    }
    await expect(openai(FIRST_KEY, twin.url).responses.retrieve(previous ?? '')).resolves.toMatchObject({ id: previous });
  });

  it('answers another consumer’s id and a forged id with 404 response_not_found, forwarding nothing', async () => {
    const created = await openai().responses.create({ model, input: 'Mine' });
    const before = received();
    const foreign = openai(SECOND_KEY).responses.retrieve(created.id);
    await expect(foreign).rejects.toBeInstanceOf(NotFoundError);
    await expect(foreign).rejects.toMatchObject({ code: 'response_not_found' });
    const forged = `resp_${Buffer.from('forged-by-hand-with-no-secret').toString('base64url')}`;
    await expect(openai().responses.retrieve(forged)).rejects.toMatchObject({ status: 404, code: 'response_not_found' });
    await expect(openai(SECOND_KEY).responses.create({ model, input: 'continue', previous_response_id: created.id })).rejects.toMatchObject({
      status: 404,
      code: 'response_not_found',
    });
    expect(received()).toBe(before);
  });

  it('answers 429 with the bound backend’s Retry-After when it throttles, never sending the turn elsewhere', async () => {
    const { data, response } = await openai().responses.create({ model, input: 'first turn' }).withResponse();
    const holder = response.headers.get('x-router-backend') === 'east' ? east : west;
    const other = holder === east ? west : east;
    const otherBefore = other.requests.length;
    holder.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const turn = openai().responses.create({ model, input: 'second turn', previous_response_id: data.id });
    await expect(turn).rejects.toBeInstanceOf(RateLimitError);
    const error = (await turn.catch((e: unknown) => e)) as RateLimitError;
    expect(error.headers.get('retry-after')).toBe('7');
    expect(other.requests.length).toBe(otherBefore);
    holder.setFault(undefined);
  });

  it('answers 503 response_backend_unavailable when the bound backend cannot be reached, never sending the turn elsewhere', async () => {
    const { data, response } = await openai().responses.create({ model, input: 'first turn' }).withResponse();
    const holder = response.headers.get('x-router-backend') === 'east' ? east : west;
    const other = holder === east ? west : east;
    const otherBefore = other.requests.length;
    holder.setFault({ kind: 'reset' });
    const turn = openai().responses.retrieve(data.id);
    await expect(turn).rejects.toMatchObject({ status: 503, code: 'response_backend_unavailable' });
    expect(other.requests.length).toBe(otherBefore);
    holder.setFault(undefined);
  });

  it('creates and retrieves through AzureOpenAI on the preview path', async () => {
    const azure = new AzureOpenAI({
      endpoint: `${router.url}/api`,
      apiKey: FIRST_KEY,
      apiVersion: '2025-04-01-preview',
      deployment: model,
      maxRetries: 0,
    });
    const created = await azure.responses.create({ model, input: 'Say hello' });
    expect(created.id).not.toMatch(RAW_SIMULATOR_ID);
    const path = [...east.requests, ...west.requests].map((r) => r.path);
    expect(path.some((p) => p.includes('/responses'))).toBe(true);
    const stored = await azure.responses.retrieve(created.id);
    expect(stored.output_text).toBe(created.output_text);
  });

  it('creates conversations, answers within them and lists their items, each on its one backend', async () => {
    // Eight conversations: were the follow-ups balanced instead of bound, one would stray with probability 1 - 2^-16.
    for (let n = 0; n < 8; n++) {
      const before = counts();
      const conversation = await openai().conversations.create({ items: [{ role: 'user', content: `My name is Ada ${n}` }] });
      expect(conversation.id).toMatch(/^conv_/);
      expect(conversation.id).not.toMatch(RAW_SIMULATOR_ID);
      const answer = await openai().responses.create({ model, input: 'What is my name?', conversation: conversation.id });
      expect(answer.output_text.length).toBeGreaterThan(0);
      const items = await openai().conversations.items.list(conversation.id);
      const text = JSON.stringify(items.data);
      expect(text).toContain(`Ada ${n}`);
      expect(text).toContain('What is my name?');
      const grew = { east: east.requests.length - before.east, west: west.requests.length - before.west };
      expect([grew.east, grew.west].sort()).toEqual([0, 3]);
    }
  });
});
