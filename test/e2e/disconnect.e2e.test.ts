import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const ROUTER_KEY = 'disconnect-consumer-key-0001';
let backend: Server;
let router: RouterProcess;
let backendClosedEarly: Promise<boolean>;
let onBackendClose: (early: boolean) => void = () => undefined;

beforeAll(async () => {
  // A backend that streams forever, so only a disconnect can end its response.
  backend = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => res.write('data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'), 20);
    res.once('close', () => {
      clearInterval(timer);
      onBackendClose(!res.writableFinished);
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  router = await startRouterProcess({ ROUTER_API_KEYS: `t:${ROUTER_KEY}`, BACKEND_1_URL: url, BACKEND_1_PRIORITY: '1', BACKEND_1_APIKEY: 'k' });
});

afterAll(async () => {
  await router?.stop();
  backend?.closeAllConnections();
  await new Promise((r) => backend?.close(r));
});

describe('a client that disconnects mid-stream', () => {
  it('aborts the backend call', async () => {
    backendClosedEarly = new Promise((resolve) => (onBackendClose = resolve));
    const controller = new AbortController();
    const res = await fetch(`${router.url}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': ROUTER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const early = await Promise.race([backendClosedEarly, new Promise((r) => setTimeout(() => r('still streaming'), 3000))]);
    expect(early).toBe(true);
  });
});
