import { HttpHandler } from './guarded';
import { ApiShape, OperationRow } from '../core/operations';
import { ProxyDeps } from './HandlerDeps';
import { presentedKey } from './ConsumerKeys';
import { checkLimit, LimitDecision } from '../core/consumerLimits';
import { parseProxyRequest } from './parseProxyRequest';
import { refused, Refusal, toHttpResponse } from './outcomes';
import { withCacheStatus } from '../cache/cacheHeader';

export type { HttpHandler };

/** The handler behind every inference route: method, caller key, input, then the router. */
export function proxyHandler(runtime: () => ProxyDeps, api: ApiShape, operation: OperationRow): HttpHandler {
  return async (req) => {
    const { router, consumers, config, state, now, cache } = runtime();
    if (!(operation.methods as readonly string[]).includes(req.method))
      return refused({ kind: 'wrong-method', allow: operation.methods, what: operation.path });
    const consumer = consumers.identify(presentedKey((name) => req.headers.get(name)));
    if (consumer === undefined) return refused({ kind: 'invalid-consumer-key' });
    // Before reading the body: a consumer over its limit costs nothing more.
    const overLimit = limitRefusal(
      checkLimit(config.consumerLimits.get(consumer), (w) => state.usage(consumer, w), now()),
      consumer,
    );
    if (overLimit !== undefined) return refused(overLimit);
    const parsed = await parseProxyRequest(req, { api, operation, consumer, maxBodyBytes: config.maxBodyBytes, storedIds: router.storedIds });
    if (!parsed.ok) return refused(parsed.refusal);
    const { request } = parsed;
    // Outcomes are data; a bug thrown from here is answered by the guard every function wears.
    if (cache === undefined) return toHttpResponse(await router.route(request), request);
    // Looked up before routing; a complete success is stored after (ROUTER_CACHE).
    const answer = await cache.route(request, req.headers.get('cache-control'), () => router.route(request));
    return withCacheStatus(toHttpResponse(answer.result, request), answer.status);
  };
}

/** Over a consumer's token limit: 429 until the minute turns, 403 until the quota period does. No backend is called. */
function limitRefusal(decision: LimitDecision, consumer: string): Refusal | undefined {
  if (decision.kind === 'ok') return undefined;
  if (decision.kind === 'rate-limited') return { kind: 'consumer-rate-limited', consumer, limit: decision.limit, retryAfterMs: decision.retryAfterMs };
  return { kind: 'consumer-quota-exceeded', consumer, limit: decision.limit, period: decision.period, resetsAtMs: decision.resetsAtMs };
}
