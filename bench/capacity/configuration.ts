/** One configuration of the capacity bench: N router processes under open-loop overload, measured. */
import { loadavg } from 'node:os';
import type { SimulatedBackend, SimulatedBackendStats } from '../../src/local/simulator';
import { ClientTally, LoadRequest, OpenLoopLoad } from './load';
import { backendEnv, CONSUMER_KEY, RouterChild, startRouters } from './routers';
import { BACKENDS, CapacitySettings, DEPLOYMENT, MAX_TOKENS, MESSAGES, pooledRatePerSecond } from './settings';

export type VariantId = 'shared' | 'memory' | 'round-robin';

export interface Variant {
  readonly id: VariantId;
  readonly label: string;
  readonly env: (ctx: BenchContext, run: number) => Record<string, string>;
}

export interface BenchContext {
  readonly settings: CapacitySettings;
  readonly backends: readonly SimulatedBackend[];
  /** The bench's Azurite, when a shared configuration runs. */
  readonly storage: string | undefined;
}

export const VARIANTS: readonly Variant[] = [
  {
    id: 'shared',
    label: 'router, shared state (Table Storage)',
    env: (ctx, run) => ({
      ROUTER_STATE_STORE: 'table',
      AzureWebJobsStorage: ctx.storage ?? '',
      ROUTER_STATE_TABLE: `capacity${Date.now()}r${run}`,
      ROUTER_STATE_SYNC_MS: String(ctx.settings.syncMs),
    }),
  },
  { id: 'memory', label: 'router, per-instance memory', env: () => ({ ROUTER_STATE_STORE: 'memory' }) },
  { id: 'round-robin', label: 'round robin (memory)', env: () => ({ ROUTER_STATE_STORE: 'memory', ROUTER_STRATEGY: 'round-robin' }) },
];

export interface BackendDelta {
  readonly name: string;
  readonly received: number;
  /**
   * Requests the limiter admitted: arrivals minus refusals. Counted on arrival, like the
   * limiter, so an answer's latency cannot move a request across the interval's edges.
   */
  readonly admitted: number;
  readonly throttled: number;
}

export interface ConfigResult {
  readonly id: string;
  readonly variant: Variant;
  readonly instances: number;
  readonly offeredPerSecond: number;
  /** The measured interval as it happened (timers fire late on a busy machine). */
  readonly measuredMs: number;
  readonly backends: readonly BackendDelta[];
  readonly client: ClientTally;
  /** Router log lines worth a look (storage outages, errors). */
  readonly notes: readonly string[];
  /** The machine's 1-minute load average at the end: other work on the cores skews results. */
  readonly loadAverage: number;
}

export const configId = (variant: Variant, instances: number): string => `${variant.id}-${instances}`;

export const LOAD_REQUEST: LoadRequest = {
  path: `/api/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=2024-10-21`,
  headers: { 'api-key': CONSUMER_KEY, 'content-type': 'application/json' },
  body: JSON.stringify({ messages: MESSAGES, max_tokens: MAX_TOKENS }),
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const snapshot = (backends: readonly SimulatedBackend[]): SimulatedBackendStats[] => backends.map((b) => ({ ...b.stats }));

export async function runConfiguration(ctx: BenchContext, variant: Variant, instances: number, run: number): Promise<ConfigResult> {
  for (const backend of ctx.backends) backend.reset();
  // The routers are told the window the simulators enforce, as ops set Azure's (10 s, the default).
  const window = { ROUTER_RATE_WINDOW_SECONDS: String(ctx.settings.windowMs / 1000) };
  const env = { ...backendEnv(ctx.backends), ...window, ...variant.env(ctx, run), ...ctx.settings.routerEnv };
  const routers = await startRouters(instances, env);
  const offeredPerSecond = pooledRatePerSecond(ctx.settings) * ctx.settings.loadFactor;
  const load = new OpenLoopLoad(
    routers.map((r) => r.url),
    offeredPerSecond,
    LOAD_REQUEST,
  );
  try {
    load.start();
    await sleep(ctx.settings.warmupMs);
    const before = snapshot(ctx.backends);
    const startedMs = performance.now();
    load.beginMeasure();
    await sleep(ctx.settings.measureMs);
    const after = snapshot(ctx.backends);
    const measuredMs = performance.now() - startedMs;
    const client = load.endMeasure();
    const backends = BACKENDS.map((spec, i) => delta(spec.name, before[i], after[i]));
    const loadAverage = loadavg()[0] ?? 0;
    const id = configId(variant, instances);
    return { id, variant, instances, offeredPerSecond, measuredMs, backends, client, notes: notesOf(routers), loadAverage };
  } finally {
    await load.stop();
    await Promise.all(routers.map((r) => r.stop()));
  }
}

function delta(name: string, before: SimulatedBackendStats | undefined, after: SimulatedBackendStats | undefined): BackendDelta {
  const diff = (key: 'received' | 'throttled' | 'failed'): number => (after?.[key] ?? 0) - (before?.[key] ?? 0);
  return { name, received: diff('received'), admitted: diff('received') - diff('throttled') - diff('failed'), throttled: diff('throttled') };
}

function notesOf(routers: readonly RouterChild[]): string[] {
  const lines = routers.flatMap((r) => r.output().split('\n'));
  return [...new Set(lines.filter((line) => /unreachable|error|warn/i.test(line)).map((line) => line.trim()))].slice(0, 5);
}
