import { LatencyFigure, LatencyLookup } from '../core/latency';
import { Remaining, RemainingLookup } from '../core/remaining';
import { Window, WindowLookup } from '../core/windows';

/**
 * What the router knows about backends. Reads are synchronous and in memory (the hot path
 * never waits on storage); writes apply in memory at once and may persist behind the request.
 */
export interface StateStore extends WindowLookup, RemainingLookup, LatencyLookup {
  /** Benches `key` until the window ends; an existing later window is kept. */
  openWindow(key: string, window: Window): void;
  /** Remembers a backend's last x-ratelimit-remaining-* report for a deployment key. */
  recordRemaining(key: string, remaining: Remaining): void;
  /** Adds one time-to-headers sample (live traffic or a probe) to this instance's figure. */
  recordLatency(key: string, sampleMs: number, atMs: number): void;
  /** Counts tokens a consumer used (for ROUTER_CONSUMER_LIMITS / _QUOTAS). */
  addUsage(consumer: string, tokens: number, nowMs: number): void;
  /** Tokens a consumer used in a counting window, across every instance as far as known. */
  usage(consumer: string, windowKey: string): number;
  /** Instances that served traffic recently, this one included (1 without shared state). */
  liveInstances(): number;
  /** Every known window, for the status page. */
  windows(): ReadonlyMap<string, Window>;
  remainings(): ReadonlyMap<string, Remaining>;
  latencies(): ReadonlyMap<string, LatencyFigure>;
}
