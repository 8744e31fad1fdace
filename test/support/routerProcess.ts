import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const MAIN = resolve(ROOT, 'dist', 'src', 'local', 'main.js');

export interface RouterProcess {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the built local host (`npm start`'s entry) as a child process, exactly as a user
 * would, and waits for it to listen. Tests build first: `npm test` runs `tsc` before vitest.
 */
export async function startRouterProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<RouterProcess> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', NODE_ENV: 'test', ROUTER_STATE_STORE: 'memory', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = await waitForUrl(child, () => output, timeoutMs);
  return { url, output: () => output, stop: () => stop(child) };
}

function waitForUrl(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`router did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = (): void => {
      const match = /Router listening on (http:\/\/\S+)/.exec(output());
      if (match?.[1]) done(undefined, match[1]);
    };
    const onExit = (code: number | null): void => done(new Error(`router exited with ${code}:\n${output()}`));
    function done(err?: Error, url?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolvePromise(url ?? '');
    }
    child.stdout?.on('data', check);
    child.once('exit', onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}
