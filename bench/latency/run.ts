/**
 * The latency benchmark: a latency-aware router and one with ROUTER_LATENCY_ROUTING=off, side by
 * side under the same closed-loop load, while the fastest of three priority-1 backends turns slow
 * and recovers. Returns the Markdown section; writes latency.svg into the docs directory.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../childProcess';
import { stopAll, type Started } from '../processes';
import { resolveOptions, type SectionBenchOptions } from '../sectionBench';
import { latencyChart } from './chart';
import { ms, pct, seconds } from './format';
import { runLoad, type Sample } from './load';
import { phaseRows, splitAt, timeline, type PhaseRow } from './metrics';
import { backendStats, LatencyProcesses, ROUTER_IDS, setLatency, startLatencyProcesses } from './processes';
import { latencySection } from './report';
import { LatencySettings, readLatencySettings, SLOWED } from './settings';
import { figureShift, shiftOf } from './shift';
import { pollFigures, type FigurePoint } from './statusPoll';

/** Settings from `env` (BENCH_QUICK, BENCH_LATENCY_*); latency.svg goes into `docsDir`. */
export type LatencyBenchOptions = SectionBenchOptions;

export async function runLatencyBench(options: LatencyBenchOptions = {}): Promise<string> {
  const { env, docsDir, log } = resolveOptions(options);
  const settings = readLatencySettings(env);
  const startedMs = Date.now();
  const started: Started = { children: [], azurite: undefined };
  try {
    const processes = await startLatencyProcesses(settings, started);
    log(`[latency] routers: ${ROUTER_IDS.map((id) => `${id} ${processes.routers[id].url}`).join(', ')}; ${settings.concurrency} workers each`);
    const { samples, points } = await drive(processes, settings, log);
    const stats = await backendStats(processes.control);
    const figure = figureShift(points, settings.phases);
    const rows = splitAt(phaseRows(samples, settings.phases), samples, 'recovered', figure.restoredAfterMs);
    const shift = shiftOf(samples, settings.phases, 'aware');
    rows.forEach((row) => log(summaryLine(row)));
    log(
      `[latency] (a) moved off ${SLOWED} after ${seconds(shift.offAfterMs)} (demoted after ${seconds(figure.demotedAfterMs)}), restored after ${seconds(figure.restoredAfterMs)}, back at half its share after ${seconds(shift.backAfterMs)}`,
    );
    writeFileSync(
      join(docsDir, 'latency.svg'),
      latencyChart(timeline(samples, settings.phases[settings.phases.length - 1]?.endMs ?? 0), points, settings.phases),
    );
    return latencySection({ settings, rows, shift, figure, stats, elapsedMs: Date.now() - startedMs, loadAverage: loadavg()[0] ?? 0 });
  } finally {
    await stopAll(started);
  }
}

/** The load on both routers, with the slowed backend's latency switched at the phase boundaries. */
async function drive(
  processes: LatencyProcesses,
  settings: LatencySettings,
  log: (line: string) => void,
): Promise<{ samples: Sample[]; points: FigurePoint[] }> {
  const t0 = performance.now();
  const endMs = settings.phases[settings.phases.length - 1]?.endMs ?? 0;
  const urls = { aware: processes.routers.aware.url, random: processes.routers.random.url };
  const [samples, points] = await Promise.all([
    runLoad({ urls, concurrency: settings.concurrency, t0, endMs }),
    pollFigures(urls.aware, SLOWED, t0, endMs),
    switchPhases(processes.control, settings, t0, log),
  ]);
  return { samples, points };
}

async function switchPhases(control: Child, settings: LatencySettings, t0: number, log: (line: string) => void): Promise<void> {
  let current: number | undefined;
  for (const phase of settings.phases) {
    await sleep(Math.max(0, t0 + phase.startMs - performance.now()));
    if (phase.slowedLatencyMs !== current) await setLatency(control, SLOWED, phase.slowedLatencyMs);
    current = phase.slowedLatencyMs;
    log(`[latency] ${(phase.startMs / 1000).toFixed(0)} s: ${phase.label} (${SLOWED} ${phase.slowedLatencyMs} ms, until ${(phase.endMs / 1000).toFixed(0)} s)`);
  }
}

function summaryLine(row: PhaseRow): string {
  const part = (id: 'aware' | 'random'): string => {
    const s = row.byRouter[id];
    return `${id} n=${s.served} mean ${ms(s.mean)} p95 ${ms(s.p95)} ${SLOWED} ${pct(s.shares[SLOWED] ?? 0)} err ${s.errors}`;
  };
  return `[latency] ${row.label.padEnd(36)} ${part('aware')} | ${part('random')}`;
}
