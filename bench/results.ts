/** Turns the raw totals of the rounds into the figures and verdicts the report shows. */
import type { BenchConfig } from './config';
import type { Machine } from './machine';
import type { Memory } from './procfs';
import type { TargetName, TargetTotals } from './scenarios';
import { median, range, summarize, type LatencySummary } from './stats';

export interface TargetResult {
  readonly name: TargetName;
  readonly load: LatencySummary;
  readonly requestsPerSecond: number;
  readonly roundP50: { min: number; max: number };
  readonly roundP99Median: number;
  readonly sequential: LatencySummary;
  readonly ttfb: LatencySummary;
  readonly streamTotal: LatencySummary;
  readonly errors: number;
  readonly firstError: string | undefined;
  /** µs of proxy CPU per request; undefined for the direct calls. */
  readonly proxyCpuUs: number | undefined;
  /** µs of simulator CPU per request while this target was loaded. */
  readonly backendCpuUs: number;
}

export interface MemoryResult {
  readonly idle: Memory;
  readonly afterLoad: Memory;
}

export interface BenchResults {
  readonly config: BenchConfig;
  readonly machine: Machine;
  readonly startedAt: Date;
  readonly durationS: number;
  readonly targets: ReadonlyMap<TargetName, TargetResult>;
  /** Memory of each proxy process (the router and the baselines). */
  readonly memory: ReadonlyMap<TargetName, MemoryResult>;
  /** What backed the router's shared state. */
  readonly routerState: string;
  /** 1-minute load average before the bench started, and the hypervisor's steal during the run (%). */
  readonly loadBefore: number;
  readonly stealPercent: number;
}

export function targetResult(name: TargetName, totals: TargetTotals): TargetResult {
  return {
    name,
    load: summarize(totals.latenciesMs),
    requestsPerSecond: totals.requests / (totals.elapsedMs / 1000),
    roundP50: range(totals.roundP50),
    roundP99Median: median(totals.roundP99),
    sequential: summarize(totals.sequentialMs),
    ttfb: summarize(totals.ttfbMs),
    streamTotal: summarize(totals.streamTotalMs),
    errors: totals.errors,
    firstError: totals.firstError,
    proxyCpuUs: name === 'direct' ? undefined : totals.proxyCpuUs / totals.requests,
    backendCpuUs: totals.backendCpuUs / totals.requests,
  };
}

export interface Verdict {
  readonly what: string;
  readonly measured: number;
  readonly limit: number;
  readonly unit: string;
  readonly pass: boolean;
}

/** The targets: added p50 ≤ 0.5 ms, added p99 ≤ 3 ms at 8 connections, ≤ 200 µs router CPU per request. */
export function verdicts(results: BenchResults): Verdict[] {
  const direct = results.targets.get('direct');
  const router = results.targets.get('router');
  if (direct === undefined || router === undefined) return [];
  const c = results.config.concurrency;
  const check = (what: string, measured: number, limit: number, unit: string): Verdict => ({ what, measured, limit, unit, pass: measured <= limit });
  return [
    check(`added p50 latency at ${c} connections (router − direct)`, router.load.p50 - direct.load.p50, 0.5, 'ms'),
    check(`added p99 latency at ${c} connections (router − direct)`, router.load.p99 - direct.load.p99, 3, 'ms'),
    check('router CPU per proxied request', router.proxyCpuUs ?? NaN, 200, 'µs'),
    ...responsesVerdicts(results, direct, router),
  ];
}

/** Responses creates (ids sealed in the body and every event) may add at most 0.3 ms more than chat does. */
function responsesVerdicts(results: BenchResults, direct: TargetResult, router: TargetResult): Verdict[] {
  const directResponses = results.targets.get('directResponses');
  const routerResponses = results.targets.get('routerResponses');
  if (directResponses === undefined || routerResponses === undefined) return [];
  const c = results.config.concurrency;
  const extra = (pick: (t: TargetResult) => number): number => pick(routerResponses) - pick(directResponses) - (pick(router) - pick(direct));
  const check = (what: string, measured: number): Verdict => ({ what, measured, limit: 0.3, unit: 'ms', pass: measured <= 0.3 });
  return [
    check(
      `Responses added p50 at ${c} connections, less chat's`,
      extra((t) => t.load.p50),
    ),
    check(
      "Responses added p50 sequential, less chat's",
      extra((t) => t.sequential.p50),
    ),
    check(
      "Responses added first-event p50, less chat's first byte",
      extra((t) => t.ttfb.p50),
    ),
  ];
}
