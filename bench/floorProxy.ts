/**
 * Child process: the floor for a Node.js proxy on this machine, for context. `node:http` in,
 * one undici Pool out, bodies piped both ways, no WHATWG streams, no framework: what any
 * Node proxy pays at least (two HTTP parses, two socket writes per request).
 * Prints `Floor proxy listening on <url>`. Env: NAIVE_TARGET_URL, NAIVE_TARGET_KEY, NAIVE_CALLER_KEY.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';
import { PASSED_HEADERS, serveProxy } from './proxyServer';

const pool = new Pool(process.env.NAIVE_TARGET_URL ?? '', { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 });
const targetKey = process.env.NAIVE_TARGET_KEY ?? '';
const callerKey = process.env.NAIVE_CALLER_KEY ?? '';

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.headers['api-key'] !== callerKey) {
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"401","message":"bad key"}}');
    return;
  }
  const answer = await pool.request({
    path: (req.url ?? '/').replace(/^\/api\//, '/'),
    method: 'POST',
    headers: { 'content-type': req.headers['content-type'] ?? 'application/json', 'api-key': targetKey },
    body: req,
  });
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  res.writeHead(answer.statusCode, headers);
  pipeline(answer.body, res, () => undefined);
}

serveProxy('Floor proxy', forward, { keepAliveTimeout: 65_000, noDelay: true });
