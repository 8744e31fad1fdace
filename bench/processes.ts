/** The bench's child processes: the simulated backend, the router, and the two baseline proxies. */
import { join, resolve } from 'node:path';
import type { Azurite } from '../src/local/azurite';
import { startPrivateAzurite } from '../src/local/azurite';
import { startChild, type Child } from './childProcess';
import type { BenchConfig } from './config';

const ROOT = resolve(__dirname, '..', '..');
export const BACKEND_KEY = 'bench-backend-key-0123456789';
export const ROUTER_KEY = 'bench-router-key-0123456789';
export const PROXY_KEY = 'bench-proxy-key-01234567890';

export interface Processes {
  readonly backend: Child;
  readonly router: Child;
  readonly naive: Child;
  readonly floor: Child;
  /** What backs the router's shared state in this run. */
  readonly routerState: string;
}

/** Everything started so far, so a failure half-way still stops it all. */
export interface Started {
  readonly children: Child[];
  azurite: Azurite | undefined;
}

/**
 * The router's state store. `table` (default): Table Storage on an Azurite of the bench's own, on a free
 * port, so the background sync runs as in Azure without touching an Azurite that tests may be using.
 */
async function stateEnv(config: BenchConfig, started: Started): Promise<{ env: Record<string, string>; label: string }> {
  if (config.routerState === 'memory') return { env: { ROUTER_STATE_STORE: 'memory' }, label: 'memory (ROUTER_STATE_STORE=memory)' };
  const azurite = await startPrivateAzurite();
  started.azurite = azurite;
  return {
    env: { AzureWebJobsStorage: azurite.connectionString },
    label: `Table Storage (Azurite in memory, 127.0.0.1:${azurite.port}), synced in the background`,
  };
}

function proxy(name: string, file: string, backendUrl: string): Promise<Child> {
  return startChild({
    name,
    script: join(ROOT, 'dist', 'bench', file),
    ready: /listening on (http:\/\/\S+)/,
    env: { NAIVE_TARGET_URL: backendUrl, NAIVE_TARGET_KEY: BACKEND_KEY, NAIVE_CALLER_KEY: PROXY_KEY },
  });
}

export async function startProcesses(config: BenchConfig, started: Started): Promise<Processes> {
  const keep = (child: Child): Child => (started.children.push(child), child);
  const backend = keep(
    await startChild({
      name: 'backend',
      script: join(ROOT, 'dist', 'bench', 'backendProcess.js'),
      ready: /Backend listening on (http:\/\/\S+)/,
      env: {
        BENCH_BACKEND_KEY: BACKEND_KEY,
        BENCH_COMPLETION_TOKENS: String(config.completionTokens),
        BENCH_CHUNK_INTERVAL_MS: String(config.chunkIntervalMs),
      },
    }),
  );
  const state = await stateEnv(config, started);
  const router = keep(
    await startChild({
      name: 'router',
      script: join(ROOT, 'dist', 'src', 'local', 'main.js'),
      cwd: ROOT,
      ready: /Router listening on (http:\/\/\S+)/,
      nodeArgs: [...config.routerNodeArgs, ...(config.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${config.profileDir}`])],
      env: {
        PORT: '0',
        ROUTER_API_KEYS: `bench:${ROUTER_KEY}`,
        ROUTER_ID_SECRET: 'bench-id-secret-0123456789abcdefghijkl',
        BACKEND_1_URL: backend.url,
        BACKEND_1_PRIORITY: '1',
        BACKEND_1_APIKEY: BACKEND_KEY,
        ...state.env,
      },
    }),
  );
  const naive = keep(await proxy('naive proxy', 'naiveProxy.js', backend.url));
  const floor = keep(await proxy('floor proxy', 'floorProxy.js', backend.url));
  return { backend, router, naive, floor, routerState: state.label };
}

export async function stopAll(started: Started): Promise<void> {
  await Promise.all(started.children.splice(0).map((c) => c.stop()));
  await started.azurite?.stop();
  started.azurite = undefined;
}
