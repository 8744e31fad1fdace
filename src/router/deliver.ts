import { BackendResponse } from '../backend/BackendClient';
import { sealIdsIn, StoredIds } from '../core/storedIds';
import { RouteTarget } from '../core/targets';
import { TokenUsage } from '../core/usage';
import { filterResponseHeaders } from './headers';
import { interruptedEvent, readAll, relayStream, StreamEnd } from './relayStream';
import { RouterEvents } from './RouterEvents';
import { peekFirstEventType, rewriteEvents } from './sseEvents';
import { ProxyRequest, RoutedResponse } from './types';
import { StreamUsageMeter, usageOfBody } from './usageMeter';

/** The backend that answered, on which attempt, and how long it took to send headers. */
export interface Served {
  readonly target: RouteTarget;
  readonly attempt: number;
  readonly latencyMs: number;
  readonly storedIds: StoredIds | undefined;
}

/** The caller's response, or why this answer cannot be one (the request then moves on, nothing sent yet). */
export type Delivery = RoutedResponse | { readonly kind: 'failed'; readonly reason: 'network' | 'server-error' };

/** A stream whose first event says it failed: nothing reached the caller yet, so it fails over like a 5xx. */
const FAILED_FIRST_EVENTS: ReadonlySet<string> = new Set(['error', 'response.failed']);

/**
 * Builds the caller's response from a backend answer that is final (success or a 4xx to pass
 * through). SSE is relayed as it arrives; JSON is read whole first, so a body that drops
 * midway still fails over. Ids of stored objects are sealed on the way out. `completed` fires
 * once the answer is fully delivered.
 */
export async function deliver(request: ProxyRequest, served: Served, response: BackendResponse, success: boolean, events: RouterEvents): Promise<Delivery> {
  const backend = served.target.backend.name;
  const headers = filterResponseHeaders(response.headers);
  headers['x-router-backend'] = backend;
  headers['x-router-attempts'] = String(served.attempt);
  const base = { kind: 'response', status: response.status, headers, backend, attempts: served.attempt } as const;
  const wantsUsage = events.wantsUsage === true && success;
  const complete = (usage: TokenUsage | undefined): void => events.completed?.({
    consumer: request.consumer, alias: request.alias, backend: served.target.backend, deployment: served.target.deployment,
    status: response.status, attempts: served.attempt, backendLatencyMs: served.latencyMs, stream: request.stream, usage,
  });
  const seal = sealer(request, served);
  const { operation } = request;
  if (success && request.stream && operation.stream !== undefined && (headers['content-type'] ?? '').startsWith('text/event-stream')) {
    if (operation.stream.kind === 'responses') {
      const first = await peekFirstEventType(response.body);
      if (first === undefined || first instanceof Error || FAILED_FIRST_EVENTS.has(first)) return { kind: 'failed', reason: first === undefined || first instanceof Error ? 'network' : 'server-error' };
    }
    const meter = wantsUsage ? new StreamUsageMeter(operation, request.json) : undefined;
    const onEnd = (end: StreamEnd, error?: Error): void => {
      events.streamEnded?.(backend, end, error);
      complete(meter?.usage());
    };
    const source = seal === undefined ? response.body : rewriteEvents(response.body, seal);
    return { ...base, body: relayStream(source, onEnd, meter && ((chunk) => meter.observe(chunk)), interruptedEvent(operation.stream.kind)) };
  }
  let body: Buffer;
  try {
    body = await readAll(response.body);
  } catch {
    return { kind: 'failed', reason: 'network' };
  }
  complete(wantsUsage ? usageOfBody(body, operation.usage) : undefined);
  return { ...base, body: seal === undefined ? body : Buffer.from(seal(body.toString('utf8')), 'utf8') };
}

/** Seals the ids of stored objects this backend made, for this consumer; undefined where there are none. */
function sealer(request: ProxyRequest, served: Served): ((text: string) => string) | undefined {
  const { storedIds } = served;
  if (!request.operation.storedIds || storedIds === undefined) return undefined;
  const backend = served.target.backend.name;
  return (text) => sealIdsIn(text, storedIds, backend, request.consumer);
}


