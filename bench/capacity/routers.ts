/** Router instances as separate child processes (the built local host), as a user starts them. */
import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { SimulatedBackend } from '../../src/local/simulator';
import { BACKENDS } from './settings';

const ROOT = resolve(__dirname, '..', '..', '..');
const MAIN = resolve(ROOT, 'dist', 'src', 'local', 'main.js');
const KEEP_OUTPUT = 16_384;
export const CONSUMER_KEY = 'capacity-bench-consumer-key-0001';

export interface RouterChild {
  readonly url: string;
  /** The last few KiB the router wrote. */
  output(): string;
  stop(): Promise<void>;
}

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

async function startRouter(env: Record<string, string>, timeoutMs = 30_000): Promise<RouterChild> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (data: Buffer): void => {
    output = (output + data.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  try {
    const url = await waitForUrl(child, () => output, timeoutMs);
    return { url, output: () => output, stop: () => stop(child) };
  } catch (err) {
    await stop(child);
    throw err;
  }
}

function waitForUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => done(new Error(`router did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = (): void => {
      const url = /Router listening on (http:\/\/\S+)/.exec(output())?.[1];
      if (url !== undefined) done(undefined, url);
    };
    const onExit = (code: number | null): void => done(new Error(`router exited with ${code}:\n${output()}`));
    function done(err?: Error, url?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
      if (err !== undefined) reject(err);
      else resolveUrl(url ?? '');
    }
    child.stdout?.on('data', check);
    child.once('exit', onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
