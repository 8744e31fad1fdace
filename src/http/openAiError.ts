import { HttpResponseInit } from '@azure/functions';

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  405: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
  504: 'server_error',
};

/** Every error the router itself produces, in the OpenAI shape `{"error":{"code","message","type"}}`. */
export function openAiError(status: number, code: string, message: string, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ error: { code, message, type: TYPE_BY_STATUS[status] ?? 'invalid_request_error', param: null } }),
  };
}

/** Retry-After in whole seconds (rounded up) plus the precise retry-after-ms the SDKs prefer. */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  return { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms) };
}
