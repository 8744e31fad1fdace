/**
 * The capacity benchmark: pooled PTU + PAYG capacity under 1.5× open-loop overload, through
 * 1 and 4 router processes, with shared state, per-instance memory, and round robin.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { startPrivateAzurite, type Azurite } from '../../src/local/azurite';
import { resolveOptions, type SectionBenchOptions } from '../sectionBench';
import { capacityChart } from './chart';
import { BenchContext, configId, runConfiguration, Variant, VARIANTS } from './configuration';
import { ConfigMetrics, metricsOf } from './metrics';
import { capacitySection } from './report';
import { apiKeyOf } from './routers';
import { BACKENDS, CapacitySettings, readCapacitySettings } from './settings';

/** Settings from `env` (BENCH_QUICK, BENCH_CAPACITY_*); capacity.svg goes into `docsDir`. */
export type CapacityBenchOptions = SectionBenchOptions;

/** Runs every configuration and returns the Markdown section (capacity.svg is written beside it). */
export async function runCapacityBench(options: CapacityBenchOptions = {}): Promise<string> {
  const { env, docsDir, log } = resolveOptions(options);
  const settings = readCapacitySettings(env);
  const plan = planRuns(settings);
  const startedMs = Date.now();
  const backends = await startBackends(settings);
  let azurite: Azurite | undefined;
  try {
    if (plan.some((p) => p.variant.id === 'shared')) azurite = await startPrivateAzurite();
    const ctx: BenchContext = { settings, backends, storage: azurite?.connectionString };
    const metrics = await runAll(ctx, plan, log);
    writeFileSync(join(docsDir, 'capacity.svg'), capacityChart(metrics));
    return capacitySection({ settings, metrics, elapsedMs: Date.now() - startedMs });
  } finally {
    await Promise.all([...backends.map((b) => b.close()), azurite?.stop()]);
  }
}

interface PlannedRun {
  readonly variant: Variant;
  readonly instances: number;
}

function planRuns(settings: CapacitySettings): PlannedRun[] {
  const all = settings.instances.flatMap((instances) => VARIANTS.map((variant) => ({ variant, instances })));
  const chosen = all.filter((p) => settings.only.length === 0 || settings.only.includes(configId(p.variant, p.instances)));
  if (chosen.length === 0) throw new Error(`BENCH_CAPACITY_ONLY matches no configuration; ids: ${all.map((p) => configId(p.variant, p.instances)).join(', ')}`);
  return chosen;
}

async function runAll(ctx: BenchContext, plan: readonly PlannedRun[], log: (line: string) => void): Promise<ConfigMetrics[]> {
  const metrics: ConfigMetrics[] = [];
  for (const [run, { variant, instances }] of plan.entries()) {
    const result = await runConfiguration(ctx, variant, instances, run);
    const m = metricsOf(result, ctx.settings);
    metrics.push(m);
    log(summaryLine(m));
  }
  return metrics;
}

const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;

function summaryLine(m: ConfigMetrics): string {
  const other = m.otherErrors > 0 ? `, ${m.otherErrors} other errors (${m.firstOther ?? ''})` : '';
  return (
    `[capacity] ${m.id.padEnd(13)} served ${pct(m.servedRatio)} of capacity (${m.busyByBackend.map((b) => `${b.name} ${pct(b.busy)}`).join(', ')}), ` +
    `backend 429s/served ${m.wastedPerServed.toFixed(3)}, client 429s ${pct(m.clientThrottledShare)}, ` +
    `calls/request ${m.callsPerRequest.toFixed(2)}, client p50/p99 ${m.p50Ms.toFixed(0)}/${m.p99Ms.toFixed(0)} ms, load ${m.loadAverage.toFixed(1)}${other}`
  );
}

function startBackends(settings: CapacitySettings): Promise<SimulatedBackend[]> {
  return Promise.all(
    BACKENDS.map((spec) =>
      startSimulatedBackend({
        name: spec.name,
        apiKey: apiKeyOf(spec.name),
        rpm: spec.rpm,
        tpm: spec.tpm,
        rateWindowMs: settings.windowMs,
        latencyMs: settings.latencyMs,
        completionTokens: 20,
      }),
    ),
  );
}
