/**
 * The latency scenario: one priority of three simulated deployments with different
 * time-to-headers plus an idle priority-2 spill, the phases of a run, and the request every
 * client sends. Full mode ~1.7 min (93 s of load), BENCH_QUICK=1 ~45 s (42 s).
 */
import { intFrom, pairs } from '../envSettings';

export interface BackendSpec {
  readonly name: string;
  readonly priority: number;
  /** Time before the headers of a successful answer, ms. */
  readonly latencyMs: number;
}

/** ptu-a is the fastest and turns slow mid-run. */
export const BACKENDS: readonly BackendSpec[] = [
  { name: 'ptu-a', priority: 1, latencyMs: 40 },
  { name: 'ptu-b', priority: 1, latencyMs: 80 },
  { name: 'ptu-c', priority: 1, latencyMs: 120 },
  { name: 'payg-spill', priority: 2, latencyMs: 80 },
];
export const SLOWED = 'ptu-a';

export type PhaseId = 'warm-up' | 'steady' | 'slow' | 'recovered';

export interface Phase {
  readonly id: PhaseId;
  readonly label: string;
  /** From the start of the load, ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** ptu-a's time-to-headers in this phase. */
  readonly slowedLatencyMs: number;
}

export const DEPLOYMENT = 'gpt-4o';
export const MAX_TOKENS = 8;
export const MESSAGES = [{ role: 'user', content: 'Say hi.' }] as const;

export interface LatencySettings {
  readonly quick: boolean;
  readonly phases: readonly Phase[];
  /** Closed-loop workers per router. */
  readonly concurrency: number;
  /** ptu-a's time-to-headers while slow. */
  readonly slowMs: number;
  readonly probeSchedule: string;
  /** Extra settings for both routers (BENCH_LATENCY_ROUTER_ENV="K=V,K2=V2"). */
  readonly routerEnv: Readonly<Record<string, string>>;
}

/** Consecutive phases from the durations (ms) of warm-up, steady, slow and recovered. */
export function buildPhases(durations: readonly [number, number, number, number], baseMs: number, slowMs: number): Phase[] {
  const defs: readonly { id: PhaseId; label: string; latency: number }[] = [
    { id: 'warm-up', label: 'warm-up', latency: baseMs },
    { id: 'steady', label: 'steady', latency: baseMs },
    { id: 'slow', label: `${SLOWED} slow`, latency: slowMs },
    { id: 'recovered', label: 'recovered', latency: baseMs },
  ];
  let at = 0;
  return defs.map((def, i) => {
    const startMs = at;
    at += durations[i] ?? 0;
    return { id: def.id, label: def.label, startMs, endMs: at, slowedLatencyMs: def.latency };
  });
}

export function readLatencySettings(env: NodeJS.ProcessEnv): LatencySettings {
  const quick = env.BENCH_QUICK === '1';
  const s = (name: string, full: number, short: number): number => intFrom(env, name, quick ? short : full) * 1000;
  const durations: [number, number, number, number] = [
    s('BENCH_LATENCY_WARMUP_S', 8, 4),
    s('BENCH_LATENCY_STEADY_S', 25, 8),
    s('BENCH_LATENCY_SLOW_S', 25, 8),
    s('BENCH_LATENCY_RECOVERED_S', 35, 22),
  ];
  const slowMs = intFrom(env, 'BENCH_LATENCY_SLOW_MS', 600);
  const base = BACKENDS.find((b) => b.name === SLOWED)?.latencyMs ?? 0;
  return {
    quick,
    phases: buildPhases(durations, base, slowMs),
    concurrency: intFrom(env, 'BENCH_LATENCY_CONCURRENCY', 8),
    slowMs,
    probeSchedule: env.BENCH_LATENCY_PROBE_SCHEDULE ?? '*/5 * * * * *',
    routerEnv: pairs(env.BENCH_LATENCY_ROUTER_ENV),
  };
}
