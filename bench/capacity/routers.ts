/** Router instances as separate child processes (the built local host), as a user starts them. */
import { resolve } from 'node:path';
import type { SimulatedBackend } from '../../src/local/simulator';
import { startChild, type Child } from '../childProcess';
import { BACKENDS } from './settings';

const ROOT = resolve(__dirname, '..', '..', '..');
const MAIN = resolve(ROOT, 'dist', 'src', 'local', 'main.js');
export const CONSUMER_KEY = 'capacity-bench-consumer-key-0001';

export type RouterChild = Pick<Child, 'url' | 'output' | 'stop'>;

/** Backend settings pointing at the simulators, in BACKENDS order, plus the caller key. */
export function backendEnv(backends: readonly SimulatedBackend[]): Record<string, string> {
  const env: Record<string, string> = { ROUTER_API_KEYS: `bench:${CONSUMER_KEY}` };
  BACKENDS.forEach((spec, i) => {
    const n = i + 1;
    env[`BACKEND_${n}_URL`] = backends[i]?.url ?? '';
    env[`BACKEND_${n}_NAME`] = spec.name;
    env[`BACKEND_${n}_PRIORITY`] = String(spec.priority);
    env[`BACKEND_${n}_TYPE`] = spec.type;
    env[`BACKEND_${n}_APIKEY`] = apiKeyOf(spec.name);
  });
  return env;
}

export const apiKeyOf = (name: string): string => `${name}-simulated-key-0000`;

export async function startRouters(count: number, env: Record<string, string>): Promise<RouterChild[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startRouter(env)));
  const routers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed === undefined) return routers;
  await Promise.all(routers.map((r) => r.stop()));
  throw failed.reason;
}

function startRouter(env: Record<string, string>): Promise<RouterChild> {
  return startChild({
    name: 'router',
    script: MAIN,
    cwd: ROOT,
    ready: /Router listening on (http:\/\/\S+)/,
    killAfterMs: 5_000,
    env: { PORT: '0', NODE_ENV: 'production', ...env },
  });
}
