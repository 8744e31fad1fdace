/** The load generator: undici keep-alive pools, a closed loop of N workers, and timed streams. */
import { Pool } from 'undici';

export interface RequestSpec {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface LoadResult {
  /** One latency per successful request, in ms, from send to the last body byte. */
  readonly latenciesMs: number[];
  readonly elapsedMs: number;
  readonly errors: number;
  readonly firstError: string | undefined;
}

export interface StreamResult {
  /** Time to the first SSE byte, in ms. */
  readonly ttfbMs: number[];
  /** Time to the end of the stream, in ms. */
  readonly totalMs: number[];
  readonly errors: number;
  readonly firstError: string | undefined;
}

export function createPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
}

async function send(pool: Pool, spec: RequestSpec): Promise<string | undefined> {
  const res = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body });
  const text = await res.body.text();
  return res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}: ${text.slice(0, 200)}`;
}

/** `count` requests over `concurrency` workers, each sending its next request as soon as the last one ends. */
export async function closedLoop(pool: Pool, spec: RequestSpec, count: number, concurrency: number): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const start = performance.now();
      const error = await send(pool, spec).catch((err: unknown) => String(err));
      if (error === undefined) latenciesMs.push(performance.now() - start);
      else {
        errors++;
        firstError ??= error;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { latenciesMs, elapsedMs: performance.now() - started, errors, firstError };
}

async function timeStream(pool: Pool, spec: RequestSpec): Promise<{ ttfbMs: number; totalMs: number }> {
  const start = performance.now();
  const res = await pool.request({ path: spec.path, method: 'POST', headers: spec.headers, body: spec.body });
  let ttfbMs = NaN;
  let tail = '';
  let ended = false;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    if (Number.isNaN(ttfbMs)) ttfbMs = performance.now() - start;
    const seen = tail + chunk.toString('utf8');
    // Chat streams end with `data: [DONE]`, Responses streams with response.completed (or .incomplete at max_output_tokens).
    ended ||= seen.includes('data: [DONE]') || seen.includes('event: response.completed') || seen.includes('event: response.incomplete');
    tail = seen.slice(-64);
  }
  const totalMs = performance.now() - start;
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${tail}`);
  if (!ended) throw new Error(`stream ended without [DONE] or a final response event: ${tail}`);
  return { ttfbMs, totalMs };
}

/** `count` streams, one after the other. */
export async function sequentialStreams(pool: Pool, spec: RequestSpec, count: number): Promise<StreamResult> {
  const result: StreamResult = { ttfbMs: [], totalMs: [], errors: 0, firstError: undefined };
  let firstError: string | undefined;
  let errors = 0;
  for (let i = 0; i < count; i++) {
    try {
      const timing = await timeStream(pool, spec);
      result.ttfbMs.push(timing.ttfbMs);
      result.totalMs.push(timing.totalMs);
    } catch (err) {
      errors++;
      firstError ??= err instanceof Error ? err.message : String(err);
    }
  }
  return { ...result, errors, firstError };
}
