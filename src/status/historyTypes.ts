/**
 * The compact form of an instance's history: columns of numbers per bucket, as stored in the
 * state table (one row per instance) and merged for the status. Buckets are numbered on the
 * epoch (`Math.floor(ms / BUCKET_MS)`), so instances' buckets line up without coordination.
 */

/** One bucket is 10 s; the history keeps the last hour. */
export const BUCKET_MS = 10_000;
export const HISTORY_BUCKETS = 360;
/** Consumers kept by name per history; the rest are summed as OTHER_CONSUMER (memory cap). */
export const MAX_CONSUMERS = 50;
export const OTHER_CONSUMER = '(other)';
/** Backends kept by name (names come from the settings; the cap only guards the memory). */
export const MAX_BACKENDS = 64;
/** Window and circuit intervals kept per history; the oldest fall off first. */
export const MAX_INTERVALS = 200;

/**
 * Upper edges (ms) of the time-to-headers histogram; the last bin is everything slower.
 * Percentiles are interpolated inside a bin, so merged figures are right to within one bin.
 */
export const LATENCY_EDGES_MS = [10, 20, 35, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 20_000, 30_000, 60_000];

/** Per backend, one number per bucket in each column (trailing zeros left out). */
export interface BackendColumns {
  /** Answers this backend served (any status it answered with). */
  served: number[];
  /** Of those, answers after an earlier attempt failed over to it. */
  failedOver: number[];
  /** Attempts this backend answered 429 and the router moved on. */
  throttled: number[];
  /** Attempts that failed otherwise (5xx, timeout, network, auth) and moved on. */
  failed: number[];
  tokens: number[];
  promptTokens: number[];
  cachedTokens: number[];
  spilledOver: number[];
  /** Per bucket, the histogram's counts (trailing zeros left out), or 0 for none. */
  latency: (number[] | 0)[];
}

export interface Interval {
  readonly backend: string;
  readonly deployment: string;
  readonly reason: string;
  readonly fromMs: number;
  readonly untilMs: number;
}

export interface HistorySnapshot {
  readonly v: 1;
  /** The first bucket's number; column index i is bucket `first + i`. */
  readonly first: number;
  readonly count: number;
  readonly backends: Record<string, BackendColumns>;
  /** Tokens per consumer per bucket. */
  readonly consumers: Record<string, number[]>;
  /** Requests refused with 429 because every backend was throttled. */
  readonly allThrottled: number[];
  readonly intervals: Interval[];
}

export const COUNT_COLUMNS = ['served', 'failedOver', 'throttled', 'failed', 'tokens', 'promptTokens', 'cachedTokens', 'spilledOver'] as const;
export type CountColumn = (typeof COUNT_COLUMNS)[number];

/** `15m`, `1h`, `90s`: a history span in ms, capped at the hour kept; undefined when not one. */
export function parseSpan(text: string | null | undefined): number | undefined {
  const match = /^(\d{1,4})(s|m|h)$/.exec(text ?? '');
  if (match === null) return undefined;
  const ms = Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
  return ms <= 0 ? undefined : Math.min(ms, HISTORY_BUCKETS * BUCKET_MS);
}
