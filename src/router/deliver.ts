import { BackendResponse } from '../backend/BackendClient';
import { RouteTarget } from '../core/targets';
import { TokenUsage } from '../core/usage';
import { filterResponseHeaders } from './headers';
import { readAll, relayStream, StreamEnd } from './relayStream';
import { RouterEvents } from './RouterEvents';
import { ProxyRequest, RoutedResponse } from './types';
import { StreamUsageMeter, usageOfBody } from './usageMeter';

/** The backend that answered, on which attempt, and how long it took to send headers. */
export interface Served {
  readonly target: RouteTarget;
  readonly attempt: number;
  readonly latencyMs: number;
}

/**
 * Builds the caller's response from a backend answer that is final (success or a 4xx to pass
 * through). SSE is relayed as it arrives; JSON is read whole first, so a body that drops
 * midway still fails over (undefined). `completed` fires once the answer is fully delivered.
 */
export async function deliver(request: ProxyRequest, served: Served, response: BackendResponse, success: boolean, events: RouterEvents): Promise<RoutedResponse | undefined> {
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
  if (success && request.stream && (headers['content-type'] ?? '').startsWith('text/event-stream')) {
    const meter = wantsUsage ? new StreamUsageMeter(request.operation, request.json) : undefined;
    const onEnd = (end: StreamEnd, error?: Error): void => {
      events.streamEnded?.(backend, end, error);
      complete(meter?.usage());
    };
    return { ...base, body: relayStream(response.body, onEnd, meter && ((chunk) => meter.observe(chunk))) };
  }
  let body: Buffer;
  try {
    body = await readAll(response.body);
  } catch {
    return undefined;
  }
  complete(wantsUsage ? usageOfBody(body, request.operation.usage) : undefined);
  return { ...base, body };
}
