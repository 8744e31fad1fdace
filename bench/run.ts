/**
 * `npm run bench`: the router's added latency and cost against direct calls to the same
 * simulated backend, in one run; writes docs/benchmarks.md and prints the results tables.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChild, type Child } from './childProcess';
import { readBenchConfig, type BenchConfig } from './config';
import { createPool } from './load';
import { describeMachine } from './machine';
import { CHAT_BODY, CHAT_PATH, streamBody } from './payload';
import { memory, type Memory } from './procfs';
import { profileMarkdown, summarizeProfile } from './profile';
import { reportMarkdown } from './report';
import { resultsMarkdown } from './reportTables';
import { targetResult, type BenchResults, type TargetResult } from './results';
import { runRounds, warmUp, type Target, type TargetName } from './scenarios';

const ROOT = resolve(__dirname, '..', '..');
const BACKEND_KEY = 'bench-backend-key-0123456789';
const ROUTER_KEY = 'bench-router-key-0123456789';
const NAIVE_KEY = 'bench-naive-key-01234567890';
const log = (line: string): void => console.log(`[bench] ${line}`);

interface Processes {
  readonly backend: Child;
  readonly router: Child;
  readonly naive: Child;
}

async function startProcesses(config: BenchConfig, started: Child[]): Promise<Processes> {
  const keep = (child: Child): Child => (started.push(child), child);
  const backend = keep(await startChild({
    name: 'backend', script: join(ROOT, 'dist', 'bench', 'backendProcess.js'), ready: /Backend listening on (http:\/\/\S+)/,
    env: { BENCH_BACKEND_KEY: BACKEND_KEY, BENCH_COMPLETION_TOKENS: String(config.completionTokens), BENCH_CHUNK_INTERVAL_MS: String(config.chunkIntervalMs) },
  }));
  const router = keep(await startChild({
    name: 'router', script: join(ROOT, 'dist', 'src', 'local', 'main.js'), cwd: ROOT, ready: /Router listening on (http:\/\/\S+)/,
    nodeArgs: config.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${config.profileDir}`],
    env: { PORT: '0', ROUTER_API_KEYS: `bench:${ROUTER_KEY}`, BACKEND_1_URL: backend.url, BACKEND_1_PRIORITY: '1', BACKEND_1_APIKEY: BACKEND_KEY },
  }));
  const naive = keep(await startChild({
    name: 'naive proxy', script: join(ROOT, 'dist', 'bench', 'naiveProxy.js'), ready: /Naive proxy listening on (http:\/\/\S+)/,
    env: { NAIVE_TARGET_URL: backend.url, NAIVE_TARGET_KEY: BACKEND_KEY, NAIVE_CALLER_KEY: NAIVE_KEY },
  }));
  return { backend, router, naive };
}

function target(name: TargetName, origin: string, prefix: string, key: string, config: BenchConfig, proxyPid: number | undefined, streams: boolean): Target {
  const headers = { 'content-type': 'application/json', 'api-key': key };
  return {
    name,
    pool: createPool(origin, config.concurrency),
    seqPool: createPool(origin, 1),
    spec: { path: `${prefix}${CHAT_PATH}`, headers, body: CHAT_BODY },
    streamSpec: streams ? { path: `${prefix}${CHAT_PATH}`, headers, body: streamBody(config.streamTokens) } : undefined,
    proxyPid,
  };
}

function newestProfile(dir: string, since: number): string | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  return files.filter((f) => statSync(f).mtimeMs >= since).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

async function measure(config: BenchConfig, procs: Processes, targets: readonly Target[]): Promise<{ results: Map<TargetName, TargetResult>; idle: Memory[]; after: Memory[] }> {
  await sleep(1000);
  const idle = [memory(procs.router.pid), memory(procs.naive.pid)];
  log(`warming up (${config.warmupRequests} requests, ${config.warmupStreams} streams per target)`);
  await warmUp(targets, config);
  log(`measuring: ${config.rounds} rounds × (${config.requests} requests at c=${config.concurrency}, ${config.sequentialRequests} sequential, ${config.streams} streams) per target`);
  const totals = await runRounds(targets, config, procs.backend.pid, log);
  const after = [memory(procs.router.pid), memory(procs.naive.pid)];
  const results = new Map([...totals].map(([name, t]) => [name, targetResult(name, t)] as const));
  return { results, idle, after };
}

function writeReport(results: BenchResults, profile: string | undefined): void {
  const text = reportMarkdown(results, profile);
  if (results.config.reportPath === '') return;
  const path = resolve(ROOT, results.config.reportPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  log(`wrote ${path}`);
}

async function main(): Promise<void> {
  const config = readBenchConfig(process.env);
  const startedAt = new Date();
  const started: Child[] = [];
  const targets: Target[] = [];
  if (config.profileDir !== undefined) mkdirSync(config.profileDir, { recursive: true });
  try {
    const procs = await startProcesses(config, started);
    log(`backend ${procs.backend.url} (pid ${procs.backend.pid}), router ${procs.router.url} (pid ${procs.router.pid}), naive ${procs.naive.url} (pid ${procs.naive.pid})`);
    targets.push(
      target('direct', procs.backend.url, '', BACKEND_KEY, config, undefined, true),
      target('router', procs.router.url, '/api', ROUTER_KEY, config, procs.router.pid, true),
      target('naive', procs.naive.url, '/api', NAIVE_KEY, config, procs.naive.pid, false),
    );
    const { results, idle, after } = await measure(config, procs, targets);
    await Promise.all(started.splice(0).map((c) => c.stop()));
    const profileFile = config.profileDir === undefined ? undefined : newestProfile(config.profileDir, startedAt.getTime());
    const profile = profileFile === undefined ? undefined : `From \`${profileFile}\`.\n\n${profileMarkdown(summarizeProfile(profileFile))}`;
    const bench: BenchResults = {
      config, machine: describeMachine(), startedAt, durationS: (Date.now() - startedAt.getTime()) / 1000, targets: results,
      routerMemory: { idle: idle[0] ?? { rssMiB: NaN, peakMiB: NaN }, afterLoad: after[0] ?? { rssMiB: NaN, peakMiB: NaN } },
      naiveMemory: { idle: idle[1] ?? { rssMiB: NaN, peakMiB: NaN }, afterLoad: after[1] ?? { rssMiB: NaN, peakMiB: NaN } },
    };
    console.log(`\n${resultsMarkdown(bench)}\n`);
    if (profile !== undefined) console.log(`${profile}\n`);
    writeReport(bench, profile);
  } finally {
    await Promise.all(targets.flatMap((t) => [t.pool.close(), t.seqPool.close()]));
    await Promise.all(started.map((c) => c.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
