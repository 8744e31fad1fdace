import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/core/operations';
import { guarded } from '../../src/http/guarded';
import { modelsHandler } from '../../src/http/modelsHandler';
import { proxyHandler } from '../../src/http/proxyHandler';
import { statusHandler } from '../../src/http/statusHandler';
import { Runtime } from '../../src/runtime/Runtime';
import { reply } from '../support/FakeBackendClient';
import { backend } from '../support/fixtures';
import { testRuntime } from '../support/runtime';

const KEY = 'test-consumer-key-0001';
const ADMIN = 'admin-key-0123456789abcdef';
const boom = (): never => {
  throw new Error('injected fault');
};

/** A working runtime with one part replaced by one that throws. */
function breaking(step: string): Runtime {
  const rt = testRuntime([backend({ name: 'ptu' })], () => reply(200, { ok: true }), {
    adminKey: ADMIN,
    consumerLimits: new Map([['team-a', { tokensPerMinute: 1000, quota: undefined }]]),
  });
  const parts: Record<string, () => void> = {
    key: () => Object.assign(rt.consumers, { identify: boom }),
    limits: () => Object.assign(rt.state, { usage: boom }),
    parsing: () => Object.defineProperty(rt.router, 'storedIds', { get: boom }),
    routing: () => Object.assign(rt.router, { route: boom }),
    'status building': () => Object.assign(rt.state, { windows: boom }),
    settings: () => Object.defineProperty(rt, 'config', { get: boom }),
  };
  parts[step]?.();
  return rt;
}

const chat = () =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/openai/deployments/gpt-4o/chat/completions',
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: { string: '{"messages":[]}' },
    params: { deployment: 'gpt-4o' },
  });
const status = () => new HttpRequest({ method: 'GET', url: 'http://localhost/api/router/status', headers: { 'api-key': ADMIN } });
const models = () => new HttpRequest({ method: 'GET', url: 'http://localhost/api/openai/v1/models', headers: { authorization: `Bearer ${KEY}` } });

async function answer(handler: ReturnType<typeof guarded>, req: HttpRequest) {
  const logged: string[] = [];
  const context = new InvocationContext({ logHandler: (_level, ...args) => void logged.push(args.join(' ')) });
  const res = new HttpResponse(await handler(req, context));
  return { status: res.status, body: await res.text(), logged };
}

describe('guarded', () => {
  it.each(['key', 'limits', 'parsing', 'routing', 'settings'])(
    'answers an OpenAI-shaped 500 when the inference handler throws at the %s step',
    async (step) => {
      const res = await answer(
        guarded(
          'chatCompletions',
          proxyHandler(() => breaking(step), 'deployments', OPERATIONS.chat),
        ),
        chat(),
      );
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body).error).toMatchObject({ code: 'router_error', type: 'server_error' });
      expect(res.body).not.toContain('injected fault');
      expect(res.logged.join('\n')).toContain('injected fault');
    },
  );

  it.each(['status building', 'settings'])('answers an OpenAI-shaped 500 when the status handler throws at the %s step', async (step) => {
    const res = await answer(
      guarded(
        'routerStatus',
        statusHandler(() => breaking(step)),
      ),
      status(),
    );
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body).error.code).toBe('router_error');
  });

  it.each(['key', 'settings'])('answers an OpenAI-shaped 500 when the models handler throws at the %s step', async (step) => {
    const res = await answer(
      guarded(
        'v1Models',
        modelsHandler(() => breaking(step)),
      ),
      models(),
    );
    expect(res.status).toBe(500);
  });

  it('answers an OpenAI-shaped 500 when any handler rejects', async () => {
    const res = await answer(
      guarded('health', async () => Promise.reject(new Error('injected fault'))),
      status(),
    );
    expect(res.status).toBe(500);
  });

  it('answers 400 naming a query parameter called headers, which the platform would turn into the request headers', async () => {
    const req = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/openai/v1/chat/completions?Headers=x',
      headers: { authorization: `Bearer ${KEY}` },
      body: { string: '{}' },
    });
    const res = await answer(
      guarded(
        'v1ChatCompletions',
        proxyHandler(() => breaking('none'), 'v1', OPERATIONS.chat),
      ),
      req,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'reserved_query_parameter' });
    expect(JSON.parse(res.body).error.message).toContain('"Headers"');
  });
});
