import { RoutedResponse } from '../router/types';
import { CacheEntry } from './CacheStore';

/** Events per chunk when a stream is replayed: the caller's SDK sees a stream, not one blob. */
const EVENTS_PER_CHUNK = 8;

/**
 * A hit in the shape it was stored (and asked) in: JSON as one body, SSE as the same events
 * in order, ending exactly as the original stream did. No backend answered: attempts 0.
 */
export function replay(entry: CacheEntry, stream: boolean): RoutedResponse {
  const headers: Record<string, string> = { 'content-type': entry.contentType, 'x-router-attempts': '0' };
  if (!stream) return { kind: 'response', status: 200, headers, body: entry.body, backend: 'cache', attempts: 0 };
  headers['cache-control'] = 'no-cache';
  return { kind: 'response', status: 200, headers, body: sseChunks(entry.body), backend: 'cache', attempts: 0 };
}

function sseChunks(body: Buffer): ReadableStream<Uint8Array> {
  const events = body.toString('utf8').split(/(?<=\n\n)/);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_CHUNK) chunks.push(Buffer.from(events.slice(i, i + EVENTS_PER_CHUNK).join(''), 'utf8'));
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
}
