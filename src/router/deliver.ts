import { BackendResponse } from '../backend/BackendClient';
import { sealIdsIn, StoredIds } from '../core/storedIds';
import { RouteTarget } from '../core/targets';
import { TokenUsage } from '../core/usage';
import { filterResponseHeaders } from './headers';
import { Redactor } from './redact';
import { BodyReadError, interruptedEvent, readAll, relayStream, StreamEnd } from './relayStream';
import { RouterEvents } from './RouterEvents';
import { peekFirstEventType, rewriteEvents } from './sseEvents';
import { ProxyRequest, RoutedResponse } from './types';
import { StreamUsageMeter, usageOfBody } from './usageMeter';
import { withoutUsageFrames } from './streamUsage';

/** The backend that answered, on which attempt, how long it took to send headers, and what the answer may cost. */
export interface Served {
  readonly target: RouteTarget;
  readonly attempt: number;
  readonly latencyMs: number;
  readonly storedIds: StoredIds | undefined;
  /** The request's time left: bounds reading a body and relaying a stream alike. */
  readonly remainingMs: number;
  readonly maxResponseBytes: number;
  /** Removes the router's own backend credential from anything relayed. */
  readonly redactor: Redactor;
  /** The router asked for stream usage the caller did not: its usage frame is metered, then dropped. */
  readonly addedStreamUsage: boolean;
}

/** The caller's response, or why this answer cannot be one (the request then moves on, nothing sent yet). */
export type Delivery = RoutedResponse | { readonly kind: 'failed'; readonly reason: 'network' | 'server-error' | 'timeout' };

/** A stream whose first event says it failed: nothing reached the caller yet, so it fails over like a 5xx. */
const FAILED_FIRST_EVENTS: ReadonlySet<string> = new Set(['error', 'response.failed']);

/**
 * Builds the caller's response from a backend answer that is final (success or a 4xx to pass
 * through). SSE is relayed as it arrives; JSON is read whole first (within the size cap and the
 * deadline), so a body that drops, outgrows the cap or does not parse still fails over. Ids of
 * stored objects are sealed on the way out. `completed` fires once the answer is delivered.
 */
export async function deliver(request: ProxyRequest, served: Served, response: BackendResponse, success: boolean, events: RouterEvents): Promise<Delivery> {
  const backend = served.target.backend.name;
  const headers = served.redactor.headers(filterResponseHeaders(response.headers));
  headers['x-router-backend'] = backend;
  headers['x-router-attempts'] = String(served.attempt);
  const base = { kind: 'response', status: response.status, headers, backend, attempts: served.attempt } as const;
  const wantsUsage = events.wantsUsage === true && success;
  const complete = (usage: TokenUsage | undefined): void =>
    events.completed?.({
      consumer: request.consumer,
      alias: request.alias,
      backend: served.target.backend,
      deployment: served.target.deployment,
      status: response.status,
      attempts: served.attempt,
      backendLatencyMs: served.latencyMs,
      stream: request.stream,
      usage,
      spilledOver: spilledOver(headers),
      utilizationPercent: utilizationOf(headers),
    });
  const { operation } = request;
  const seal = sealer(request, served);
  if (success && request.stream && operation.stream !== undefined && (headers['content-type'] ?? '').startsWith('text/event-stream')) {
    if (operation.stream.kind === 'responses') {
      const first = await peekFirstEventType(response.body);
      if (first === undefined || first instanceof Error) return { kind: 'failed', reason: 'network' };
      if (FAILED_FIRST_EVENTS.has(first)) return { kind: 'failed', reason: 'server-error' };
    }
    const meter = wantsUsage ? new StreamUsageMeter(operation, request.json) : undefined;
    const onEnd = (end: StreamEnd, error?: Error): void => {
      events.streamEnded?.(backend, end, error);
      complete(meter?.usage());
    };
    const rewrite = eventRewriter(seal, served, meter);
    const source = rewrite === undefined ? response.body : rewriteEvents(response.body, rewrite);
    const observe = rewrite === undefined && meter !== undefined ? (chunk: Buffer) => meter.observe(chunk) : undefined;
    return { ...base, body: relayStream(source, onEnd, { observe, interrupted: interruptedEvent(operation.stream.kind), remainingMs: served.remainingMs }) };
  }
  let body: Buffer;
  try {
    body = await readAll(response.body, { maxBytes: served.maxResponseBytes, remainingMs: served.remainingMs });
  } catch (err) {
    const reason = err instanceof BodyReadError ? err.reason : 'dropped';
    return { kind: 'failed', reason: reason === 'deadline' ? 'timeout' : reason === 'too-large' ? 'server-error' : 'network' };
  }
  // A success that is not whole JSON was cut short (a `connection: close` answer ends cleanly): fail over as for a drop.
  if (success && isJson(headers['content-type']) && !parses(body)) return { kind: 'failed', reason: 'network' };
  complete(wantsUsage ? usageOfBody(body, operation.usage) : undefined);
  const text = seal === undefined ? body : Buffer.from(seal(body.toString('utf8')), 'utf8');
  return { ...base, body: served.redactor.body(text) };
}

/**
 * What each SSE event goes through before the caller sees it: sealed ids, the router's own
 * usage frame metered then dropped. Undefined when nothing applies: chat streams are then
 * relayed chunk by chunk, untouched.
 */
function eventRewriter(
  seal: ((text: string) => string) | undefined,
  served: Served,
  meter: StreamUsageMeter | undefined,
): ((events: string) => string) | undefined {
  if (seal === undefined && !served.addedStreamUsage) return undefined;
  return (text) => {
    meter?.observe(Buffer.from(text, 'utf8'));
    const sealed = seal === undefined ? text : seal(text);
    return served.redactor.text(served.addedStreamUsage ? withoutUsageFrames(sealed) : sealed);
  };
}

/** Seals the ids of stored objects this backend made, for this consumer; undefined where there are none. */
function sealer(request: ProxyRequest, served: Served): ((text: string) => string) | undefined {
  const { storedIds } = served;
  if (!request.operation.storedIds || storedIds === undefined) return undefined;
  const backend = served.target.backend.name;
  return (text) => sealIdsIn(text, storedIds, backend, request.consumer);
}

/** The docs and the wire disagree on exact names: any `x-ms-spillover-from-*`, or the flag, case-insensitively. */
export function spilledOver(headers: Record<string, string>): boolean {
  for (const name in headers) {
    if (name.startsWith('x-ms-spillover-from')) return true;
    if (name === 'x-ms-is-spilled-over' && headers[name]?.trim().toLowerCase() === 'true') return true;
  }
  return false;
}

/** `azure-openai-deployment-utilization: 87%` (or `87`, or `0.87`) as a percentage. */
export function utilizationOf(headers: Record<string, string>): number | undefined {
  const raw = headers['azure-openai-deployment-utilization'];
  if (raw === undefined) return undefined;
  const value = Number.parseFloat(raw);
  if (!Number.isFinite(value) || value < 0) return undefined;
  return raw.includes('%') || value > 1 ? value : value * 100;
}

const isJson = (contentType: string | undefined): boolean => contentType !== undefined && contentType.includes('json');

function parses(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
