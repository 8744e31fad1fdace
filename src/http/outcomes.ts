import { HttpResponseInit } from '@azure/functions';
import { FinalFailure } from '../core/finalFailure';
import { ProxyRequest, RouteResult } from '../router/types';
import { openAiError, retryAfterHeaders } from './openAiError';

/**
 * Why the router answered a request itself, before or instead of routing it. Handlers and
 * parsing return these as data; `refused` and `toHttpResponse` below are the one place where
 * outcomes become statuses, codes and messages.
 */
export type Refusal =
  | { readonly kind: 'wrong-method'; readonly allow: readonly string[]; readonly what: string }
  | { readonly kind: 'invalid-consumer-key' }
  | { readonly kind: 'admin-key-missing' }
  | { readonly kind: 'admin-key-wrong' }
  | { readonly kind: 'admin-key-needed' }
  | { readonly kind: 'invalid-history-span'; readonly value: string }
  | { readonly kind: 'consumer-rate-limited'; readonly consumer: string; readonly limit: number; readonly retryAfterMs: number }
  | { readonly kind: 'consumer-quota-exceeded'; readonly consumer: string; readonly limit: number; readonly period: string; readonly resetsAtMs: number }
  | { readonly kind: 'invalid-deployment-name'; readonly name: string }
  | { readonly kind: 'id-secret-missing' }
  | { readonly kind: 'body-too-large'; readonly limitBytes: number }
  | { readonly kind: 'body-unreadable' }
  | { readonly kind: 'invalid-json' }
  | { readonly kind: 'missing-model' }
  | { readonly kind: 'stored-id-not-found'; readonly id: string }
  | { readonly kind: 'conflicting-stored-ids' }
  | { readonly kind: 'reserved-query-parameter'; readonly name: string }
  | { readonly kind: 'unknown-route'; readonly method: string; readonly path: string }
  | { readonly kind: 'router-error' };

const CONSUMER_KEY_HINT = 'Missing or invalid router key: send it as "api-key: <key>" or "Authorization: Bearer <key>".';
const quoted = (text: string): string => JSON.stringify(text.slice(0, 80));

/** The OpenAI-shaped answer to a request the router refuses. */
export function refused(r: Refusal): HttpResponseInit {
  switch (r.kind) {
    case 'wrong-method':
      return openAiError(405, 'method_not_allowed', `Use ${r.allow.join(', ')} for ${r.what}.`, { allow: r.allow.join(', ') });
    case 'invalid-consumer-key':
      return openAiError(401, 'invalid_api_key', CONSUMER_KEY_HINT);
    case 'admin-key-missing':
      return openAiError(401, 'invalid_api_key', 'The router status needs the admin key (ROUTER_ADMIN_KEY) as api-key or Bearer.');
    case 'admin-key-wrong':
      return openAiError(401, 'invalid_api_key', 'Wrong key for the router status.');
    case 'admin-key-needed':
      return openAiError(403, 'forbidden', 'The router status needs the admin key, not a consumer key.');
    case 'invalid-history-span':
      return openAiError(400, 'invalid_request_error', `history=${quoted(r.value)} is not a span: use e.g. 15m, 1h (at most 1h), 90s.`);
    case 'consumer-rate-limited':
      return openAiError(
        429,
        'consumer_rate_limited',
        `Consumer "${r.consumer}" used its ${r.limit} tokens per minute. Retry after ${Math.ceil(r.retryAfterMs / 1000)} seconds.`,
        retryAfterHeaders(r.retryAfterMs),
      );
    case 'consumer-quota-exceeded':
      return openAiError(
        403,
        'consumer_quota_exceeded',
        `Consumer "${r.consumer}" used its ${r.limit}-token ${r.period}ly quota; it resets at ${new Date(r.resetsAtMs).toISOString()}.`,
      );
    case 'invalid-deployment-name':
      return openAiError(
        400,
        'invalid_deployment_name',
        `The deployment name ${quoted(r.name)} is not valid: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.`,
      );
    case 'id-secret-missing':
      return openAiError(503, 'id_secret_missing', 'This router cannot serve stored responses or conversations until its operator sets ROUTER_ID_SECRET.');
    case 'body-too-large':
      return openAiError(413, 'request_too_large', `The request body is larger than the router's limit of ${r.limitBytes} bytes (ROUTER_MAX_BODY_BYTES).`);
    case 'body-unreadable':
      return openAiError(400, 'invalid_request', 'The request body could not be read.');
    case 'invalid-json':
      return openAiError(400, 'invalid_json', 'The request body must be a JSON object.');
    case 'missing-model':
      return openAiError(400, 'missing_model', 'The request body must name the deployment in "model".');
    case 'stored-id-not-found':
      return openAiError(404, 'response_not_found', `No stored object with id ${quoted(r.id)} exists for this caller.`);
    case 'conflicting-stored-ids':
      return openAiError(400, 'conflicting_stored_ids', 'The request refers to stored objects that live on different backends; they cannot be used together.');
    case 'reserved-query-parameter':
      return openAiError(
        400,
        'reserved_query_parameter',
        `The query parameter "${r.name}" is reserved by Azure Functions (it replaces the request headers); remove it.`,
      );
    case 'unknown-route':
      return openAiError(404, 'not_found', `Unknown route ${r.method} ${r.path}.`);
    case 'router-error':
      return openAiError(500, 'router_error', 'The router failed unexpectedly; the request was not completed.');
  }
}

