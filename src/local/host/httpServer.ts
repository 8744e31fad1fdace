// The HTTP front of the local host: one `node:http` server that routes each request to the
// registered function and builds its trigger input exactly as the worker does in stream mode
// (`createStreamRequest`): a WHATWG Request over the live IncomingMessage, so the handler can
// read the body as a stream and nothing is buffered on the way in. Admin calls
// (`POST /admin/functions/<name>`) start non-HTTP functions, as Core Tools offers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpRequestInit } from '@azure/functions';
import { createContext, errorText, invokeWithHooks, type FunctionsLibrary, type HostedFunction, type HostLogger } from './invocation';
import { RouteTable } from './routes';
import { toHttpResponse, writeHttpResponse } from './writeResponse';

export interface HttpHostOptions {
  lib: FunctionsLibrary;
  routes: RouteTable<HostedFunction>;
  logger: HostLogger;
  /** Starts a non-HTTP function by name; false when there is no such function. */
  invokeAdmin: (name: string) => boolean;
  /** `LOCAL_HOST_LOG_REQUESTS=1`: one line per request, as Core Tools prints. */
  logRequests: boolean;
}

const ADMIN_PREFIX = '/admin/functions/';

/**
 * Bodies that declare a small Content-Length are read first and handed over as one Buffer:
 * a Request over a Buffer costs about half the CPU of one over a live stream (measured), and
 * the function sees the same bytes. Undeclared or large bodies stay streamed, so the app can
 * still refuse an unbounded body without buffering it.
 */
const PREREAD_MAX_BYTES = 1 << 20;

function preread(req: IncomingMessage): Promise<Buffer> | undefined {
  const declared = Number(req.headers['content-length']);
  if (!(declared > 0 && declared <= PREREAD_MAX_BYTES)) return undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

async function toRequest(lib: FunctionsLibrary, req: IncomingMessage, params: Record<string, string>): Promise<InstanceType<FunctionsLibrary['HttpRequest']>> {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? ((await preread(req)) ?? req) : undefined;
  const nativeRequest = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method,
    // Node has already joined repeated names (only set-cookie stays a list, and no client sends
    // it); a plain object is the cheapest HeadersInit, measurably faster than pairs.
    headers: req.headers as Record<string, string>,
    body,
    duplex: 'half',
  });
  // `nativeRequest` is how the worker builds stream-mode requests; it is not in the public typings.
  return new lib.HttpRequest({ nativeRequest, params } as HttpRequestInit);
}

async function serveFunction(
  opts: HttpHostOptions,
  fn: HostedFunction,
  params: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = opts.logRequests ? performance.now() : 0;
  const context = createContext(opts.lib, fn);
  try {
    const result = await invokeWithHooks(fn, [await toRequest(opts.lib, req, params)], context);
    await writeHttpResponse(res, toHttpResponse(opts.lib, result));
  } catch (err) {
    // As the host: the caller gets a bare 500 (or, once the status is out, a cut-off
    // response), the details go to the log.
    opts.logger.error(`[${new Date().toISOString()}] Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}): ${errorText(err)}`);
    if (!res.headersSent) res.writeHead(500, { 'content-length': '0' }).end();
    else res.destroy();
  }
  if (opts.logRequests) {
    const ms = (performance.now() - started).toFixed(2);
    opts.logger.log(`[${new Date().toISOString()}] ${req.method} ${req.url} -> ${fn.name} ${res.statusCode} (${ms} ms)`);
  }
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
    serveFunction(opts, match.target, match.params, req, res).catch((err: unknown) => {
      opts.logger.error(`[local host] ${errorText(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' }).end();
      else res.destroy();
    });
  };
}

export function createHttpServer(opts: HttpHostOptions): Server {
  // noDelay: small SSE events must not wait for Nagle. No request timeout: a completion stream
  // may run for minutes. Keep-alive idles longer than common client pools (60 s) so a client
  // never reuses a socket the server is about to close.
  return createServer({ noDelay: true, requestTimeout: 0, keepAliveTimeout: 65_000, headersTimeout: 66_000 }, createRequestListener(opts));
}
