/**
 * The capacity scenario: one PTU-like and two PAYG-like simulated deployments, the request
 * every client sends, and the run lengths (full ~4 min on 2 cores, BENCH_QUICK=1 ~1 min).
 */
import { estimateChatPromptTokens } from '../../src/local/simulator';
import { perWindow } from '../../src/local/simulator/limiter';
import { intFrom, pairs } from '../envSettings';

export interface BackendSpec {
  readonly name: string;
  readonly type: 'ptu' | 'paygo';
  readonly priority: number;
  /** Per minute, as Azure states them; the simulator enforces them per rate window. */
  readonly rpm: number;
  readonly tpm: number;
}

/**
 * The PTU is request-bound (its TPM is far above RPM × tokens per request); the PAYGs are
 * token-bound (their RPM is far above TPM ÷ tokens per request), so both limits take part.
 * The rates are modest (~42 req/s pooled) so that four router processes, Azurite and the load
 * generator leave most of a 2-core machine idle: a starved router dispatches its backlog
 * against stale state, which is noise here, not routing.
 */
export const BACKENDS: readonly BackendSpec[] = [
  { name: 'ptu', type: 'ptu', priority: 1, rpm: 1_500, tpm: 1_000_000 },
  { name: 'payg-eus', type: 'paygo', priority: 2, rpm: 6_000, tpm: 60_000 },
  { name: 'payg-swc', type: 'paygo', priority: 2, rpm: 6_000, tpm: 60_000 },
];

export const DEPLOYMENT = 'gpt-4o';
export const MAX_TOKENS = 100;
export const MESSAGES = [{ role: 'user', content: 'Summarise the attached quarterly report in one line.' }] as const;
/** What the simulator (like Azure) charges each request against TPM on arrival: prompt + max_tokens. */
export const CHARGED_TOKENS = estimateChatPromptTokens(MESSAGES) + MAX_TOKENS;

export interface CapacitySettings {
  readonly quick: boolean;
  /** The simulator's rate window (Azure: 10 s sub-windows of the minute). */
  readonly windowMs: number;
  /** Load before measuring: every backend fills its first window and starts refusing. */
  readonly warmupMs: number;
  /** Measured interval; a whole number of windows, so the served count is bounded by capacity exactly. */
  readonly measureMs: number;
  /** Offered load ÷ pooled capacity. */
  readonly loadFactor: number;
  readonly instances: readonly number[];
  readonly syncMs: number;
  /** Time before a successful answer's headers. */
  readonly latencyMs: number;
  /** Extra router settings for every configuration (BENCH_CAPACITY_ROUTER_ENV="K=V,K2=V2"). */
  readonly routerEnv: Readonly<Record<string, string>>;
  /** Only these configuration ids (e.g. "shared-4,memory-4"); empty: all six. */
  readonly only: readonly string[];
}

export function readCapacitySettings(env: NodeJS.ProcessEnv): CapacitySettings {
  const quick = env.BENCH_QUICK === '1';
  const windowMs = intFrom(env, 'BENCH_CAPACITY_WINDOW_MS', quick ? 5_000 : 10_000);
  return {
    quick,
    windowMs,
    warmupMs: intFrom(env, 'BENCH_CAPACITY_WARMUP_MS', quick ? 2_500 : 6_000),
    measureMs: intFrom(env, 'BENCH_CAPACITY_MEASURE_MS', windowMs * (quick ? 1 : 3)),
    loadFactor: 1.5,
    instances: [1, 2, 4],
    syncMs: intFrom(env, 'BENCH_CAPACITY_SYNC_MS', 1_000),
    latencyMs: intFrom(env, 'BENCH_CAPACITY_LATENCY_MS', 100),
    routerEnv: pairs(env.BENCH_CAPACITY_ROUTER_ENV),
    only: (env.BENCH_CAPACITY_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}

/** Requests one backend admits per rate window: the tighter of its request and token limits. */
export function windowCapacity(spec: BackendSpec, windowMs: number): number {
  const requests = perWindow(spec.rpm, windowMs) ?? Infinity;
  const tokens = perWindow(spec.tpm, windowMs) ?? Infinity;
  return Math.min(requests, Math.floor(tokens / CHARGED_TOKENS));
}

/** Requests the backend can serve over `ms` (exact for a whole number of windows). */
export function capacityOver(spec: BackendSpec, settings: CapacitySettings, ms: number): number {
  return (windowCapacity(spec, settings.windowMs) * ms) / settings.windowMs;
}

export function pooledRatePerSecond(settings: CapacitySettings): number {
  return BACKENDS.reduce((sum, spec) => sum + capacityOver(spec, settings, 1000), 0);
}
