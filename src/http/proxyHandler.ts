import { HttpResponseInit } from '@azure/functions';
import { HttpHandler } from './guarded';
import { ApiShape, OperationRow } from '../core/operations';
import { ProxyDeps } from './HandlerDeps';
import { presentedKey } from './ConsumerKeys';
import { checkLimit, LimitDecision } from '../core/consumerLimits';
import { openAiError, retryAfterHeaders } from './openAiError';
import { parseProxyRequest } from './parseProxyRequest';
import { toHttpResponse } from './toHttpResponse';

export type { HttpHandler };

/** The handler behind every inference route: method, caller key, input, then the router. */
export function proxyHandler(runtime: () => ProxyDeps, api: ApiShape, operation: OperationRow): HttpHandler {
  return async (req) => {
    const { router, consumers, config, state, now } = runtime();
    if (!(operation.methods as readonly string[]).includes(req.method)) {
      const allow = operation.methods.join(', ');
      return openAiError(405, 'method_not_allowed', `Use ${allow} for ${operation.path}.`, { allow });
    }
    const consumer = consumers.identify(presentedKey((name) => req.headers.get(name)));
    if (consumer === undefined) {
      return openAiError(401, 'invalid_api_key', 'Missing or invalid router key: send it as "api-key: <key>" or "Authorization: Bearer <key>".');
    }
    // Before reading the body: a consumer over its limit costs nothing more.
    const overLimit = limitResponse(
      checkLimit(config.consumerLimits.get(consumer), (w) => state.usage(consumer, w), now()),
      consumer,
    );
    if (overLimit !== undefined) return overLimit;
    const parsed = await parseProxyRequest(req, { api, operation, consumer, maxBodyBytes: config.maxBodyBytes, storedIds: router.storedIds });
    if (!parsed.ok) return parsed.response;
    const { request } = parsed;
    // Outcomes are data; a bug thrown from here is answered by the guard every function wears.
    return toHttpResponse(await router.route(request), request);
  };
}

/** Over a consumer's token limit: 429 until the minute turns, 403 until the quota period does. No backend is called. */
function limitResponse(decision: LimitDecision, consumer: string): HttpResponseInit | undefined {
  if (decision.kind === 'ok') return undefined;
  if (decision.kind === 'rate-limited') {
    const message = `Consumer "${consumer}" used its ${decision.limit} tokens per minute. Retry after ${Math.ceil(decision.retryAfterMs / 1000)} seconds.`;
    return openAiError(429, 'consumer_rate_limited', message, retryAfterHeaders(decision.retryAfterMs));
  }
  const message = `Consumer "${consumer}" used its ${decision.limit}-token ${decision.period}ly quota; it resets at ${new Date(decision.resetsAtMs).toISOString()}.`;
  return openAiError(403, 'consumer_quota_exceeded', message);
}
