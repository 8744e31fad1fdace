import { dense, denseColumns, emptyColumns } from './history';
import { BackendColumns, BUCKET_MS, COUNT_COLUMNS, HistorySnapshot, Interval, LATENCY_EDGES_MS, MAX_INTERVALS } from './historyTypes';

const add = (into: (number | undefined)[], from: readonly number[], offset: number): void => {
  from.forEach((v, i) => {
    if (v && i + offset >= 0) into[i + offset] = (into[i + offset] ?? 0) + v;
  });
};

const addBins = (into: (number[] | 0 | undefined)[], from: readonly (number[] | 0)[], offset: number): void => {
  from.forEach((bins, i) => {
    if (bins === 0 || i + offset < 0) return;
    const target = into[i + offset] || [];
    bins.forEach((n, b) => (target[b] = (target[b] ?? 0) + n));
    into[i + offset] = target;
  });
};

/**
 * Every instance's history as one, over the `count` buckets ending at bucket `last`: counts
 * are summed bucket by bucket, and so are the latency histograms (so the merged percentiles are
 * those of all requests, to within one histogram bin). Buckets outside the range are dropped.
 */
export function mergeSnapshots(snapshots: readonly HistorySnapshot[], last: number, count: number): HistorySnapshot {
  const first = last - count + 1;
  const backends: Record<string, BackendColumns> = {};
  const consumers: Record<string, number[]> = {};
  const allThrottled: number[] = [];
  const intervals: Interval[] = [];
  for (const s of snapshots) {
    const offset = s.first - first;
    const inRange = <T>(values: readonly T[]): T[] => values.slice(0, Math.max(0, count - offset));
    for (const [name, columns] of Object.entries(s.backends)) {
      const into = (backends[name] ??= emptyColumns());
      for (const column of COUNT_COLUMNS) add(into[column], inRange(columns[column]), offset);
      addBins(into.latency, inRange(columns.latency), offset);
    }
    for (const [name, tokens] of Object.entries(s.consumers)) add((consumers[name] ??= []), inRange(tokens), offset);
    add(allThrottled, inRange(s.allThrottled), offset);
    intervals.push(...s.intervals.filter((i) => i.untilMs >= first * BUCKET_MS));
  }
  return {
    v: 1,
    first,
    count,
    backends: Object.fromEntries(Object.entries(backends).map(([name, c]) => [name, denseColumns(c)])),
    consumers: Object.fromEntries(Object.entries(consumers).map(([name, t]) => [name, dense(t)])),
    allThrottled: dense(allThrottled),
    intervals: mergeIntervals(intervals),
  };
}

/** Overlapping intervals of one target and reason (seen by several instances) become one. */
function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.fromMs - b.fromMs);
  const out: Interval[] = [];
  for (const i of sorted) {
    const at = out.findIndex((o) => o.backend === i.backend && o.deployment === i.deployment && o.reason === i.reason && o.untilMs >= i.fromMs);
    const was = out[at];
    if (was === undefined) out.push(i);
    else out[at] = { ...was, untilMs: Math.max(was.untilMs, i.untilMs) };
  }
  return out.slice(-MAX_INTERVALS);
}

/** The q-quantile (0..1) of a histogram, interpolated inside its bin; null when empty. */
export function quantile(bins: readonly number[] | 0 | undefined, q: number): number | null {
  if (!bins) return null;
  const total = bins.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let b = 0; b < bins.length; b++) {
    const n = bins[b] ?? 0;
    if (n > 0 && seen + n >= rank) {
      const low = b === 0 ? 0 : (LATENCY_EDGES_MS[b - 1] ?? 0);
      const high = LATENCY_EDGES_MS[b] ?? low * 2;
      return Math.round(low + (high - low) * ((rank - seen) / n));
    }
    seen += n;
  }
  return null;
}
