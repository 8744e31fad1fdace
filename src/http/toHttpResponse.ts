import { HttpResponseInit } from '@azure/functions';
import { FinalFailure } from '../core/finalFailure';
import { RouteResult } from '../router/types';
import { openAiError, retryAfterHeaders } from './openAiError';

/** Maps a routing result to HTTP: the one place outcomes become statuses. */
export function toHttpResponse(result: RouteResult, alias: string): HttpResponseInit {
  if (result.kind === 'response') {
    // A buffered body has a known length: no chunked encoding on the way out.
    if (Buffer.isBuffer(result.body)) result.headers['content-length'] = String(result.body.length);
    return { status: result.status, headers: result.headers, body: result.body };
  }
  const attempts = { 'x-router-attempts': String(result.attempts) };
  const { status, code } = result.failure;
  return openAiError(status, code, failureMessage(result.failure, alias), {
    ...attempts,
    ...(result.failure.status === 429 || result.failure.status === 503 ? retryAfterHeaders(result.failure.retryAfterMs) : {}),
  });
}

function failureMessage(failure: FinalFailure, alias: string): string {
  switch (failure.code) {
    case 'all_backends_throttled':
      return `Every backend serving "${alias}" is rate limited. Retry after ${Math.ceil(failure.retryAfterMs / 1000)} seconds.`;
    case 'backend_timeout':
      return `Every backend tried for "${alias}" timed out before answering.`;
    case 'backend_auth_failed':
      return `Every backend tried for "${alias}" rejected the router's credentials; the operator must fix the backend keys or roles.`;
    case 'credentials_unavailable':
      return `No backend for "${alias}" has a usable credential right now (still loading, or its secret store is unreachable). Retry shortly.`;
    case 'no_backend_available':
      return `Every backend for "${alias}" is out of rotation right now (circuit open or no time left).`;
    case 'backend_error':
      return `Every backend tried for "${alias}" failed with a server or network error.`;
  }
}