/** Maps a routing result to HTTP. */
export function toHttpResponse(result: RouteResult, request: ProxyRequest): HttpResponseInit {
  if (result.kind === 'response') {
    // A buffered body has a known length: no chunked encoding on the way out.
    if (Buffer.isBuffer(result.body)) result.headers['content-length'] = String(result.body.length);
    return { status: result.status, headers: result.headers, body: result.body };
  }
  if (result.kind === 'unserved') return unserved(request);
  const attempts = { 'x-router-attempts': String(result.attempts) };
  const { status, code } = result.failure;
  return openAiError(status, code, failureMessage(result.failure, request.alias), {
    ...attempts,
    ...(result.failure.status === 429 || result.failure.status === 503 ? retryAfterHeaders(result.failure.retryAfterMs) : {}),
  });
}

function unserved(request: ProxyRequest): HttpResponseInit {
  if (request.boundTo === undefined) return openAiError(404, 'DeploymentNotFound', `No backend serves the deployment "${request.alias}".`);
  // The id names a backend that no longer exists, or one that does not serve the alias asked for.
  const what = request.alias === '' ? 'the stored object' : `"${request.alias}" together with the stored object it refers to`;
  return openAiError(404, 'response_not_found', `No configured backend serves ${what}.`);
}

function failureMessage(failure: FinalFailure, alias: string): string {
  const subject = alias === '' ? 'this request' : `"${alias}"`;
  switch (failure.code) {
    case 'all_backends_throttled':
      return `Every backend serving ${subject} is rate limited. Retry after ${Math.ceil(failure.retryAfterMs / 1000)} seconds.`;
    case 'backend_timeout':
      return `Every backend tried for ${subject} timed out before answering.`;
    case 'backend_auth_failed':
      return `Every backend tried for ${subject} rejected the router's credentials; the operator must fix the backend keys or roles.`;
    case 'credentials_unavailable':
      return `No backend for ${subject} has a usable credential right now (still loading, or its secret store is unreachable). Retry shortly.`;
    case 'response_backend_unavailable':
      return `The backend that holds the stored response or conversation this request refers to is unavailable; no other backend can answer it. Retry after ${Math.ceil(failure.retryAfterMs / 1000)} seconds.`;
    case 'no_backend_available':
      return `Every backend for ${subject} is out of rotation right now (circuit open or no time left).`;
    case 'backend_error':
      return `Every backend tried for ${subject} failed with a server or network error.`;
  }
}
