// Writes a handler's result to the client as the worker's `sendProxyResponse` does in HTTP
// stream mode: headers minus hop-by-hop ones, status, cookies, then the body chunk by chunk as
// it arrives. Chunks are never collected, so server-sent events reach the client as they are
// produced; if the client goes away first, the body stream is cancelled, which is how the app
// learns to abort its own backend call.
import type { ServerResponse } from 'node:http';
import type { Cookie, HttpResponse } from '@azure/functions';
import type { FunctionsLibrary } from './invocation';

// Same list as the worker's `blockedProxyResponseHeaders`.
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade',
]);

/** Accepts what a handler may return: an HttpResponse, a plain HttpResponseInit, or nothing. */
export function toHttpResponse(lib: FunctionsLibrary, result: unknown): HttpResponse | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result !== 'object') {
    throw new TypeError('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  return result instanceof lib.HttpResponse ? result : new lib.HttpResponse(result);
}

function serializeCookie(c: Cookie): string {
  const parts = [`${c.name}=${encodeURIComponent(c.value)}`];
  if (c.domain) parts.push(`Domain=${c.domain}`);
  if (c.path) parts.push(`Path=${c.path}`);
  if (c.expires !== undefined) parts.push(`Expires=${new Date(c.expires).toUTCString()}`);
  if (c.maxAge !== undefined) parts.push(`Max-Age=${Math.floor(c.maxAge)}`);
  if (c.httpOnly) parts.push('HttpOnly');
  if (c.secure) parts.push('Secure');
  if (c.sameSite) parts.push(`SameSite=${c.sameSite}`);
  return parts.join('; ');
}

/** Flat `[name, value, name, value…]` list for `writeHead`, which keeps repeated names. */
export function responseHeaderList(response: HttpResponse): string[] {
  const connection = response.headers.get('connection');
  const named = connection ? new Set(connection.split(',').map((h) => h.trim().toLowerCase())) : undefined;
  const list: string[] = [];
  for (const [name, value] of response.headers) {
    // Headers iteration yields lower-case names; set-cookie comes below, one line per cookie.
    if (HOP_BY_HOP.has(name) || named?.has(name) || name === 'set-cookie') continue;
    list.push(name, value);
  }
  for (const cookie of response.headers.getSetCookie()) list.push('set-cookie', cookie);
  for (const cookie of response.cookies) list.push('set-cookie', serializeCookie(cookie));
  return list;
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Streams `body` to `res`; cancels `body` if the client disconnects before it ends. */
async function pipeBody(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  let cancelled = false;
  const cancel = (): void => {
    if (cancelled) return;
    cancelled = true;
    // Resolves a pending read() with done, so the loop below ends even mid-wait.
    reader.cancel(new Error('The client closed the connection.')).catch(() => undefined);
  };
  const onClose = (): void => {
    if (!res.writableFinished) cancel();
  };
  res.once('close', onClose);
  try {
    // Cork the first chunk until the next tick: a body that is already complete (JSON, text)
    // then leaves in one write with the headers and the final chunk, while a stream whose next
    // chunk is not ready yet is flushed at once.
    res.cork();
    process.nextTick(() => res.uncork());
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) {
        cancel();
        break;
      }
      if (!res.write(value)) await waitForDrain(res);
    }
  } finally {
    res.off('close', onClose);
    reader.releaseLock();
  }
  res.end();
}

/**
 * Sends the response. Throws when the body stream fails; by then the status may be out, so the
 * caller must cut the connection rather than answer again. Nothing returned becomes 204.
 */
export async function writeHttpResponse(res: ServerResponse, response: HttpResponse | undefined): Promise<void> {
  if (response === undefined) {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(response.status, responseHeaderList(response));
  const body = response.body;
  if (body === null) res.end();
  else await pipeBody(body, res);
}
