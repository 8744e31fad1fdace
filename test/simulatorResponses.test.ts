import { BadRequestError, NotFoundError, OpenAI, RateLimitError } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_FILTER_TRIGGER, startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../src/local/simulator';

const API_KEY = 'sim-key';
const API_VERSION = '2025-04-01-preview';
const DEPLOYMENT = 'gpt-4o';
const HEADERS = { 'api-key': API_KEY, 'content-type': 'application/json' };

function client(backend: SimulatedBackend): OpenAI {
  return new OpenAI({ baseURL: `${backend.url}/openai/v1`, apiKey: API_KEY, maxRetries: 0, timeout: 5_000 });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function call(backend: SimulatedBackend, method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = { method, headers: HEADERS };
  if (body !== undefined) init.body = JSON.stringify(body);
  return fetch(`${backend.url}${path}`, init);
}

/** The status and the parsed body, read loosely (JSON.parse's type): the assertions say what it holds. */
async function json(response: Promise<Response>) {
  const answer = await response;
  return { status: answer.status, body: JSON.parse(await answer.text()) };
}

/** Parses a Responses event stream into its `event:` names and parsed `data:` objects. */
function parseEvents(raw: string) {
  return raw
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? '';
      const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? 'null';
      return { event, data: JSON.parse(data) };
    });
}

/** Reads a body until it ends or the server cuts it, returning what arrived. */
async function readUntilCut(response: Response): Promise<{ text: string; cut: boolean }> {
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  if (reader === undefined) return { text, cut: false };
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return { text, cut: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, cut: true };
  }
}

async function withBackend(options: Partial<SimulatedBackendOptions>, body: (backend: SimulatedBackend) => Promise<void>): Promise<void> {
  const backend = await startSimulatedBackend({ name: 'scoped', apiKey: API_KEY, ...options });
  try {
    await body(backend);
  } finally {
    await backend.close();
  }
}

const STREAM_EVENT_TYPES = [
  'response.created',
  'response.in_progress',
  'response.output_item.added',
  'response.content_part.added',
  ...Array<string>(16).fill('response.output_text.delta'),
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
];

