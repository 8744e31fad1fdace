/**
 * docs/benchmarks.md: machine, method, this run's results and settings. Regenerated on every
 * run; the hand-written analysis between the ANALYSIS markers is carried over from the old file.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BenchResults } from './results';
import { resultsMarkdown } from './reportTables';

const ANALYSIS_START = '<!-- analysis:start (kept across runs; edit freely) -->';
const ANALYSIS_END = '<!-- analysis:end -->';

function machineSection(results: BenchResults): string {
  const m = results.machine;
  return [
    '## Machine',
    '',
    `- Date: ${results.startedAt.toISOString()} (run took ${results.durationS.toFixed(0)} s, ${results.config.quick ? 'BENCH_QUICK=1' : 'full'} mode)`,
    `- Node ${m.node}, Linux ${m.kernel}`,
    `- CPU: ${m.cpuModel}, ${m.cores} cores available; ${m.memoryGiB} GiB RAM`,
    `- Machine load: 1-minute load average ${results.loadBefore.toFixed(2)} before the run; CPU stolen by the hypervisor during the run: ${results.stealPercent.toFixed(1)} %`,
    `- Router state store: ${results.routerState}`,
  ].join('\n');
}

const HOW_TO_RUN = `## How to run

- \`npm run bench\`: full run, about 2 minutes on 2 cores; rewrites this file and prints the tables.
- \`BENCH_QUICK=1 npm run bench\`: small counts, about 30 s, for a smoke test.
- Counts: \`BENCH_ROUNDS\`, \`BENCH_REQUESTS\`, \`BENCH_SEQUENTIAL_REQUESTS\`, \`BENCH_STREAMS\`, \`BENCH_WARMUP_REQUESTS\`,
  \`BENCH_WARMUP_STREAMS\`, \`BENCH_CONCURRENCY\`; payload: \`BENCH_COMPLETION_TOKENS\`, \`BENCH_STREAM_TOKENS\`,
  \`BENCH_CHUNK_INTERVAL_MS\`; \`BENCH_ROUTER_STATE=memory\` runs the router without Table Storage;
  \`BENCH_ROUTER_NODE_ARGS="--max-semi-space-size=32"\` passes Node.js flags to the router, for experiments.
- \`BENCH_REPORT=<path>\` writes the report elsewhere (\`BENCH_REPORT=\` writes none).
- Profiling: \`BENCH_PROFILE_DIR=/tmp/prof BENCH_REPORT=/tmp/prof/report.md npm run bench\` runs the router with
  \`--cpu-prof\` and appends a summary (self time by app file, package, file, function; inclusive time);
  \`node dist/bench/profileCli.js /tmp/prof\` summarizes any .cpuprofile again.`;

const METHOD = `## Method

Five processes, all on 127.0.0.1, all on the same machine:

- **backend**: \`bench/backendProcess.ts\`, the project's Azure OpenAI simulator (\`startSimulatedBackend\`) in a
  child process of its own: no added latency, no rate limits, a fixed completion length.
- **router**: \`dist/src/local/main.js\` in a child process, the local Functions host serving the real
  function files (as \`npm start\`), with \`BACKEND_1_URL\` pointing at the simulator.
- **naive proxy** (baseline): \`bench/naiveProxy.ts\`, a \`node:http\` server that checks a key, forwards with
  global \`fetch\` and buffers the answer: what a first hand-written proxy looks like.
- **floor proxy** (baseline): \`bench/floorProxy.ts\`, \`node:http\` in, one undici \`Pool\` out, bodies piped both
  ways, no WHATWG streams and no framework: about the least any Node.js proxy can cost on this machine.
- **load generator**: the bench process itself, undici \`Pool\`s with keep-alive connections.

Every request is the same realistic ~1 KB chat request on the deployments route
(\`/openai/deployments/gpt-4o/chat/completions?api-version=…\`), sent to the backend directly, through
the router (\`/api/openai/…\` with a router key) and through each baseline proxy.

- **Latency under load**: a closed loop of N connections (\`BENCH_CONCURRENCY\`, 8): each sends its next
  request as soon as its last answer's body has been read. Latency is send → last body byte.
  Requests/s is requests ÷ wall time. **Added latency** is router − direct, from the same run.
- **Sequential latency** (c=1): the cost of the extra hop without any queueing.
- **Streaming**: sequential \`stream: true\` requests, the simulator pacing SSE frames
  \`BENCH_CHUNK_INTERVAL_MS\` apart: time to the first SSE byte, and to the end of the stream.
- **CPU per request**: utime + stime of the proxy process (all its threads: JavaScript, GC, libuv) from
  \`/proc/<pid>/stat\`, read before and after each closed-loop batch, summed over the rounds and divided
  by the requests. The tick is 1/CLK_TCK (10 ms), so thousands of requests are needed for a precise
  per-request figure. The simulator's CPU per request is shown for scale.
- **Memory**: VmRSS and VmHWM from \`/proc/<pid>/status\` after start-up (idle) and after all the load.

**Why interleaved.** Each round runs every target in turn (direct, router, naive, floor; the order rotates
each round), after a warm-up of every target. Noise from the machine (other processes, CPU frequency, the load
generator's own GC) then lands on all targets alike instead of on whichever ran last, and the per-round
p50 spread shows how steady the machine was.

**Reading the figures.** With 2 cores, the load generator, the simulator and the proxy share the CPU.
At 8 connections the added latency therefore includes queueing behind the proxy's own CPU work: a
proxy that costs more CPU per request adds more latency under load, which is what the target is about.`;

function analysisBlock(reportPath: string | undefined): string {
  const old = reportPath !== undefined && existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
  const start = old.indexOf(ANALYSIS_START);
  const end = old.indexOf(ANALYSIS_END);
  if (start >= 0 && end > start) return old.slice(start, end + ANALYSIS_END.length);
  const hint =
    'No analysis yet. Profile the router under the same load with `BENCH_PROFILE_DIR=/tmp/prof BENCH_REPORT=/tmp/prof/report.md npm run bench`; the profile summary lands in that report.';
  return `${ANALYSIS_START}\n${hint}\n${ANALYSIS_END}`;
}

function settingsSection(results: BenchResults): string {
  const c = results.config;
  return [
    '## Settings of this run',
    '',
    '| setting | value |',
    '| --- | --- |',
    `| rounds (BENCH_ROUNDS) | ${c.rounds} |`,
    `| connections (BENCH_CONCURRENCY) | ${c.concurrency} |`,
    `| closed-loop requests per target per round (BENCH_REQUESTS) | ${c.requests} |`,
    `| sequential requests per target per round (BENCH_SEQUENTIAL_REQUESTS) | ${c.sequentialRequests} |`,
    `| streams per target per round (BENCH_STREAMS) | ${c.streams} |`,
    `| warm-up requests / streams per target (BENCH_WARMUP_REQUESTS / _STREAMS) | ${c.warmupRequests} / ${c.warmupStreams} |`,
    `| completion tokens, non-stream (BENCH_COMPLETION_TOKENS) | ${c.completionTokens} |`,
    `| tokens per stream / ms between frames (BENCH_STREAM_TOKENS / BENCH_CHUNK_INTERVAL_MS) | ${c.streamTokens} / ${c.chunkIntervalMs} |`,
    `| router state (BENCH_ROUTER_STATE) | ${c.routerState} |`,
    `| router Node.js args (BENCH_ROUTER_NODE_ARGS) | ${c.routerNodeArgs.join(' ') || '(none)'} |`,
  ].join('\n');
}

/** `path`: where the report will be written, to carry its analysis block over. */
export function reportMarkdown(results: BenchResults, profile: string | undefined, path?: string): string {
  return [
    "# Benchmarks: the router's added latency and cost",
    '',
    '_Generated by `npm run bench` (`BENCH_QUICK=1` for a ~20 s run). Everything outside the analysis block is rewritten on each run._',
    '',
    machineSection(results),
    '',
    `## Results (${results.startedAt.toISOString().slice(0, 10)}, measured in one run against the direct calls)`,
    '',
    resultsMarkdown(results),
    '',
    ...(profile === undefined ? [] : ['## Router CPU profile of this run (profiler on: the figures above are inflated)', '', profile, '']),
    '## Analysis',
    '',
    analysisBlock(path),
    '',
    HOW_TO_RUN,
    '',
    METHOD,
    '',
    settingsSection(results),
    '',
  ].join('\n');
}
