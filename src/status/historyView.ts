import { quantile } from './historyMerge';
import { BUCKET_MS, HistorySnapshot } from './historyTypes';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Columns to the full length (the compact form leaves trailing zeros out). */
const full = (values: readonly number[], count: number): number[] => Array.from({ length: count }, (_, i) => values[i] ?? 0);

/**
 * The history as `GET /api/router/status?history=1h` returns it and the page draws it: per
 * bucket, per backend, the counts by outcome, tokens, and time-to-headers p50/p95 (ms, null for
 * a bucket without answers); tokens per consumer; the windows and circuits as intervals.
 */
export function historyView(merged: HistorySnapshot, instances: number, limits: (consumer: string) => number | null) {
  const { count } = merged;
  return {
    bucketSeconds: BUCKET_MS / 1000,
    from: iso(merged.first * BUCKET_MS),
    /** Instances whose history is in these figures. */
    instances,
    backends: Object.entries(merged.backends).map(([name, c]) => ({
      name,
      served: full(c.served, count),
      failedOver: full(c.failedOver, count),
      throttled: full(c.throttled, count),
      failed: full(c.failed, count),
      tokens: full(c.tokens, count),
      spilledOver: full(c.spilledOver, count),
      cachedShare: share(sum(c.cachedTokens), sum(c.promptTokens)),
      spilledShare: share(sum(c.spilledOver), sum(c.served)),
      p50Ms: Array.from({ length: count }, (_, i) => quantile(c.latency[i], 0.5)),
      p95Ms: Array.from({ length: count }, (_, i) => quantile(c.latency[i], 0.95)),
    })),
    consumers: Object.entries(merged.consumers).map(([name, tokens]) => ({ name, tokens: full(tokens, count), tokensPerMinuteLimit: limits(name) })),
    allThrottled: full(merged.allThrottled, count),
    intervals: merged.intervals.map((i) => ({ backend: i.backend, deployment: i.deployment, reason: i.reason, from: iso(i.fromMs), until: iso(i.untilMs) })),
  };
}

export type HistoryView = ReturnType<typeof historyView>;

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const share = (part: number, whole: number): number | null => (whole === 0 ? null : Number((part / whole).toFixed(3)));
