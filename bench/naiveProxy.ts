/**
 * Child process: the baseline a router is compared with. A plain `node:http` server that checks
 * the caller's key, forwards with global fetch and buffers the whole answer, as a first
 * hand-written proxy would. Prints `Naive proxy listening on <url>`.
 * Env: NAIVE_TARGET_URL, NAIVE_TARGET_KEY, NAIVE_CALLER_KEY.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PASSED_HEADERS, serveProxy } from './proxyServer';

const target = process.env.NAIVE_TARGET_URL ?? '';
const targetKey = process.env.NAIVE_TARGET_KEY ?? '';
const callerKey = process.env.NAIVE_CALLER_KEY ?? '';

function readRequest(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readRequest(req);
  if (req.headers['api-key'] !== callerKey) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"401","message":"bad key"}}');
    return;
  }
  const path = (req.url ?? '/').replace(/^\/api\//, '/');
  const answer = await fetch(`${target}${path}`, {
    method: req.method,
    headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'api-key': targetKey },
    body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  const payload = Buffer.from(await answer.arrayBuffer());
  const headers: Record<string, string> = { 'content-length': String(payload.length) };
  for (const name of PASSED_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  res.writeHead(answer.status, headers).end(payload);
}

serveProxy('Naive proxy', forward, { keepAliveTimeout: 65_000 });
