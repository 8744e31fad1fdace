import { HttpResponseInit } from '@azure/functions';
import { FinalFailure } from '../core/finalFailure';
import { ProxyRequest, RouteResult } from '../router/types';
import { openAiError, retryAfterHeaders } from './openAiError';

/** Maps a routing result to HTTP: the one place routing outcomes become statuses. */
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
