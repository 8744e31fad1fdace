/** Bench settings from the environment: full defaults fit ~3 min on 2 cores, BENCH_QUICK=1 ~20 s. */

export interface BenchConfig {
  readonly quick: boolean;
  /** Interleaved rounds: each round runs every target once, in turn. */
  readonly rounds: number;
  /** Connections of the closed-loop load generator (non-stream scenario). */
  readonly concurrency: number;
  /** Non-stream requests per target per round, at `concurrency`. */
  readonly requests: number;
  /** Sequential (concurrency 1) non-stream requests per target per round. */
  readonly sequentialRequests: number;
  /** Sequential streams per target per round. */
  readonly streams: number;
  /** Requests per target before measuring (JIT, pools, caches). */
  readonly warmupRequests: number;
  readonly warmupStreams: number;
  /** Default completion length of the simulator (non-stream answers). */
  readonly completionTokens: number;
  /** Tokens per streamed answer (the stream request's max_tokens). */
  readonly streamTokens: number;
  /** Simulator pause between SSE frames. */
  readonly chunkIntervalMs: number;
  /** Write the markdown report here (relative to the repo root); empty: stdout only. */
  readonly reportPath: string;
  /** `table` (default): the router shares state through an Azurite of the bench's own; `memory`: per process. */
  readonly routerState: 'table' | 'memory';
  /** Extra Node.js arguments for the router child (BENCH_ROUTER_NODE_ARGS, space-separated), for experiments. */
  readonly routerNodeArgs: readonly string[];
  /** When set, the router child runs with --cpu-prof into this folder. */
  readonly profileDir: string | undefined;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function routerState(raw: string | undefined): 'table' | 'memory' {
  if (raw === undefined || raw === '' || raw === 'table') return 'table';
  if (raw === 'memory') return 'memory';
  throw new Error(`BENCH_ROUTER_STATE must be "table" or "memory", got "${raw}"`);
}

export function readBenchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const quick = env.BENCH_QUICK === '1';
  const pick = (full: number, small: number): number => (quick ? small : full);
  return {
    quick,
    rounds: intFrom(env, 'BENCH_ROUNDS', pick(5, 2), 1),
    concurrency: intFrom(env, 'BENCH_CONCURRENCY', 8, 1),
    requests: intFrom(env, 'BENCH_REQUESTS', pick(3000, 600), 10),
    sequentialRequests: intFrom(env, 'BENCH_SEQUENTIAL_REQUESTS', pick(500, 60), 0),
    streams: intFrom(env, 'BENCH_STREAMS', pick(60, 10), 0),
    warmupRequests: intFrom(env, 'BENCH_WARMUP_REQUESTS', pick(2000, 300), 0),
    warmupStreams: intFrom(env, 'BENCH_WARMUP_STREAMS', pick(40, 5), 0),
    completionTokens: intFrom(env, 'BENCH_COMPLETION_TOKENS', 64, 1),
    streamTokens: intFrom(env, 'BENCH_STREAM_TOKENS', 16, 1),
    chunkIntervalMs: intFrom(env, 'BENCH_CHUNK_INTERVAL_MS', 1, 0),
    reportPath: env.BENCH_REPORT ?? 'docs/benchmarks.md',
    routerState: routerState(env.BENCH_ROUTER_STATE),
    routerNodeArgs: (env.BENCH_ROUTER_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
    profileDir: env.BENCH_PROFILE_DIR === '' ? undefined : env.BENCH_PROFILE_DIR,
  };
}
