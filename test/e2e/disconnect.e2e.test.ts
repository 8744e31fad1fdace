// What a caller that leaves mid-stream does to the backend call, through the built app on the
// local host, which behaves as Azure's worker here: the worker's `sendProxyResponse` reads the
// response body to its end whatever the caller does, and the handler's request carries no
// signal, so nothing tells the app that its caller left. Only the router's own total deadline
// (ROUTER_TOTAL_TIMEOUT_SECONDS) ends the stream and aborts the backend call.
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const ROUTER_KEY = 'disconnect-consumer-key-0001';
const TOTAL_TIMEOUT_SECONDS = 2;
let backend: Server;
let router: RouterProcess;
/** Called with the time the backend's response closed and whether it closed before finishing. */
let onBackendClose: (closedAt: number, early: boolean) => void = () => undefined;

beforeAll(async () => {
  // A backend that streams forever, so only the router can end its response.
  backend = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const timer = setInterval(() => res.write('data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'), 20);
    res.once('close', () => {
      clearInterval(timer);
      onBackendClose(Date.now(), !res.writableFinished);
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  router = await startRouterProcess({
    ROUTER_API_KEYS: `t:${ROUTER_KEY}`,
    BACKEND_1_URL: url,
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: 'k',
    // The whole-request deadline, and the per-call timeout it may not be below.
    ROUTER_TOTAL_TIMEOUT_SECONDS: String(TOTAL_TIMEOUT_SECONDS),
    HTTP_TIMEOUT_SECONDS: String(TOTAL_TIMEOUT_SECONDS),
  });
});

afterAll(async () => {
  await router?.stop();
  backend?.closeAllConnections();
  await new Promise((r) => backend?.close(r));
});

describe('a client that disconnects mid-stream', () => {
  it('does not abort the backend call by itself; the router total deadline does, about ROUTER_TOTAL_TIMEOUT_SECONDS after the start', async () => {
    const backendClosed = new Promise<{ closedAt: number; early: boolean }>((resolve) => (onBackendClose = (closedAt, early) => resolve({ closedAt, early })));
    const started = Date.now();
    const controller = new AbortController();
    const res = await fetch(`${router.url}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': ROUTER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await res.body!.getReader().read();
    controller.abort();
    const left = Date.now();
    const closed = await Promise.race([backendClosed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 7000))]);
    expect(closed, 'the backend response never closed').toBeDefined();
    const { closedAt, early } = closed!;
    expect(early).toBe(true);
    // Not because the client left...
    expect(closedAt - left).toBeGreaterThan(500);
    // ...but at the router's deadline.
    expect(closedAt - started).toBeGreaterThanOrEqual(1500);
    expect(closedAt - started).toBeLessThanOrEqual(6000);
  });
});
