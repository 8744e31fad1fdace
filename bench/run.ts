/**
 * `npm run bench`: the router's added latency and cost against direct calls to the same
 * simulated backend, in one run; writes docs/benchmarks.md and prints the results tables.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readBenchConfig, type BenchConfig } from './config';
import { createPool } from './load';
import { describeMachine, loadAverage, machineCpuTimes, stealPercent } from './machine';
import { CHAT_BODY, CHAT_PATH, RESPONSES_PATH, responsesBody, streamBody } from './payload';
import { BACKEND_KEY, PROXY_KEY, ROUTER_KEY, startProcesses, stopAll, type Processes, type Started } from './processes';
import { memory, type Memory } from './procfs';
import { profileMarkdown, summarizeProfile } from './profile';
import { reportMarkdown } from './report';
import { resultsMarkdown } from './reportTables';
import { targetResult, type BenchResults, type MemoryResult, type TargetResult } from './results';
import { runRounds, warmUp, type Target, type TargetName } from './scenarios';
import { sectionOf, SECTIONS, withSection } from './sections';

const ROOT = resolve(__dirname, '..', '..');
const log = (line: string): void => console.log(`[bench] ${line}`);

function target(name: TargetName, origin: string, prefix: string, key: string, config: BenchConfig, proxyPid: number | undefined): Target {
  const headers = { 'content-type': 'application/json', 'api-key': key };
  return {
    name,
    pool: createPool(origin, config.concurrency),
    seqPool: createPool(origin, 1),
    spec: { path: `${prefix}${CHAT_PATH}`, headers, body: CHAT_BODY },
    // The naive proxy buffers whole answers: its "stream" would say nothing about streaming.
    streamSpec: name === 'naive' ? undefined : { path: `${prefix}${CHAT_PATH}`, headers, body: streamBody(config.streamTokens) },
    proxyPid,
  };
}

/** A Responses API target: the same conversation as a create, non-stream and streamed. */
function responsesTarget(name: TargetName, origin: string, prefix: string, key: string, config: BenchConfig, proxyPid: number | undefined): Target {
  const headers = { 'content-type': 'application/json', 'api-key': key };
  const path = `${prefix}${RESPONSES_PATH}`;
  return {
    name,
    pool: createPool(origin, config.concurrency),
    seqPool: createPool(origin, 1),
    spec: { path, headers, body: responsesBody({ max_output_tokens: 800 }) },
    streamSpec: { path, headers, body: responsesBody({ max_output_tokens: config.streamTokens, stream: true }) },
    proxyPid,
  };
}

function targetsOf(procs: Processes, config: BenchConfig): Target[] {
  return [
    target('direct', procs.backend.url, '', BACKEND_KEY, config, undefined),
    target('router', procs.router.url, '/api', ROUTER_KEY, config, procs.router.pid),
    target('naive', procs.naive.url, '/api', PROXY_KEY, config, procs.naive.pid),
    target('floor', procs.floor.url, '/api', PROXY_KEY, config, procs.floor.pid),
    responsesTarget('directResponses', procs.backend.url, '', BACKEND_KEY, config, undefined),
    responsesTarget('routerResponses', procs.router.url, '/api', ROUTER_KEY, config, procs.router.pid),
  ];
}

function memories(targets: readonly Target[]): Map<TargetName, Memory> {
  return new Map(targets.flatMap((t): Array<[TargetName, Memory]> => (t.proxyPid === undefined ? [] : [[t.name, memory(t.proxyPid)]])));
}

async function measure(
  config: BenchConfig,
  procs: Processes,
  targets: readonly Target[],
): Promise<{ results: Map<TargetName, TargetResult>; memory: Map<TargetName, MemoryResult> }> {
  await sleep(1000);
  const idle = memories(targets);
  log(`warming up (${config.warmupRequests} requests, ${config.warmupStreams} streams per target)`);
  await warmUp(targets, config);
  log(
    `measuring: ${config.rounds} rounds × (${config.requests} requests at c=${config.concurrency}, ${config.sequentialRequests} sequential, ${config.streams} streams) per target`,
  );
  const totals = await runRounds(targets, config, procs.backend.pid, log);
  const after = memories(targets);
  const results = new Map([...totals].map(([name, t]) => [name, targetResult(name, t)] as const));
  const memory = new Map([...idle].map(([name, m]) => [name, { idle: m, afterLoad: after.get(name) ?? m }] as const));
  return { results, memory };
}

function newestProfile(dir: string, since: number): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  return files.filter((f) => statSync(f).mtimeMs >= since).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function profileSection(config: BenchConfig, since: number): string | undefined {
  const file = config.profileDir === undefined ? undefined : newestProfile(config.profileDir, since);
  return file === undefined ? undefined : `From \`${file}\`.\n\n${profileMarkdown(summarizeProfile(file))}`;
}

function writeReport(results: BenchResults, profile: string | undefined): void {
  if (results.config.reportPath === '') return;
  const path = resolve(ROOT, results.config.reportPath);
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  let text = reportMarkdown(results, profile, path);
  // The capacity and latency benches own their sections of the same file: keep them.
  for (const name of SECTIONS) {
    const kept = sectionOf(previous, name);
    if (kept !== undefined) text = withSection(text, name, kept);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  log(`wrote ${path}`);
}

async function main(): Promise<void> {
  const config = readBenchConfig(process.env);
  const startedAt = new Date();
  const loadBefore = loadAverage();
  const cpuBefore = machineCpuTimes();
  const started: Started = { children: [], azurite: undefined };
  const targets: Target[] = [];
  if (config.profileDir !== undefined) mkdirSync(config.profileDir, { recursive: true });
  try {
    const procs = await startProcesses(config, started);
    log(`backend ${procs.backend.url}, router ${procs.router.url} (state: ${procs.routerState}), naive ${procs.naive.url}, floor ${procs.floor.url}`);
    targets.push(...targetsOf(procs, config));
    const { results, memory } = await measure(config, procs, targets);
    await stopAll(started); // the router writes its CPU profile as it exits
    const bench: BenchResults = {
      config,
      machine: describeMachine(),
      startedAt,
      durationS: (Date.now() - startedAt.getTime()) / 1000,
      targets: results,
      memory,
      routerState: procs.routerState,
      loadBefore,
      stealPercent: stealPercent(cpuBefore, machineCpuTimes()),
    };
    const profile = profileSection(config, startedAt.getTime());
    console.log(`\n${resultsMarkdown(bench)}\n`);
    if (profile !== undefined) console.log(`${profile}\n`);
    writeReport(bench, profile);
  } finally {
    await Promise.all(targets.flatMap((t) => [t.pool.close(), t.seqPool.close()]));
    await stopAll(started);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
