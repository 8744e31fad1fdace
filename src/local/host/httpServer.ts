// The HTTP front of the local host: one `node:http` server that routes each request to the
// registered function and plays both halves of Azure's HTTP path for it, the Functions host
// and the Node worker in stream mode:
//   host:   reads a body with a Content-Length whole before invoking (and refuses one over
//           FUNCTIONS_REQUEST_BODY_SIZE_LIMIT), builds the trigger metadata (params, headers),
//           and gives up on a request that sees no activity for its proxy timeout (240 s);
//   worker: builds the handler's request as `createStreamRequest` does, and answers only
//           through `sendProxyResponse`: a handler that throws or returns nothing gets no
//           answer at all, and a body that fails leaves its response unfinished.
// Admin calls (`POST /admin/functions/<name>`) start non-HTTP functions, as Core Tools offers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpRequestInit, HttpResponse } from '@azure/functions';
import { createContext, errorText, invokeWithHooks, type FunctionsLibrary, type HostedFunction, type HostLogger } from './invocation';
import { RouteTable } from './routes';
import { workerHttpInput, type WorkerHttpInput } from './triggerMetadata';
import { sendProxyResponse, toHttpResponse, type CookieSerializer } from './writeResponse';

export interface HttpHostOptions {
  lib: FunctionsLibrary;
  routes: RouteTable<HostedFunction>;
  logger: HostLogger;
  /** Starts a non-HTTP function by name; false when there is no such function. */
  invokeAdmin: (name: string) => boolean;
  /** `LOCAL_HOST_LOG_REQUESTS=1`: one line per request, as Core Tools prints. */
  logRequests: boolean;
  /** The library's own `cookie.serialize`, as `sendProxyResponse` uses it. */
  serializeCookie: CookieSerializer;
  /** `LOCAL_HOST_CANCEL_ON_DISCONNECT=1` (local-only): cancel a response body when its client leaves. */
  cancelOnDisconnect: boolean;
  /** `LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS` in ms: the host proxy's activity timeout (240 s in Azure). */
  unansweredTimeoutMs: number;
  /** `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`: larger declared bodies get 413 (104857600 in Azure). */
  maxRequestBodyBytes: number;
  /** Cancels every response body still being read; `LocalHost.close()` calls them. */
  inflight: Set<() => void>;
}

const ADMIN_PREFIX = '/admin/functions/';

function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  const length = Number(raw);
  return Number.isFinite(length) && length >= 0 ? length : undefined;
}

/** The whole body; rejects when the client leaves before sending it all. */
function readWhole(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('The client left before sending the whole body.'));
    });
  });
}

/**
 * `createStreamRequest`: a WHATWG Request with the metadata's headers and params. The body is
 * the buffered bytes when the host read them first, else the live stream; none for GET/HEAD.
 * Throws where the worker throws (an invalid header name in a replaced `Headers`).
 */
function toRequest(
  lib: FunctionsLibrary,
  req: IncomingMessage,
  input: WorkerHttpInput,
  buffered: Buffer | undefined,
): InstanceType<FunctionsLibrary['HttpRequest']> {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // Node has already joined repeated names (only set-cookie stays a list, and no client sends
  // it); a plain object is the cheapest HeadersInit, measurably faster than pairs.
  const headers =
    input.headers.kind === 'request'
      ? (req.headers as Record<string, string>)
      : input.headers.kind === 'replaced'
        ? (input.headers.init as Record<string, string>)
        : undefined;
  const nativeRequest = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method,
    headers,
    body: hasBody ? (buffered ?? req) : undefined,
    duplex: 'half',
  });
  // `nativeRequest` is how the worker builds stream-mode requests; it is not in the public typings.
  return new lib.HttpRequest({ nativeRequest, params: input.params } as HttpRequestInit);
}

interface Watchdog {
  /** Restarts the timeout: bytes went out. */
  touch: () => void;
  stop: () => void;
}

/**
 * The host's proxy (YARP, `ActivityTimeout` of 240 s in `DefaultHttpProxyService`) gives up on a
 * forwarded request after that long without activity. Its answer then is not known for sure;
 * the local host closes the connection.
 */
function startWatchdog(opts: HttpHostOptions, fn: HostedFunction, invocationId: string, res: ServerResponse): Watchdog {
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    const what = res.headersSent ? 'left its response unfinished' : 'left the request unanswered';
    const seconds = opts.unansweredTimeoutMs / 1000;
    opts.logger.warn(
      `[${new Date().toISOString()}] 'Functions.${fn.name}' (Id=${invocationId}) ${what} for ${seconds} s: the connection is closed, as the host's proxy timeout does.`,
    );
    res.destroy();
  }, opts.unansweredTimeoutMs);
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
  };
  res.once('close', stop);
  return {
    touch: () => {
      if (!stopped) timer.refresh();
    },
    stop,
  };
}

