import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BackendResult } from '../../src/backend/BackendClient';
import { OPERATIONS } from '../../src/core/operations';
import { proxyHandler } from '../../src/http/proxyHandler';
import { CompletedRequest } from '../../src/router/RouterEvents';
import { reply, replyStream } from '../support/FakeBackendClient';
import { backend } from '../support/fixtures';
import { testRuntime, TestRuntime } from '../support/runtime';

/** Faults of hostile or broken backends (issue 11, items 2, 3, 5, 7, 8, 11, 13), each reproduced through the handler. */
const KEY = 'test-consumer-key-0001';
const ptu = backend({ name: 'ptu', priority: 1 });
const payg = backend({ name: 'payg', priority: 2 });
const chatPath = 'openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21';
const chatBody = { messages: [{ role: 'user', content: 'hi' }] };

async function call(rt: TestRuntime, body: unknown = chatBody) {
  const req = new HttpRequest({
    method: 'POST',
    url: `http://localhost/api/${chatPath}`,
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: { string: JSON.stringify(body) },
    params: { deployment: 'gpt-4o' },
  });
  const res = new HttpResponse(await proxyHandler(() => rt, 'deployments', OPERATIONS.chat)(req, new InvocationContext()));
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const fromPtu = (ptuAnswer: () => BackendResult) => (_req: unknown, origin: string) => (origin.includes('ptu') ? ptuAnswer() : reply(200, { ok: 'payg' }));

function endless(): BackendResult {
  const body = new Readable({
    read() {
      this.push(Buffer.alloc(64 * 1024, 0x20));
    },
  });
  return { kind: 'response', response: { status: 200, headers: { 'content-type': 'application/json' }, body } };
}

function trickle(contentType: string, first: string): BackendResult & { body: Readable } {
  const body = new Readable({ read() {} });
  body.push(first);
  const timer = setInterval(() => body.push(' '), 50);
  body.on('close', () => clearInterval(timer));
  return { kind: 'response', response: { status: 200, headers: { 'content-type': contentType }, body }, body };
}

describe('the router against broken backend answers', () => {
  it('cuts off a non-stream answer larger than ROUTER_MAX_RESPONSE_BYTES and fails over', async () => {
    const rt = testRuntime(
      [ptu, payg],
      fromPtu(() => reply(200, { data: 'x'.repeat(2 * 1024 * 1024) })),
      { maxResponseBytes: 1024 * 1024 },
    );
    const res = await call(rt);
    expect(res.headers.get('x-router-backend')).toBe('payg');
  });

  it('cuts off an endless body instead of buffering it', async () => {
    const rt = testRuntime([ptu, payg], fromPtu(endless), { maxResponseBytes: 1024 * 1024 });
    const res = await call(rt);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-router-backend')).toBe('payg');
  });

  it('bounds a trickling non-stream body by the total deadline, then answers 504', async () => {
    const slow = trickle('application/json', '{"a":');
    const rt = testRuntime([ptu], () => slow, { totalTimeoutMs: 300 });
    const res = await call(rt);
    expect(res.status).toBe(504);
    expect(slow.body.destroyed).toBe(true);
  });

  it('ends a stream that outlives the total deadline with the interrupted event and aborts the backend', async () => {
    const slow = trickle('text/event-stream', 'data: {"choices":[]}\n\n');
    const rt = testRuntime([ptu], () => slow, { totalTimeoutMs: 300 });
    const res = await call(rt, { ...chatBody, stream: true });
    expect(res.text).toContain('backend_stream_interrupted');
    expect(slow.body.destroyed).toBe(true);
  });

  it.each([301, 302, 307, 308])('treats a %d redirect as a failure, fails over, and never relays Location', async (status) => {
    const rt = testRuntime(
      [ptu, payg],
      fromPtu(() => reply(status, '', { location: 'https://evil.example/steal' })),
    );
    const res = await call(rt);
    expect(res.headers.get('x-router-backend')).toBe('payg');
    const alone = testRuntime([ptu], () => reply(status, '', { location: 'https://evil.example/steal' }));
    const failed = await call(alone);
    expect(failed.status).toBe(502);
    expect(failed.headers.get('location')).toBeNull();
  });

  it('fails over when a success body is cut short and does not parse', async () => {
    const rt = testRuntime(
      [ptu, payg],
      fromPtu(() => reply(200, '{"id":"chatcmpl-1","choices":[{"message":{"content":"Hel')),
    );
    const res = await call(rt);
    expect(res.headers.get('x-router-backend')).toBe('payg');
  });

  it('redacts the router backend key from a backend error body and headers', async () => {
    const rt = testRuntime([ptu], () => reply(400, { error: { message: 'bad key key-of-ptu for you', code: 'x' } }, { 'x-debug': 'key=key-of-ptu' }));
    const res = await call(rt);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('key-of-ptu');
    expect(res.text).toContain('[redacted]');
    expect(res.headers.get('x-debug')).toBe('key=[redacted]');
  });

  it('records no remaining capacity from a 404', async () => {
    const rt = testRuntime([ptu], () => reply(404, { error: { code: 'DeploymentNotFound' } }, { 'x-ratelimit-remaining-tokens': '5' }));
    await call(rt);
    expect([...rt.state.remainings()]).toHaveLength(0);
  });
});

describe('metered streams', () => {
  const usageFrame = 'data: {"id":"c","choices":[],"usage":{"prompt_tokens":20000,"completion_tokens":5000,"total_tokens":25000}}\n\n';
  const frames = ['data: {"id":"c","choices":[{"delta":{"content":"x"}}]}\n\n', usageFrame, 'data: [DONE]\n\n'];

  it('asks the backend for usage, counts it exactly, and hands the caller the stream it asked for', async () => {
    const completed: CompletedRequest[] = [];
    const rt = testRuntime([ptu], () => replyStream(frames), {}, undefined, { wantsUsage: true, completed: (r) => void completed.push(r) });
    const res = await call(rt, { ...chatBody, stream: true });
    expect(JSON.parse(rt.client.calls[0]?.body?.toString() ?? '{}').stream_options).toEqual({ include_usage: true });
    expect(res.text).toBe(frames[0] + 'data: [DONE]\n\n');
    expect(completed[0]?.usage).toMatchObject({ totalTokens: 25_000, estimated: false });
  });

  it('leaves the usage frame in for a caller that asked for it', async () => {
    const rt = testRuntime([ptu], () => replyStream(frames), {}, undefined, { wantsUsage: true });
    const res = await call(rt, { ...chatBody, stream: true, stream_options: { include_usage: true } });
    expect(res.text).toBe(frames.join(''));
  });

  it('counts tools, schemas and images into the prompt estimate', () => {
    const tools = [
      { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string', description: 'x'.repeat(4000) } } } } },
    ];
    const image = { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] };
    expect(OPERATIONS.chat.estimatePrompt({ messages: [image], tools })).toBeGreaterThan(1000 + 765);
  });
});

describe('caller headers', () => {
  it('never forwards a caller x-ms-spillover-deployment, which would steer traffic to any deployment of the account', async () => {
    const rt = testRuntime([ptu], () => reply(200, { ok: true }));
    const req = new HttpRequest({
      method: 'POST',
      url: `http://localhost/api/${chatPath}`,
      params: { deployment: 'gpt-4o' },
      body: { string: JSON.stringify(chatBody) },
      headers: { 'api-key': KEY, 'content-type': 'application/json', 'x-ms-spillover-deployment': 'expensive-standard' },
    });
    await proxyHandler(() => rt, 'deployments', OPERATIONS.chat)(req, new InvocationContext());
    expect(rt.client.calls[0]?.headers).not.toHaveProperty('x-ms-spillover-deployment');
  });
});

describe('Azure PTU spillover', () => {
  it('sends the operator spillover deployment for the alias, and none for other aliases', async () => {
    const spilling = backend({ name: 'ptu', spillover: { byAlias: new Map([['gpt-4o', 'gpt-4o-standard']]) } });
    const rt = testRuntime([spilling], () => reply(200, { ok: true }));
    await call(rt);
    expect(rt.client.calls[0]?.headers['x-ms-spillover-deployment']).toBe('gpt-4o-standard');
    const other = testRuntime([backend({ name: 'ptu', spillover: { byAlias: new Map([['gpt-4.1', 'x']]) } })], () => reply(200, { ok: true }));
    await call(other);
    expect(other.client.calls[0]?.headers).not.toHaveProperty('x-ms-spillover-deployment');
  });
});
