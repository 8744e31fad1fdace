import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { ApiShape, OperationKey, OPERATIONS } from '../../src/core/operations';
import { StoredIds } from '../../src/core/storedIds';
import { proxyHandler } from '../../src/http/proxyHandler';
import { reply, replyStream, transportFailure } from '../support/FakeBackendClient';
import { backend, NOW, routerConfig } from '../support/fixtures';
import { testRuntime, TestRuntime } from '../support/runtime';

const KEY = 'test-consumer-key-0001';
const OTHER_KEY = 'other-consumer-key-0002';
const east = backend({ name: 'east', priority: 1 });
const west = backend({ name: 'west', priority: 2 });
const consumers = {
  consumerKeys: new Map([
    [KEY, 'team-a'],
    [OTHER_KEY, 'team-b'],
  ]),
};
const ids = new StoredIds(routerConfig([]).idSecret ?? '');

interface Call {
  readonly operation: OperationKey;
  readonly path: string;
  readonly method?: string;
  readonly body?: unknown;
  readonly key?: string;
  readonly params?: Record<string, string>;
  readonly api?: ApiShape;
}

async function call(rt: TestRuntime, c: Call) {
  const method = c.method ?? 'POST';
  const text = c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
  const req = new HttpRequest({
    method,
    url: `http://localhost:7071/api/${c.path}`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.key ?? KEY}` },
    ...(text === undefined ? {} : { body: { string: text } }),
    params: c.params ?? {},
  });
  const init = await proxyHandler(() => rt, c.api ?? 'v1', OPERATIONS[c.operation])(req, new InvocationContext());
  const res = new HttpResponse(init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const create = (body: Record<string, unknown>, key = KEY): Call => ({
  operation: 'responses',
  path: 'openai/v1/responses',
  body: { model: 'gpt-4o', input: 'hi', ...body },
  key,
});
const retrieve = (id: string, key = KEY): Call => ({ operation: 'response', path: `openai/v1/responses/${id}`, method: 'GET', params: { id }, key });
const azureResponse = (id: string) => ({
  id,
  object: 'response',
  status: 'completed',
  output: [{ id: 'msg_1', type: 'message' }],
  usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
});
const idOf = (text: string): string => (JSON.parse(text) as { id: string }).id;

describe('Responses through the router', () => {
  it('seals the backend id it hands out, keeping its prefix, and restores it for a retrieve on the same backend', async () => {
    const rt = testRuntime(
      [east, west],
      (req) => (req.method === 'GET' ? reply(200, azureResponse('resp_abc123')) : reply(200, azureResponse('resp_abc123'))),
      consumers,
    );
    const created = await call(rt, create({}));
    const sealed = idOf(created.text);
    expect(sealed).toMatch(/^resp_[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('abc123');
    expect(ids.open(sealed, 'team-a')).toEqual({ backend: 'east', id: 'resp_abc123' });
    const got = await call(rt, retrieve(sealed));
    expect(got.status).toBe(200);
    expect(rt.client.calls[1]?.path).toBe('/openai/v1/responses/resp_abc123');
    expect(idOf(got.text)).toBe(sealed);
  });

  it('sends a previous_response_id follow-up only to the backend that holds it, with the backend id in the body', async () => {
    const rt = testRuntime([east, west], () => reply(200, azureResponse('resp_next')), consumers);
    const sealed = ids.seal('resp_prev', 'west', 'team-a');
    const res = await call(rt, create({ previous_response_id: sealed }));
    expect(res.headers.get('x-router-backend')).toBe('west');
    expect(rt.client.called).toEqual(['west']);
    expect(JSON.parse(rt.client.calls[0]?.body?.toString() ?? '{}').previous_response_id).toBe('resp_prev');
  });

  it.each([
    ['another consumer', () => ids.seal('resp_abc', 'east', 'team-a'), OTHER_KEY],
    ['a forged MAC', () => ids.seal('resp_abc', 'east', 'team-a').slice(0, -4) + 'AAAA', KEY],
    ['a malformed id', () => 'resp_not-ours', KEY],
  ])('answers 404 response_not_found for an id of %s and forwards nothing', async (_label, id, key) => {
    const rt = testRuntime([east, west], () => reply(200, azureResponse('resp_x')), consumers);
    for (const c of [retrieve(id(), key), create({ previous_response_id: id() }, key)]) {
      const res = await call(rt, c);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text).error.code).toBe('response_not_found');
    }
    expect(rt.client.calls).toHaveLength(0);
  });

  it('answers 429 with the bound backend window and calls nothing when the backend that holds the response is throttled', async () => {
    const rt = testRuntime([east, west], () => reply(200, azureResponse('resp_x')), consumers);
    rt.state.openWindow('east/gpt-4o', { untilMs: NOW + 7000, reason: 'throttled' });
    const res = await call(rt, create({ previous_response_id: ids.seal('resp_prev', 'east', 'team-a') }));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after-ms')).toBe('7000');
    expect(rt.client.calls).toHaveLength(0);
  });

  it.each([
    ['5xx', () => reply(500)],
    ['connection errors', () => transportFailure('network')],
  ])('answers 503 response_backend_unavailable when the bound backend fails with %s, never trying another', async (_label, script) => {
    const rt = testRuntime([east, west], script, consumers);
    const res = await call(rt, retrieve(ids.seal('resp_abc', 'east', 'team-a')));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).error.code).toBe('response_backend_unavailable');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(rt.client.called).toEqual(['east']);
  });

  it('answers 503 without a call while the bound backend circuit is open', async () => {
    const rt = testRuntime([east, west], () => reply(200), consumers);
    for (let i = 0; i < 3; i++) rt.router.probeFailed(east);
    const res = await call(rt, retrieve(ids.seal('resp_abc', 'east', 'team-a')));
    expect(res.status).toBe(503);
    expect(rt.client.calls).toHaveLength(0);
  });

  it('retries a previous_response_not_found once on the same backend after 300 ms', async () => {
    const notFound = {
      error: {
        message: "Previous response with id 'resp_prev' not found.",
        type: 'invalid_request_error',
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      },
    };
    let calls = 0;
    const rt = testRuntime([east, west], () => (++calls === 1 ? reply(400, notFound) : reply(200, azureResponse('resp_next'))), consumers);
    const started = rt.now();
    const res = await call(rt, create({ previous_response_id: ids.seal('resp_prev', 'east', 'team-a') }));
    expect(res.status).toBe(200);
    expect(rt.client.called).toEqual(['east', 'east']);
    expect(rt.now() - started).toBe(300);
  });

  it('passes a second previous_response_not_found through unchanged', async () => {
    const notFound = { error: { code: 'previous_response_not_found', message: 'nope', type: 'invalid_request_error' } };
    const rt = testRuntime([east, west], () => reply(400, notFound), consumers);
    const res = await call(rt, create({ previous_response_id: ids.seal('resp_prev', 'east', 'team-a') }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual(notFound);
    expect(rt.client.called).toEqual(['east', 'east']);
  });

  it('binds a request that replays a sealed reasoning item to the backend that sealed it', async () => {
    const rt = testRuntime([east, west], () => reply(200, azureResponse('resp_2')), consumers);
    const item = { type: 'reasoning', id: ids.seal('rs_77', 'west', 'team-a'), encrypted_content: 'gAAAA', summary: [] };
    await call(rt, create({ store: false, input: [item, { role: 'user', content: 'next' }] }));
    expect(rt.client.called).toEqual(['west']);
    expect(rt.client.calls[0]?.body?.toString()).toContain('"id":"rs_77"');
  });

  it('refuses ids of two different backends in one request', async () => {
    const rt = testRuntime([east, west], () => reply(200), consumers);
    const res = await call(rt, create({ previous_response_id: ids.seal('resp_1', 'east', 'team-a'), conversation: ids.seal('conv_1', 'west', 'team-a') }));
    expect(res.status).toBe(400);
    expect(rt.client.calls).toHaveLength(0);
  });

  it('fails an unbound stream over when its first event is response.failed', async () => {
    const failed = 'event: response.failed\ndata: {"type":"response.failed","response":{"id":"resp_f","status":"failed"}}\n\n';
    const good = [
      'event: response.created\ndata: {"type":"response.created","response":{"id":"resp_',
      'ok1"}}\n\n',
      'event: response.completed\ndata: {"type":"response.completed","response":{"id":"resp_ok1","usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}}\n\n',
    ];
    const rt = testRuntime([east, west], (_req, origin) => (origin.includes('east') ? replyStream([failed]) : replyStream(good)), consumers);
    const res = await call(rt, create({ stream: true }));
    expect(res.headers.get('x-router-backend')).toBe('west');
    const sealed = ids.seal('resp_ok1', 'west', 'team-a');
    expect(res.text).toBe(good.join('').replaceAll('resp_ok1', sealed));
  });

  it('ends a Responses stream that drops mid-way with an error event the SDK raises', async () => {
    const frames = [
      'event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n',
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"x"}\n\n',
    ];
    const rt = testRuntime([east], () => replyStream(frames, 1), consumers);
    const res = await call(rt, create({ stream: true }));
    expect(res.text.startsWith(frames[0] ?? '')).toBe(true);
    const last = res.text.trimEnd().split('\n\n').at(-1) ?? '';
    expect(last).toMatch(/^event: error\ndata: /);
    expect(JSON.parse(last.slice(last.indexOf('data: ') + 6))).toMatchObject({
      type: 'error',
      code: 'backend_stream_interrupted',
      error: { code: 'backend_stream_interrupted' },
    });
  });

  it('creates conversations on any backend and keeps their reads on the one that made them', async () => {
    const rt = testRuntime([east, west], () => reply(200, { id: 'conv_9', object: 'conversation' }), consumers);
    const created = await call(rt, { operation: 'conversations', path: 'openai/v1/conversations', body: {} });
    const sealed = idOf(created.text);
    expect(sealed.startsWith('conv_')).toBe(true);
    await call(rt, { operation: 'conversationItems', path: `openai/v1/conversations/${sealed}/items`, method: 'GET', params: { id: sealed } });
    expect(rt.client.calls[1]?.path).toBe('/openai/v1/conversations/conv_9/items');
    expect(rt.client.calls[1]?.method).toBe('GET');
  });

  it('answers 503 id_secret_missing on the stateful routes without ROUTER_ID_SECRET', async () => {
    const rt = testRuntime([east], () => reply(200), { ...consumers, idSecret: undefined });
    const res = await call(rt, create({}));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).error.code).toBe('id_secret_missing');
  });

  it('maps the alias to the backend deployment changing nothing else in the body', async () => {
    const mapped = backend({ name: 'east', deployments: new Map([['gpt-4o', 'gpt-4o-2024-11-20']]) });
    const rt = testRuntime([mapped], () => reply(200, azureResponse('resp_1')), consumers);
    const raw = '{"model":"gpt-4o","input":"hi","seed":12345678901234567890,"temperature":1e400, "metadata":{"model":"keep"}}';
    await call(rt, { operation: 'responses', path: 'openai/v1/responses', body: raw });
    expect(rt.client.calls[0]?.body?.toString()).toBe(raw.replace('"model":"gpt-4o"', '"model":"gpt-4o-2024-11-20"'));
  });

  it('forwards only the query parameters the operation knows', async () => {
    const rt = testRuntime([east], () => reply(200, azureResponse('resp_1')), consumers);
    const sealed = ids.seal('resp_1', 'east', 'team-a');
    await call(rt, { ...retrieve(sealed), path: `openai/v1/responses/${sealed}?include[]=x&code=functionkey&api-key=leak` });
    expect(rt.client.calls[0]?.path).toBe('/openai/v1/responses/resp_1?include[]=x');
  });

  it('meters a Responses body by its input and output tokens', async () => {
    const completed: unknown[] = [];
    const events = { wantsUsage: true, completed: (r: unknown) => void completed.push(r) };
    const rt = testRuntime([east], () => reply(200, azureResponse('resp_1')), consumers, undefined, events);
    await call(rt, create({}));
    expect(completed).toMatchObject([{ usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5, estimated: false } }]);
  });
});

describe('params as Azure worker fills them', () => {
  it('reads a route value whose key a query parameter respelled, and ignores an id on a route without one', async () => {
    const rt = testRuntime([east], () => reply(200, azureResponse('resp_1')), consumers);
    const created = await call(rt, { ...create({}), params: { id: 'resp_not-a-path-id' } });
    expect(created.status).toBe(200);
    const sealed = idOf(created.text);
    const got = await call(rt, { ...retrieve(sealed), params: { ID: sealed } });
    expect(got.status).toBe(200);
    expect(rt.client.calls[1]?.path).toBe('/openai/v1/responses/resp_1');
  });
});