function logFailed(opts: HttpHostOptions, fn: HostedFunction, invocationId: string, err: unknown): void {
  opts.logger.error(`[${new Date().toISOString()}] Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}): ${errorText(err)}`);
}

async function serveFunction(
  opts: HttpHostOptions,
  fn: HostedFunction,
  routeParams: Record<string, string>,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const logRequest = (outcome: string | number): void => {
    if (!opts.logRequests) return;
    const ms = (performance.now() - started).toFixed(2);
    opts.logger.log(`[${new Date().toISOString()}] ${req.method} ${req.url} -> ${fn.name} ${outcome} (${ms} ms)`);
  };
  // The host reads a declared body whole before the function runs; its size limit comes first.
  const declared = declaredLength(req);
  if (declared !== undefined && declared > opts.maxRequestBodyBytes) {
    req.resume();
    res.writeHead(413, { 'content-length': '0', connection: 'close' }).end();
    return logRequest(413);
  }
  let buffered: Buffer | undefined;
  if (declared !== undefined && declared > 0) {
    try {
      buffered = await readWhole(req);
    } catch {
      res.destroy(); // The caller left mid-upload: there is nothing to invoke.
      return logRequest('abandoned');
    }
  }
  const context = createContext(opts.lib, fn);
  const watchdog = startWatchdog(opts, fn, context.invocationId, res);
  let response: HttpResponse | undefined;
  try {
    const request = toRequest(opts.lib, req, workerHttpInput({ routeParams, query, body: buffered }), buffered);
    response = toHttpResponse(opts.lib, await invokeWithHooks(fn, [request], context));
  } catch (err) {
    // The worker reports the failure to the host at once but never answers the HTTP request.
    logFailed(opts, fn, context.invocationId, err);
    return logRequest('unanswered');
  }
  if (response === undefined) {
    // `toRpcHttp` returns early for nothing, before `sendProxyResponse`: no HTTP answer either.
    opts.logger.warn(
      `[${new Date().toISOString()}] 'Functions.${fn.name}' (Id=${context.invocationId}) returned no response: the worker sends none, so the caller waits for the host's timeout.`,
    );
    return logRequest('unanswered');
  }
  let tracked: (() => void) | undefined;
  const track = (cancel: (() => void) | undefined): void => {
    if (tracked) opts.inflight.delete(tracked);
    tracked = cancel;
    if (cancel) opts.inflight.add(cancel);
  };
  try {
    await sendProxyResponse(res, response, {
      invocationId: context.invocationId,
      serializeCookie: opts.serializeCookie,
      cancelOnDisconnect: opts.cancelOnDisconnect,
      onActivity: watchdog.touch,
      track,
    });
    watchdog.stop();
  } catch (err) {
    // Status and part of the body are out; the worker never ends the response.
    logFailed(opts, fn, context.invocationId, err);
    return logRequest('unfinished');
  }
  logRequest(res.statusCode);
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-length': '0' }).end();
}

function serveAdmin(opts: HttpHostOptions, req: IncomingMessage, res: ServerResponse, path: string): void {
  let name = path.slice(ADMIN_PREFIX.length);
  try {
    name = decodeURIComponent(name);
  } catch {
    // Keep the raw name: it will simply not match a function.
  }
  // The body (`{"input": ""}`) carries nothing a timer uses; drain it so keep-alive works.
  req.resume();
  if (!opts.invokeAdmin(name)) return notFound(res);
  res.writeHead(202, { 'content-length': '0' }).end();
}

export function createRequestListener(opts: HttpHostOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    if (method === 'POST' && path.toLowerCase().startsWith(ADMIN_PREFIX)) return serveAdmin(opts, req, res, path);
    const match = opts.routes.match(method, path);
    if (!match) {
      req.resume();
      return notFound(res);
    }
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    serveFunction(opts, match.target, match.params, query, req, res).catch((err: unknown) => {
      // Only a bug of the local host itself gets here.
      opts.logger.error(`[local host] ${errorText(err)}`);
      res.destroy();
    });
  };
}

export function createHttpServer(opts: HttpHostOptions): Server {
  // noDelay: small SSE events must not wait for Nagle. No request timeout: a completion stream
  // may run for minutes. Keep-alive idles longer than common client pools (60 s) so a client
  // never reuses a socket the server is about to close.
  return createServer({ noDelay: true, requestTimeout: 0, keepAliveTimeout: 65_000, headersTimeout: 66_000 }, createRequestListener(opts));
}