describe('the simulated Responses API', () => {
  let backend: SimulatedBackend;

  beforeAll(async () => {
    backend = await startSimulatedBackend({ name: 'eus-1', apiKey: API_KEY, deployments: [DEPLOYMENT] });
  });

  afterAll(async () => {
    await backend.close();
  });

  it('creates a response that the openai SDK reads, output_text and usage included', async () => {
    const response = await client(backend).responses.create({ model: DEPLOYMENT, input: 'Say hello' });
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe(DEPLOYMENT);
    expect(response.output_text.split(' ')).toHaveLength(16);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed' });
    expect(response.output[0]?.id).toMatch(/^msg_[0-9a-f]{48}$/);
    // "Say hello": ceil(9 / 4) + 3 for the message, the chat rule.
    expect(response.usage).toEqual({
      input_tokens: 6,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 16,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 22,
    });
  });

  it('sends every field of the Azure response object, echoing the request', async () => {
    const { status, body } = await json(
      call(backend, 'POST', '/openai/v1/responses', {
        model: DEPLOYMENT,
        input: 'Hi',
        instructions: 'Be brief',
        metadata: { k: 'v' },
      }),
    );
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual([
      'id',
      'object',
      'created_at',
      'status',
      'background',
      'error',
      'incomplete_details',
      'instructions',
      'max_output_tokens',
      'model',
      'output',
      'parallel_tool_calls',
      'previous_response_id',
      'conversation',
      'reasoning',
      'store',
      'temperature',
      'text',
      'tool_choice',
      'tools',
      'top_p',
      'truncation',
      'usage',
      'user',
      'metadata',
    ]);
    expect(body).toMatchObject({
      background: false,
      error: null,
      instructions: 'Be brief',
      max_output_tokens: null,
      previous_response_id: null,
      conversation: null,
      reasoning: { effort: null, summary: null },
      store: true,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: [],
      truncation: 'disabled',
      metadata: { k: 'v' },
    });
    expect(body.output[0].content).toEqual([{ type: 'output_text', text: expect.any(String), annotations: [] }]);
  });

  it('streams the Responses event grammar: typed events, sequence numbers, one delta per token, no [DONE]', async () => {
    const answer = await call(backend, 'POST', '/openai/v1/responses', { model: DEPLOYMENT, input: 'Say hello', stream: true });
    expect(answer.headers.get('content-type')).toBe('text/event-stream');
    const raw = await answer.text();
    expect(raw).not.toContain('[DONE]');
    const events = parseEvents(raw);
    expect(events.map((event) => event.event)).toEqual(STREAM_EVENT_TYPES);
    expect(events.map((event) => event.data.type as string)).toEqual(STREAM_EVENT_TYPES);
    expect(events.map((event) => event.data.sequence_number as number)).toEqual(events.map((_, index) => index));
    expect(events[0]?.data.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    const delta = events[4]?.data;
    expect(delta).toEqual({
      type: 'response.output_text.delta',
      item_id: expect.stringMatching(/^msg_/),
      output_index: 0,
      content_index: 0,
      delta: 'Lorem',
      logprobs: [],
      sequence_number: 4,
    });
    const text = events
      .filter((event) => event.event === 'response.output_text.delta')
      .map((event) => event.data.delta as string)
      .join('');
    const completed = events.at(-1)?.data.response;
    expect(completed.output[0].content[0].text).toBe(text);
    expect(completed.usage.total_tokens).toBe(22);
  });

  it('streams to the SDK: create({ stream: true }) iterates the events, responses.stream() ends with the usage', async () => {
    const sdk = client(backend);
    const events: ResponseStreamEvent[] = [];
    for await (const event of await sdk.responses.create({ model: DEPLOYMENT, input: 'Say hello', stream: true })) {
      events.push(event);
    }
    expect(events.at(-1)?.type).toBe('response.completed');
    const stream = sdk.responses.stream({ model: DEPLOYMENT, input: 'Say hello' });
    let deltas = '';
    stream.on('response.output_text.delta', (event) => {
      deltas += event.delta;
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(deltas);
    expect(final.usage).toMatchObject({ input_tokens: 6, output_tokens: 16, total_tokens: 22 });
  });

  it('stores a response for retrieve and delete; a deleted one answers 404 response_not_found', async () => {
    const sdk = client(backend);
    const created = await sdk.responses.create({ model: DEPLOYMENT, input: 'Remember me' });
    const retrieved = await sdk.responses.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'completed', output_text: created.output_text });
    const deleted = await json(call(backend, 'DELETE', `/openai/v1/responses/${created.id}`));
    expect(deleted).toEqual({ status: 200, body: { id: created.id, object: 'response', deleted: true } });
    const again = await caught(sdk.responses.retrieve(created.id));
    expect(again).toBeInstanceOf(NotFoundError);
    expect((again as NotFoundError).error).toEqual({
      message: `Response with id '${created.id}' not found.`,
      type: 'invalid_request_error',
      param: null,
      code: 'response_not_found',
    });
    expect(await caught(sdk.responses.delete(created.id))).toBeInstanceOf(NotFoundError);
  });

  it('lists input items with the ids it gave them, newest first unless asked otherwise', async () => {
    const sdk = client(backend);
    const created = await sdk.responses.create({
      model: DEPLOYMENT,
      input: [
        { role: 'developer', content: 'Answer in Latin' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] },
      ],
    });
    const ascending = await sdk.responses.inputItems.list(created.id, { order: 'asc' });
    expect(ascending.data.map((item) => item.type === 'message' && item.role)).toEqual(['developer', 'user']);
    expect(ascending.data[0]).toMatchObject({ type: 'message', content: [{ type: 'input_text', text: 'Answer in Latin' }] });
    for (const item of ascending.data) expect(item.id).toMatch(/^msg_[0-9a-f]{48}$/);
    const { body } = await json(call(backend, 'GET', `/openai/v1/responses/${created.id}/input_items?limit=1`));
    const newest = ascending.data[1]?.id;
    expect(body).toMatchObject({ object: 'list', has_more: true, first_id: newest, last_id: newest });
  });

  it('chains follow-ups with previous_response_id, each inheriting the context as input tokens', async () => {
    const sdk = client(backend);
    const first = await sdk.responses.create({ model: DEPLOYMENT, input: 'Say hello' });
    const second = await sdk.responses.create({ model: DEPLOYMENT, input: 'Again', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    // 22 inherited + "Again" (ceil(5 / 4) + 3).
    expect(second.usage?.input_tokens).toBe(27);
    const third = await sdk.responses.create({ model: DEPLOYMENT, input: 'Again', previous_response_id: second.id });
    expect(third.usage?.input_tokens).toBe(27 + 16 + 5);
  });

  it('keeps nothing of a response created with store: false', async () => {
    const sdk = client(backend);
    const created = await sdk.responses.create({ model: DEPLOYMENT, input: 'Forget me', store: false });
    expect(created).toMatchObject({ store: false });
    expect(backend.holds(created.id)).toBe(false);
    const followUp = await caught(sdk.responses.create({ model: DEPLOYMENT, input: 'Hi', previous_response_id: created.id }));
    expect((followUp as BadRequestError).code).toBe('previous_response_not_found');
  });

  it('refuses max_output_tokens below 16, and reports an incomplete response when the cap cuts it', async () => {
    const refused = await caught(client(backend).responses.create({ model: DEPLOYMENT, input: 'Hi', max_output_tokens: 5 }));
    expect(refused).toBeInstanceOf(BadRequestError);
    expect((refused as BadRequestError).error).toMatchObject({ param: 'max_output_tokens', code: 'integer_below_min_value' });
    await withBackend({ completionTokens: 40 }, async (long) => {
      const cut = await client(long).responses.create({ model: DEPLOYMENT, input: 'Hi', max_output_tokens: 20 });
      expect(cut.status).toBe('incomplete');
      expect(cut.incomplete_details).toEqual({ reason: 'max_output_tokens' });
      expect(cut.usage?.output_tokens).toBe(20);
      const body = { model: DEPLOYMENT, input: 'Hi', max_output_tokens: 20, stream: true };
      const events = parseEvents(await (await call(long, 'POST', '/openai/v1/responses', body)).text());
      expect(events.at(-1)?.event).toBe('response.incomplete');
    });
  });

  it('answers the content-filter 400, DeploymentNotFound and a missing model like chat', async () => {
    const sdk = client(backend);
    const filtered = await caught(sdk.responses.create({ model: DEPLOYMENT, input: `please ${CONTENT_FILTER_TRIGGER}` }));
    expect((filtered as BadRequestError).code).toBe('content_filter');
    const unknown = await caught(sdk.responses.create({ model: 'gpt-35', input: 'Hi' }));
    expect((unknown as NotFoundError).code).toBe('DeploymentNotFound');
    const missing = await json(call(backend, 'POST', '/openai/v1/responses', { input: 'Hi' }));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('you must provide a model parameter');
  });

  it('serves the Azure preview shape /openai/responses, which requires api-version', async () => {
    const missing = await call(backend, 'POST', '/openai/responses', { model: DEPLOYMENT, input: 'Hi' });
    expect(missing.status).toBe(400);
    const error = { code: 'BadRequest', message: 'Missing required query parameter: api-version' };
    expect(await missing.json()).toEqual({ error });
    const body = { model: DEPLOYMENT, input: 'Hi' };
    const created = await json(call(backend, 'POST', `/openai/responses?api-version=${API_VERSION}`, body));
    expect(created.status).toBe(200);
    const retrieved = await json(call(backend, 'GET', `/openai/responses/${created.body.id}?api-version=${API_VERSION}`));
    expect(retrieved.body.id).toBe(created.body.id);
    expect((await call(backend, 'GET', `/openai/responses/${created.body.id}`)).status).toBe(400);
  });

  it('answers wrong methods with 405 and Allow, unknown sub-paths with 404, a wrong key with 401', async () => {
    const wrong = await call(backend, 'POST', '/openai/v1/responses/resp_x');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, DELETE');
    expect((await call(backend, 'GET', '/openai/v1/responses')).headers.get('allow')).toBe('POST');
    expect((await call(backend, 'GET', '/openai/v1/responses/resp_x/nope')).status).toBe(404);
    const denied = await fetch(`${backend.url}/openai/v1/responses/resp_x`, { headers: { 'api-key': 'wrong' } });
    expect(denied.status).toBe(401);
  });

  it('drops a stream mid-way on a dropMidStream fault, so the SDK stream throws', async () => {
    await withBackend({}, async (dropping) => {
      dropping.setFault({ kind: 'dropMidStream', afterChunks: 5 }, 1);
      const received: ResponseStreamEvent[] = [];
      const error = await caught(
        (async () => {
          for await (const event of await client(dropping).responses.create({ model: DEPLOYMENT, input: 'Hi', stream: true })) {
            received.push(event);
          }
        })(),
      );
      expect(error).toBeInstanceOf(Error);
      expect(received.length).toBeLessThanOrEqual(5);
      expect(dropping.stats.failed).toBe(1);
    });
  });
});

describe('the simulated Responses API rate limits', () => {
  it('charges the deployment like chat and answers 429 with retry-after and remaining headers', async () => {
    let clock = 0;
    await withBackend({ rpm: 1, now: () => clock }, async (backend) => {
      const sdk = client(backend);
      await sdk.responses.create({ model: DEPLOYMENT, input: 'Hi' });
      clock = 15_000;
      const error = await caught(sdk.responses.create({ model: DEPLOYMENT, input: 'Hi' }));
      expect(error).toBeInstanceOf(RateLimitError);
      const { headers } = error as RateLimitError;
      expect(headers.get('retry-after')).toBe('45');
      expect(headers.get('retry-after-ms')).toBe('45000');
      expect(headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(backend.stats).toMatchObject({ received: 2, served: 1, throttled: 1, tokensServed: 4 + 16 });
    });
  });

  it('does not charge a follow-up it refuses for a previous response it does not hold', async () => {
    await withBackend({ rpm: 1 }, async (backend) => {
      const sdk = client(backend);
      const refused = await caught(sdk.responses.create({ model: DEPLOYMENT, input: 'Hi', previous_response_id: 'resp_nope' }));
      expect((refused as BadRequestError).status).toBe(400);
      await sdk.responses.create({ model: DEPLOYMENT, input: 'Hi' });
    });
  });
});

describe('a follow-up reaching another simulated resource', () => {
  let east: SimulatedBackend;
  let west: SimulatedBackend;

  beforeAll(async () => {
    east = await startSimulatedBackend({ name: 'east', apiKey: API_KEY });
    west = await startSimulatedBackend({ name: 'west', apiKey: API_KEY });
  });

  afterAll(async () => {
    await Promise.all([east.close(), west.close()]);
  });

  it('fails with 400 previous_response_not_found for a previous_response_id stored elsewhere', async () => {
    const first = await client(east).responses.create({ model: DEPLOYMENT, input: 'Say hello' });
    expect(east.holds(first.id)).toBe(true);
    expect(west.holds(first.id)).toBe(false);
    const followUp = { model: DEPLOYMENT, input: 'Again', previous_response_id: first.id };
    const answer = await json(call(west, 'POST', '/openai/v1/responses', followUp));
    expect(answer).toEqual({
      status: 400,
      body: {
        error: {
          message: `Previous response with id '${first.id}' not found.`,
          type: 'invalid_request_error',
          param: 'previous_response_id',
          code: 'previous_response_not_found',
        },
      },
    });
  });

  it('fails with 404 response_not_found to retrieve, delete, cancel or list a response stored elsewhere', async () => {
    const first = await client(east).responses.create({ model: DEPLOYMENT, input: 'Say hello', background: true });
    const message = `Response with id '${first.id}' not found.`;
    const expected = { error: { message, type: 'invalid_request_error', param: null, code: 'response_not_found' } };
    for (const [method, suffix] of [
      ['GET', ''],
      ['DELETE', ''],
      ['POST', '/cancel'],
      ['GET', '/input_items'],
    ] as const) {
      const answer = await json(call(west, method, `/openai/v1/responses/${first.id}${suffix}`));
      expect(answer).toEqual({ status: 404, body: expected });
    }
  });

  it('fails with 400 invalid_encrypted_content for reasoning sealed by another resource', async () => {
    const sdk = client(east);
    const first = await sdk.responses.create({
      model: DEPLOYMENT,
      input: 'Think',
      store: false,
      include: ['reasoning.encrypted_content'],
    });
    const reasoning = first.output[0];
    expect(reasoning?.type).toBe('reasoning');
    if (reasoning?.type !== 'reasoning') throw new Error('expected a reasoning item');
    expect(reasoning.id).toMatch(/^rs_[0-9a-f]{48}$/);
    expect(reasoning.summary).toEqual([]);
    const sealed = reasoning.encrypted_content ?? '';
    expect(sealed).toMatch(/^gAAAAA/);
    const input = [reasoning, { role: 'user' as const, content: 'Go on' }];
    // The resource that sealed it opens it...
    const opened = await sdk.responses.create({ model: DEPLOYMENT, input, store: false });
    expect(opened.status).toBe('completed');
    // ...another cannot.
    const answer = await json(call(west, 'POST', '/openai/v1/responses', { model: DEPLOYMENT, input, store: false }));
    expect(answer).toEqual({
      status: 400,
      body: {
        error: {
          message: `The encrypted content ${sealed.slice(0, 4)}...${sealed.slice(-4)} could not be verified.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_encrypted_content',
        },
      },
    });
  });

  it('fails with 404 for an item_reference or a conversation held elsewhere', async () => {
    const first = await client(east).responses.create({ model: DEPLOYMENT, input: 'Say hello' });
    const itemId = first.output[0]?.id ?? '';
    const local = await client(east).responses.create({ model: DEPLOYMENT, input: [{ type: 'item_reference', id: itemId }] });
    expect(local.usage?.input_tokens).toBeGreaterThan(3);
    const byReference = { model: DEPLOYMENT, input: [{ type: 'item_reference', id: itemId }] };
    const reference = await json(call(west, 'POST', '/openai/v1/responses', byReference));
    expect(reference.status).toBe(404);
    expect(reference.body.error).toMatchObject({ message: `Item with id '${itemId}' not found.`, type: 'invalid_request_error' });
    const conversation = await client(east).conversations.create({});
    const inConversation = { model: DEPLOYMENT, input: 'Hi', conversation: conversation.id };
    const elsewhere = await json(call(west, 'POST', '/openai/v1/responses', inConversation));
    expect(elsewhere).toEqual({
      status: 404,
      body: {
        error: {
          message: `Conversation with id '${conversation.id}' not found.`,
          type: 'invalid_request_error',
          param: 'conversation',
          code: 'conversation_not_found',
        },
      },
    });
  });
});

describe('background responses', () => {
  it('answer queued at once, then progress to completed after the latency and the token pacing', async () => {
    await withBackend({ latencyMs: 400, chunkIntervalMs: 20 }, async (backend) => {
      const sdk = client(backend);
      const started = Date.now();
      const queued = await sdk.responses.create({ model: DEPLOYMENT, input: 'Say hello', background: true });
      expect(Date.now() - started).toBeLessThan(300);
      expect(queued).toMatchObject({ status: 'queued', background: true, output: [] });
      expect(queued.usage).toBeNull();
      expect(backend.stats.tokensServed).toBe(0);
      const status = async (): Promise<string | undefined> => (await sdk.responses.retrieve(queued.id)).status;
      // 400 ms queued, then about 24 events 20 ms apart in progress.
      await expect.poll(status, { interval: 10, timeout: 5_000 }).toBe('in_progress');
      await expect.poll(status, { interval: 20, timeout: 5_000 }).toBe('completed');
      const done = await sdk.responses.retrieve(queued.id);
      expect(done.output_text.split(' ')).toHaveLength(16);
      expect(done.usage?.total_tokens).toBe(22);
      expect(backend.stats.tokensServed).toBe(22);
    });
  });

  it('cancel, idempotently; a foreground response cannot be cancelled', async () => {
    await withBackend({ latencyMs: 5_000 }, async (backend) => {
      const sdk = client(backend);
      const queued = await sdk.responses.create({ model: DEPLOYMENT, input: 'Say hello', background: true });
      const cancelled = await sdk.responses.cancel(queued.id);
      expect(cancelled).toMatchObject({ id: queued.id, status: 'cancelled' });
      expect(await sdk.responses.cancel(queued.id)).toMatchObject({ status: 'cancelled' });
      expect((await sdk.responses.retrieve(queued.id)).status).toBe('cancelled');
      backend.setLatency(0);
      const foreground = await sdk.responses.create({ model: DEPLOYMENT, input: 'Hi' });
      const refused = await caught(sdk.responses.cancel(foreground.id));
      expect(refused).toBeInstanceOf(BadRequestError);
      expect((refused as BadRequestError).message).toContain('Only background responses can be cancelled.');
    });
  });

  it('must be stored', async () => {
    await withBackend({}, async (backend) => {
      const unstored = { model: DEPLOYMENT, input: 'Hi', background: true, store: false };
      const refused = await caught(client(backend).responses.create(unstored));
      expect(refused).toBeInstanceOf(BadRequestError);
      expect((refused as BadRequestError).error).toMatchObject({ type: 'invalid_request_error', param: 'background' });
    });
  });

  it('resume a stream cut mid-way with GET ?stream=true&starting_after=N', async () => {
    await withBackend({ chunkIntervalMs: 2 }, async (backend) => {
      backend.setFault({ kind: 'dropMidStream', afterChunks: 4 }, 1);
      const body = { model: DEPLOYMENT, input: 'Say hello', background: true, stream: true };
      const first = await readUntilCut(await call(backend, 'POST', '/openai/v1/responses', body));
      expect(first.cut).toBe(true);
      const seen = parseEvents(first.text);
      expect(seen.map((event) => event.event)).toEqual(['response.created', 'response.queued', 'response.in_progress', 'response.output_item.added']);
      expect(seen[0]?.data.response.status).toBe('queued');
      const id = seen[0]?.data.response.id as string;
      const last = seen.at(-1)?.data.sequence_number as number;
      const resume = await call(backend, 'GET', `/openai/v1/responses/${id}?stream=true&starting_after=${last}`);
      const resumed = parseEvents(await resume.text());
      expect(resumed[0]?.data.sequence_number).toBe(last + 1);
      expect(resumed.at(-1)?.event).toBe('response.completed');
      const all = [...seen, ...resumed];
      expect(all.map((event) => event.data.sequence_number as number)).toEqual(all.map((_, index) => index));
      // The SDK's own resume: retrieve with stream and starting_after, after completion too.
      const replayed: ResponseStreamEvent[] = [];
      const replay = await client(backend).responses.retrieve(id, { stream: true, starting_after: last });
      for await (const event of replay) replayed.push(event);
      const resumedNumbers = resumed.map((event) => event.data.sequence_number as number);
      expect(replayed.map((event) => event.sequence_number)).toEqual(resumedNumbers);
      const final = await client(backend).responses.stream({ response_id: id, starting_after: last }).finalResponse();
      expect(final.usage?.total_tokens).toBe(22);
    });
  });

  it('stream live to a second reader that joins while generating', async () => {
    await withBackend({ chunkIntervalMs: 5 }, async (backend) => {
      const sdk = client(backend);
      const stream = await sdk.responses.create({ model: DEPLOYMENT, input: 'Say hello', background: true, stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      const created = (await iterator.next()).value as ResponseStreamEvent;
      if (created.type !== 'response.created') throw new Error('expected response.created first');
      const joined = await sdk.responses.retrieve(created.response.id, { stream: true, starting_after: 0 });
      const types: string[] = [];
      for await (const event of joined) types.push(event.type);
      expect(types[0]).toBe('response.queued');
      expect(types.at(-1)).toBe('response.completed');
      stream.controller.abort();
    });
  });

  it('refuse to stream a response that was not created as a background stream', async () => {
    await withBackend({}, async (backend) => {
      const created = await client(backend).responses.create({ model: DEPLOYMENT, input: 'Hi' });
      const answer = await json(call(backend, 'GET', `/openai/v1/responses/${created.id}?stream=true`));
      expect(answer.status).toBe(400);
      expect(answer.body.error.type).toBe('invalid_request_error');
    });
  });

  it('stop when the backend closes: nothing generates after close()', async () => {
    const backend = await startSimulatedBackend({ name: 'closing', latencyMs: 50 });
    const queued = await client(backend).responses.create({ model: DEPLOYMENT, input: 'Hi', background: true });
    expect(queued.status).toBe('queued');
    await backend.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    // A completed background response counts its tokens; this one's timers died with the server.
    expect(backend.stats.tokensServed).toBe(0);
  });
});

describe('the simulated Conversations API', () => {
  let backend: SimulatedBackend;

  beforeAll(async () => {
    backend = await startSimulatedBackend({ name: 'conversations', apiKey: API_KEY });
  });

  afterAll(async () => {
    await backend.close();
  });

  it('creates, retrieves, updates and deletes a conversation through the SDK', async () => {
    const sdk = client(backend);
    const created = await sdk.conversations.create({ metadata: { topic: 'greetings' } });
    expect(created.id).toMatch(/^conv_[0-9a-f]{48}$/);
    expect(created).toMatchObject({ object: 'conversation', metadata: { topic: 'greetings' } });
    expect(typeof created.created_at).toBe('number');
    expect(await sdk.conversations.retrieve(created.id)).toEqual(created);
    const updated = await sdk.conversations.update(created.id, { metadata: { topic: 'farewells' } });
    expect(updated.metadata).toEqual({ topic: 'farewells' });
    expect(await sdk.conversations.delete(created.id)).toEqual({ id: created.id, object: 'conversation.deleted', deleted: true });
    const gone = await caught(sdk.conversations.retrieve(created.id));
    expect(gone).toBeInstanceOf(NotFoundError);
    expect((gone as NotFoundError).code).toBe('conversation_not_found');
  });

  it('creates one with no body at all', async () => {
    const bodiless = fetch(`${backend.url}/openai/v1/conversations`, { method: 'POST', headers: { 'api-key': API_KEY } });
    const answer = await json(bodiless);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ object: 'conversation', metadata: {} });
  });

  it('keeps items added directly and the turns of the responses that name it', async () => {
    const sdk = client(backend);
    const conversation = await sdk.conversations.create({ items: [{ type: 'message', role: 'user', content: 'Hello' }] });
    const added = await sdk.conversations.items.create(conversation.id, {
      items: [{ type: 'message', role: 'user', content: 'Still there?' }],
    });
    expect(added.data).toHaveLength(1);
    expect(added.data[0]?.id).toMatch(/^msg_/);
    const response = await sdk.responses.create({ model: DEPLOYMENT, input: 'Say hello', conversation: conversation.id });
    expect(response.conversation).toEqual({ id: conversation.id });
    // Hello (2 + 3) and Still there? (3 + 3) are re-read, then Say hello (3 + 3).
    expect(response.usage?.input_tokens).toBe(5 + 6 + 6);
    const items = await sdk.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((item) => item.type === 'message' && item.role)).toEqual(['user', 'user', 'user', 'assistant']);
    expect(items.data.at(-1)?.id).toBe(response.output[0]?.id);
    const one = await json(call(backend, 'GET', `/openai/v1/conversations/${conversation.id}/items/${added.data[0]?.id}`));
    expect(one.body).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Still there?' }] });
    const next = await sdk.responses.create({ model: DEPLOYMENT, input: 'More', conversation: { id: conversation.id } });
    expect(next.usage?.input_tokens).toBeGreaterThan(response.usage?.total_tokens ?? 0);
  });

  it('answers 404 conversation_not_found for ids it does not hold, on every route', async () => {
    for (const [method, suffix] of [
      ['GET', ''],
      ['POST', ''],
      ['DELETE', ''],
      ['GET', '/items'],
      ['POST', '/items'],
    ] as const) {
      const body = method === 'POST' ? { items: [] } : undefined;
      const answer = await json(call(backend, method, `/openai/v1/conversations/conv_nope${suffix}`, body));
      expect(answer.status).toBe(404);
      const message = "Conversation with id 'conv_nope' not found.";
      expect(answer.body.error).toMatchObject({ code: 'conversation_not_found', message });
    }
    expect((await call(backend, 'PUT', '/openai/v1/conversations/conv_nope')).headers.get('allow')).toBe('GET, POST, DELETE');
  });

  it('refuses a response naming both a previous response and a conversation', async () => {
    const sdk = client(backend);
    const conversation = await sdk.conversations.create({});
    const first = await sdk.responses.create({ model: DEPLOYMENT, input: 'Hi' });
    const refused = await caught(sdk.responses.create({ model: DEPLOYMENT, input: 'Hi', previous_response_id: first.id, conversation: conversation.id }));
    expect(refused).toBeInstanceOf(BadRequestError);
  });
});
