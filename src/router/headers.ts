import { BackendHeaders } from '../backend/BackendClient';

/**
 * Caller headers that may reach a backend. An allow-list, so credentials (api-key,
 * authorization, cookies) and platform headers (x-forwarded-*, x-ms-client-principal*) never do.
 */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'user-agent', 'x-ms-client-request-id', 'x-ms-useragent', 'traceparent', 'tracestate'];

/** Hop-by-hop (RFC 9110 §7.6.1) plus what the router sets itself or must not leak. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'set-cookie',
  // Never relayed: a backend redirect is a failure, and its target none of the caller's business.
  'location',
  'x-router-backend',
  'x-router-attempts',
]);

export function pickForwardHeaders(get: (name: string) => string | null): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = get(name);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

/** Backend response headers the caller sees; names listed in `connection` are hop-by-hop too. */
export function filterResponseHeaders(backend: BackendHeaders): Record<string, string> {
  const connection = backend['connection'];
  const perHop =
    typeof connection === 'string'
      ? connection
          .toLowerCase()
          .split(',')
          .map((s) => s.trim())
      : [];
  const headers: Record<string, string> = {};
  for (const name in backend) {
    const value = backend[name];
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name) || perHop.includes(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Case-insensitive single-value lookup over undici's lower-cased header record. */
export function headerLookup(headers: BackendHeaders): (name: string) => string | undefined {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}
