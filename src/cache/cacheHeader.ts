import { HttpResponseInit } from '@azure/functions';
import { CACHE_NAMES, CacheStatus } from './cacheTally';

/** `x-router-cache: hit | miss | bypass` on every answer of a cacheable route, errors included. */
export function withCacheStatus(response: HttpResponseInit, status: CacheStatus | undefined): HttpResponseInit {
  if (status === undefined) return response;
  const { headers } = response;
  if (headers instanceof Headers) {
    headers.set(CACHE_NAMES.header, status);
    return response;
  }
  const entries = Array.isArray(headers) ? Object.fromEntries(headers) : (headers ?? {});
  return { ...response, headers: { ...entries, [CACHE_NAMES.header]: status } };
}
