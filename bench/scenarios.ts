/**
 * The measured scenarios, run against every target in interleaved rounds (the order rotates
 * each round) so machine noise, thermal drift and GC of the load generator hit all alike.
 */
import type { Pool } from 'undici';
import type { BenchConfig } from './config';
import { closedLoop, sequentialStreams, type RequestSpec } from './load';
import { cpuMicros } from './procfs';
import { summarize } from './stats';

/** `…Responses`: the same backend and router, driven with Responses API creates instead of chat. */
export type TargetName = 'direct' | 'router' | 'naive' | 'floor' | 'directResponses' | 'routerResponses';

export interface Target {
  readonly name: TargetName;
  /** `concurrency` keep-alive connections, for the closed loop. */
  readonly pool: Pool;
  /** One keep-alive connection, for sequential requests and streams. */
  readonly seqPool: Pool;
  readonly spec: RequestSpec;
  /** Undefined: the target does not stream (the naive proxy buffers). */
  readonly streamSpec: RequestSpec | undefined;
  /** The proxy process whose CPU this target costs; undefined for the direct calls. */
  readonly proxyPid: number | undefined;
}

export interface TargetTotals {
  readonly latenciesMs: number[];
  readonly roundP50: number[];
  readonly roundP99: number[];
  elapsedMs: number;
  requests: number;
  readonly sequentialMs: number[];
  readonly ttfbMs: number[];
  readonly streamTotalMs: number[];
  errors: number;
  firstError: string | undefined;
  /** CPU of the proxy and of the backend during the closed-loop requests, in µs. */
  proxyCpuUs: number;
  backendCpuUs: number;
}

function emptyTotals(): TargetTotals {
  return {
    latenciesMs: [],
    roundP50: [],
    roundP99: [],
    elapsedMs: 0,
    requests: 0,
    sequentialMs: [],
    ttfbMs: [],
    streamTotalMs: [],
    errors: 0,
    firstError: undefined,
    proxyCpuUs: 0,
    backendCpuUs: 0,
  };
}

function noteErrors(totals: TargetTotals, errors: number, firstError: string | undefined): void {
  totals.errors += errors;
  totals.firstError ??= firstError;
}

async function loadPhase(target: Target, totals: TargetTotals, config: BenchConfig, backendPid: number): Promise<void> {
  const proxyBefore = target.proxyPid === undefined ? 0 : cpuMicros(target.proxyPid);
  const backendBefore = cpuMicros(backendPid);
  const result = await closedLoop(target.pool, target.spec, config.requests, config.concurrency);
  totals.backendCpuUs += cpuMicros(backendPid) - backendBefore;
  if (target.proxyPid !== undefined) totals.proxyCpuUs += cpuMicros(target.proxyPid) - proxyBefore;
  totals.latenciesMs.push(...result.latenciesMs);
  const round = summarize(result.latenciesMs);
  totals.roundP50.push(round.p50);
  totals.roundP99.push(round.p99);
  totals.elapsedMs += result.elapsedMs;
  totals.requests += config.requests;
  noteErrors(totals, result.errors, result.firstError);
}

async function sequentialPhase(target: Target, totals: TargetTotals, config: BenchConfig): Promise<void> {
  if (config.sequentialRequests === 0) return;
  const result = await closedLoop(target.seqPool, target.spec, config.sequentialRequests, 1);
  totals.sequentialMs.push(...result.latenciesMs);
  noteErrors(totals, result.errors, result.firstError);
}

async function streamPhase(target: Target, totals: TargetTotals, config: BenchConfig): Promise<void> {
  if (target.streamSpec === undefined || config.streams === 0) return;
  const result = await sequentialStreams(target.seqPool, target.streamSpec, config.streams);
  totals.ttfbMs.push(...result.ttfbMs);
  totals.streamTotalMs.push(...result.totalMs);
  noteErrors(totals, result.errors, result.firstError);
}

export async function warmUp(targets: readonly Target[], config: BenchConfig): Promise<void> {
  for (const target of targets) {
    await closedLoop(target.pool, target.spec, config.warmupRequests, config.concurrency);
    await closedLoop(target.seqPool, target.spec, Math.ceil(config.warmupRequests / 10), 1);
    if (target.streamSpec !== undefined) await sequentialStreams(target.seqPool, target.streamSpec, config.warmupStreams);
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export async function runRounds(
  targets: readonly Target[],
  config: BenchConfig,
  backendPid: number,
  log: (line: string) => void,
): Promise<Map<TargetName, TargetTotals>> {
  const totals = new Map<TargetName, TargetTotals>(targets.map((t) => [t.name, emptyTotals()]));
  const of = (t: Target): TargetTotals => totals.get(t.name) ?? emptyTotals();
  for (let round = 0; round < config.rounds; round++) {
    const order = rotate(targets, round);
    for (const t of order) await loadPhase(t, of(t), config, backendPid);
    for (const t of order) await sequentialPhase(t, of(t), config);
    for (const t of order) await streamPhase(t, of(t), config);
    const p50s = order.map((t) => `${t.name} ${(of(t).roundP50[round] ?? NaN).toFixed(3)}`).join(', ');
    log(`round ${round + 1}/${config.rounds}: p50 ms at c=${config.concurrency}: ${p50s}`);
  }
  return totals;
}
