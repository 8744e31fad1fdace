/** Writing answers: Azure's response headers, latency, stats, and cutting connections for faults. */
import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Exchange } from './state';

export const JSON_TYPE = 'application/json';

/** Headers Azure puts on every answer, successes and errors alike. */
export function replyHeaders(ex: Exchange, contentType: string, extra?: Record<string, string>): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    'content-type': contentType,
    'x-ms-region': ex.state.region,
    'apim-request-id': randomUUID(),
    'x-request-id': randomUUID(),
    'azureml-model-session': ex.state.modelSession,
  };
  const clientRequestId = ex.req.headers['x-ms-client-request-id'];
  if (clientRequestId !== undefined) headers['x-ms-client-request-id'] = clientRequestId;
  addRemainingHeaders(ex, headers);
  return extra === undefined ? headers : Object.assign(headers, extra);
}

/** Remaining quota of the deployment as of now; a deployment never charged has its full quota. */
function addRemainingHeaders(ex: Exchange, headers: OutgoingHttpHeaders): void {
  const { rpm, tpm, limiters, now } = ex.state;
  if (rpm === undefined && tpm === undefined) return;
  const limiter = ex.deployment === undefined ? undefined : limiters.get(ex.deployment);
  const time = limiter === undefined ? 0 : now();
  if (rpm !== undefined) headers['x-ratelimit-remaining-requests'] = limiter?.remainingRequests(time) ?? rpm;
  if (tpm !== undefined) headers['x-ratelimit-remaining-tokens'] = limiter?.remainingTokens(time) ?? tpm;
}

/**
 * Runs `write` after the latency: the configured one for successes only (Azure refuses
 * at once; generating is what takes time), plus any injected delay for every answer.
 * A client that leaves meanwhile cancels the timer, so nothing outlives close().
 */
export function deliver(ex: Exchange, ok: boolean, write: () => void): void {
  const wait = ex.extraDelayMs + (ok ? Math.round(ex.state.latencyMs * ex.latencyScale) : 0);
  if (wait <= 0) {
    write();
    return;
  }
  const cancel = (): void => clearTimeout(timer);
  const timer = setTimeout(() => {
    ex.res.off('close', cancel);
    if (!ex.res.destroyed) write();
  }, wait);
  ex.res.once('close', cancel);
}

/** Counts an answer as it is written. A success that a fault will cut counts as failed. */
export function countAnswer(ex: Exchange, status: number): void {
  const stats = ex.state.stats;
  if (status === 429) stats.throttled++;
  if (status < 200 || status >= 300) return;
  if (ex.dropAfterChunks !== undefined) {
    stats.failed++;
    return;
  }
  stats.served++;
  stats.tokensServed += ex.servedTokens;
}

/** Sends a JSON answer; `body` is already serialized (each answer is stringified once). */
export function sendJson(ex: Exchange, status: number, body: string, extra?: Record<string, string>): void {
  deliver(ex, status >= 200 && status < 300, () => writeJson(ex, status, body, extra));
}

/**
 * A success that generates nothing, sent without the configured latency (an injected delay
 * still applies): reading, deleting or cancelling a stored object, acknowledging a
 * background response. Generating is what takes the latency.
 */
export function sendJsonNow(ex: Exchange, status: number, body: string): void {
  deliver(ex, false, () => writeJson(ex, status, body));
}

function writeJson(ex: Exchange, status: number, body: string, extra?: Record<string, string>): void {
  const headers = replyHeaders(ex, JSON_TYPE, extra);
  // Explicit length: writeHead freezes the headers, so Node could not add it and would chunk.
  headers['content-length'] = Buffer.byteLength(body);
  countAnswer(ex, status);
  if (status >= 200 && status < 300 && ex.dropAfterChunks !== undefined) {
    ex.res.writeHead(status, headers).write(body.slice(0, body.length >> 1));
    cutConnection(ex.res);
    return;
  }
  ex.res.writeHead(status, headers).end(body);
}

/**
 * Ends the connection mid-answer. socket.end() first flushes what was written (so the
 * client gets exactly the chunks we meant), then the socket is destroyed; the client
 * sees a truncated body, like a backend dying mid-stream.
 */
export function cutConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) return;
  res.flushHeaders();
  socket.end(() => socket.destroy());
}
