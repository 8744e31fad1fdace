// Writes a handler's result to the client as the worker's `sendProxyResponse` does in HTTP
// stream mode (@azure/functions, src/http/httpProxy.ts): each allowed header with `setHeader`
// (hop-by-hop ones and any named in `Connection` are dropped), `x-ms-invocation-id`, the status,
// the cookies, then every chunk of the body as it arrives, then `end()`.
//
// Like the worker, it reads the body to its very end whatever the client does: it never waits
// for the socket to drain, and when the client has gone, the writes are simply lost (a write to
// a destroyed socket is a no-op). The app is never told: its stream is not cancelled, so a
// backend call behind it runs on. Only `LOCAL_HOST_CANCEL_ON_DISCONNECT=1` (local-only, see the
// README) cancels the body when the client disconnects.
import type { ServerResponse } from 'node:http';
import type { Cookie, HttpResponse } from '@azure/functions';
import type { FunctionsLibrary } from './invocation';

// Same list as the worker's `blockedProxyResponseHeaders`.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

export const INVOCATION_ID_HEADER = 'x-ms-invocation-id';

/** `serialize` of the `cookie` package: the library's own dependency, loaded from beside it. */
export type CookieSerializer = (name: string, value: string, options: CookieOptions) => string;

export interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: Date;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: string | boolean;
  maxAge?: number;
}

/**
 * Accepts what a handler may return: an HttpResponse or a plain HttpResponseInit. Nothing
 * (`undefined`/`null`) stays undefined: the worker then sends no HTTP response at all.
 */
export function toHttpResponse(lib: FunctionsLibrary, result: unknown): HttpResponse | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result !== 'object') {
    throw new TypeError('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  return result instanceof lib.HttpResponse ? result : new lib.HttpResponse(result);
}

function connectionNamed(connection: string | null): Set<string> {
  return new Set(
    connection
      ?.split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
  );
}

/** The worker's `setCookies`: SameSite names lower-cased for `cookie.serialize`, one `Set-Cookie` list. */
function serializeCookies(cookies: Cookie[], serialize: CookieSerializer): string[] {
  return cookies.map((c) => {
    const sameSite = c.sameSite === 'Lax' ? 'lax' : c.sameSite === 'None' ? 'none' : c.sameSite === 'Strict' ? 'strict' : c.sameSite;
    return serialize(c.name, c.value, {
      domain: c.domain,
      path: c.path,
      expires: typeof c.expires === 'number' ? new Date(c.expires) : c.expires,
      secure: c.secure,
      httpOnly: c.httpOnly,
      sameSite,
      maxAge: c.maxAge,
    });
  });
}

/**
 * Status and headers exactly as the worker sets them. Note what `setHeader` implies: of several
 * `set-cookie` headers only the last survives, and any `cookies` replace them all.
 */
export function setResponseHead(res: ServerResponse, response: HttpResponse, invocationId: string, serialize: CookieSerializer): void {
  const named = connectionNamed(response.headers.get('connection'));
  for (const [name, value] of response.headers.entries()) {
    if (!HOP_BY_HOP.has(name) && !named.has(name)) res.setHeader(name, value);
  }
  res.setHeader(INVOCATION_ID_HEADER, invocationId);
  res.statusCode = response.status;
  if (response.cookies.length > 0) res.setHeader('Set-Cookie', serializeCookies(response.cookies, serialize));
}

export interface SendOptions {
  invocationId: string;
  serializeCookie: CookieSerializer;
  /** `LOCAL_HOST_CANCEL_ON_DISCONNECT=1`: cancel the body when the client leaves (local-only). */
  cancelOnDisconnect: boolean;
  /** Called whenever bytes go out (the host's proxy measures its timeout from the last activity). */
  onActivity: () => void;
  /** Receives a function that cancels the body (used by `LocalHost.close()`), and later undefined. */
  track: (cancel: (() => void) | undefined) => void;
}

/**
 * Sends the response and ends it. Throws when the body stream fails: as in the worker, the
 * response is then left unfinished (status and the first chunks are out, `end()` never comes).
 */
export async function sendProxyResponse(res: ServerResponse, response: HttpResponse, opts: SendOptions): Promise<void> {
  setResponseHead(res, response, opts.invocationId, opts.serializeCookie);
  const body = response.body;
  if (body !== null) {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
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
    if (opts.cancelOnDisconnect) res.once('close', onClose);
    opts.track(cancel);
    try {
      // Cork the first chunk until the next tick: a body that is already complete (JSON, text)
      // then leaves in one write with the headers, while a stream whose next chunk is not ready
      // yet is flushed at once. (A local optimisation; the bytes are the same.)
      res.cork();
      process.nextTick(() => res.uncork());
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (opts.cancelOnDisconnect && res.destroyed) {
          cancel();
          break;
        }
        // As the worker: no backpressure, and a write after the client left goes nowhere.
        res.write(value);
        opts.onActivity();
      }
    } finally {
      res.off('close', onClose);
      opts.track(undefined);
      reader.releaseLock();
    }
  }
  res.end();
}
