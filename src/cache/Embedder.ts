import { OPERATIONS } from '../core/operations';
import { ownRequest } from '../router/ownRequest';
import { ProxyRequest, RouteResult } from '../router/types';
import { SemanticSettings } from './CacheSettings';

/** Turns a last user turn into a vector; undefined when it cannot now (the lookup is then a miss). */
export interface Embedder {
  embed(text: string, consumer: string): Promise<Float32Array | undefined>;
}

/**
 * Embeds through this router's own routing: the embeddings alias is served by whichever
 * backend can take it, with failover, throttle windows and usage metering like any request
 * of the consumer's (the embedding is theirs to pay for). Slower than the budget: a miss.
 */
export function routerEmbedder(route: (request: ProxyRequest) => Promise<RouteResult>, settings: SemanticSettings): Embedder {
  return {
    embed: async (text, consumer) => {
      const json = { model: settings.embeddingsAlias, input: text, ...(settings.dimensions === undefined ? {} : { dimensions: settings.dimensions }) };
      const request = ownRequest({ api: 'v1', operation: OPERATIONS.embeddings, alias: settings.embeddingsAlias, json, consumer });
      const result = await withTimeout(route(request), settings.embedTimeoutMs);
      if (result === undefined || result.kind !== 'response' || result.status !== 200 || !Buffer.isBuffer(result.body)) return undefined;
      return embeddingOf(result.body);
    },
  };
}

/** `data[0].embedding` as floats (a float array, or base64 little-endian float32 as the SDKs ask for). */
export function embeddingOf(body: Buffer): Float32Array | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { data?: { embedding?: unknown }[] };
    const embedding = parsed.data?.[0]?.embedding;
    if (Array.isArray(embedding) && embedding.length > 0 && embedding.every((v) => typeof v === 'number')) return Float32Array.from(embedding);
    if (typeof embedding === 'string') {
      const bytes = Buffer.from(embedding, 'base64');
      if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
      const copy = new Uint8Array(bytes);
      return new Float32Array(copy.buffer, 0, copy.length / 4);
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** The value, or undefined once `ms` passed (the work itself runs on and is dropped). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}
