import { LatencyFigure, LatencyLookup } from '../core/latency';

interface Pending {
  count: number;
  sumStartMs: number;
}

/**
 * Requests sent but not yet answered with headers, per deployment key. A backend that hangs
 * produces no samples at all, so its figure would stay fast until timeouts pile up; the mean
 * age of what is still waiting is a lower bound on its current latency and is used as one.
 */
export class InFlight {
  private readonly pending = new Map<string, Pending>();

  begin(key: string, nowMs: number): void {
    const entry = this.pending.get(key);
    if (entry === undefined) this.pending.set(key, { count: 1, sumStartMs: nowMs });
    else {
      entry.count++;
      entry.sumStartMs += nowMs;
    }
  }

  end(key: string, startMs: number): void {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    entry.count--;
    entry.sumStartMs -= startMs;
    if (entry.count <= 0) this.pending.delete(key);
  }

  meanAgeMs(key: string, nowMs: number): number {
    const entry = this.pending.get(key);
    return entry === undefined ? 0 : nowMs - entry.sumStartMs / entry.count;
  }

  /** The shared figures, raised to the mean age of this instance's waiting requests where that is worse. */
  over(lookup: LatencyLookup, nowMs: number): LatencyLookup {
    return {
      getLatency: (key: string): LatencyFigure | undefined => {
        const figure = lookup.getLatency(key);
        const age = this.meanAgeMs(key, nowMs);
        if (figure === undefined || age <= figure.ewmaMs) return figure;
        return { ewmaMs: age, samples: figure.samples, atMs: nowMs };
      },
    };
  }
}
