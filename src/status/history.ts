import { CompletedRequest, RouterEvents } from '../router/RouterEvents';
import { WindowReason } from '../core/windows';
import {
  BackendColumns,
  BUCKET_MS,
  COUNT_COLUMNS,
  CountColumn,
  HISTORY_BUCKETS,
  HistorySnapshot,
  Interval,
  LATENCY_EDGES_MS,
  MAX_BACKENDS,
  MAX_CONSUMERS,
  MAX_INTERVALS,
  OTHER_CONSUMER,
} from './historyTypes';

type Counts = Record<CountColumn, number> & { latency: number[] | undefined };

/** One 10 s bucket of the ring: which bucket it holds now, and its counts. */
interface Slot {
  bucket: number;
  backends: Map<string, Counts>;
  consumers: Map<string, number>;
  allThrottled: number;
}

const emptyCounts = (): Counts => ({
  served: 0,
  failedOver: 0,
  throttled: 0,
  failed: 0,
  tokens: 0,
  promptTokens: 0,
  cachedTokens: 0,
  spilledOver: 0,
  latency: undefined,
});

export function latencyBin(ms: number): number {
  const i = LATENCY_EDGES_MS.findIndex((edge) => ms < edge);
  return i < 0 ? LATENCY_EDGES_MS.length : i;
}

/**
 * This instance's last hour in 10 s buckets, fed by router events (behind the request, no
 * I/O): a ring of HISTORY_BUCKETS slots, each reused when its bucket comes round again, so
 * old buckets fall off by themselves. Memory is bounded by the caps in historyTypes.ts.
 */
export class RequestHistory {
  private readonly ring: Slot[] = Array.from({ length: HISTORY_BUCKETS }, () => ({ bucket: -1, backends: new Map(), consumers: new Map(), allThrottled: 0 }));
  private intervals: Interval[] = [];

  constructor(private readonly now: () => number) {}

  readonly events: RouterEvents = {
    wantsUsage: true,
    completed: (r) => this.completed(r),
    failover: (from, reason) => this.failover(from, reason),
    allThrottled: () => void this.slot().allThrottled++,
    benched: (backend, deployment, reason, benchMs) => this.benched(backend, deployment, reason, benchMs),
  };

  completed(r: CompletedRequest): void {
    const slot = this.slot();
    const c = this.counts(slot, r.backend.name);
    if (c === undefined) return;
    c.served++;
    if (r.attempts > 1) c.failedOver++;
    if (r.spilledOver) c.spilledOver++;
    const bin = latencyBin(r.backendLatencyMs);
    c.latency ??= [];
    for (let i = c.latency.length; i <= bin; i++) c.latency.push(0);
    c.latency[bin] = (c.latency[bin] ?? 0) + 1;
    if (r.usage === undefined) return;
    c.tokens += r.usage.totalTokens;
    c.promptTokens += r.usage.promptTokens;
    c.cachedTokens += r.usage.cachedTokens ?? 0;
    const consumer = slot.consumers.has(r.consumer) || slot.consumers.size < MAX_CONSUMERS ? r.consumer : OTHER_CONSUMER;
    slot.consumers.set(consumer, (slot.consumers.get(consumer) ?? 0) + r.usage.totalTokens);
  }

  failover(from: string, reason: WindowReason): void {
    const c = this.counts(this.slot(), from);
    if (c !== undefined) c[reason === 'throttled' ? 'throttled' : 'failed']++;
  }

  /** A bench as an interval; a bench of the same target and reason that overlaps extends it. */
  benched(backend: string, deployment: string, reason: WindowReason, benchMs: number): void {
    const fromMs = this.now();
    const untilMs = fromMs + Math.max(0, benchMs);
    const same = this.intervals.find((i) => i.backend === backend && i.deployment === deployment && i.reason === reason && i.untilMs >= fromMs);
    const rest = same === undefined ? this.intervals : this.intervals.filter((i) => i !== same);
    const merged = same === undefined ? { backend, deployment, reason, fromMs, untilMs } : { ...same, untilMs: Math.max(same.untilMs, untilMs) };
    this.intervals = [...rest, merged].slice(-MAX_INTERVALS);
  }

  /** The buckets of the last `spanMs` (the current one included) in compact form. */
  snapshot(spanMs = HISTORY_BUCKETS * BUCKET_MS): HistorySnapshot {
    const nowMs = this.now();
    const last = Math.floor(nowMs / BUCKET_MS);
    const count = Math.min(HISTORY_BUCKETS, Math.max(1, Math.ceil(spanMs / BUCKET_MS)));
    const first = last - count + 1;
    const backends: Record<string, BackendColumns> = {};
    const consumers: Record<string, number[]> = {};
    const allThrottled: number[] = [];
    for (let i = 0; i < count; i++) {
      const slot = this.ring[(first + i) % HISTORY_BUCKETS];
      if (slot === undefined || slot.bucket !== first + i) continue;
      if (slot.allThrottled) allThrottled[i] = slot.allThrottled;
      for (const [name, c] of slot.backends) {
        const columns = (backends[name] ??= emptyColumns());
        for (const column of COUNT_COLUMNS) if (c[column]) columns[column][i] = c[column];
        if (c.latency) columns.latency[i] = [...c.latency];
      }
      for (const [name, tokens] of slot.consumers) (consumers[name] ??= [])[i] = tokens;
    }
    const fromMs = first * BUCKET_MS;
    return {
      v: 1,
      first,
      count,
      backends: Object.fromEntries(Object.entries(backends).map(([name, columns]) => [name, denseColumns(columns)])),
      consumers: Object.fromEntries(Object.entries(consumers).map(([name, tokens]) => [name, dense(tokens)])),
      allThrottled: dense(allThrottled),
      intervals: this.intervals.filter((i) => i.untilMs >= fromMs),
    };
  }

  /** The slot of the current bucket, emptied first when it last held an older bucket. */
  private slot(): Slot {
    const bucket = Math.floor(this.now() / BUCKET_MS);
    const slot = this.ring[bucket % HISTORY_BUCKETS] as Slot;
    if (slot.bucket !== bucket) {
      slot.bucket = bucket;
      slot.backends = new Map();
      slot.consumers = new Map();
      slot.allThrottled = 0;
    }
    return slot;
  }

  private counts(slot: Slot, backend: string): Counts | undefined {
    let c = slot.backends.get(backend);
    if (c === undefined && slot.backends.size < MAX_BACKENDS) slot.backends.set(backend, (c = emptyCounts()));
    return c;
  }
}

export function emptyColumns(): BackendColumns {
  return { served: [], failedOver: [], throttled: [], failed: [], tokens: [], promptTokens: [], cachedTokens: [], spilledOver: [], latency: [] };
}

/** Holes (sparse array entries) as 0, trailing zeros left out: the JSON stays short. */
export function dense<T extends number | number[]>(values: (T | undefined)[]): (T | 0)[] {
  const out: (T | 0)[] = Array.from({ length: values.length }, (_, i) => values[i] ?? 0);
  while (out.length > 0 && out[out.length - 1] === 0) out.pop();
  return out;
}

export function denseColumns(columns: BackendColumns): BackendColumns {
  const out = emptyColumns();
  for (const column of COUNT_COLUMNS) out[column] = dense<number>(columns[column]);
  out.latency = dense(columns.latency);
  return out;
}
