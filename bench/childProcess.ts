/** Starts a Node script as a child process and waits until it prints the address it listens on. */
import { ChildProcess, spawn } from 'node:child_process';

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** The last few KiB the child wrote to stdout and stderr. */
  output(): string;
  /** SIGTERM (the child exits cleanly, so a --cpu-prof profile is written), SIGKILL after killAfterMs (default 10 s). */
  stop(): Promise<void>;
}

export interface ChildOptions {
  readonly name: string;
  readonly script: string;
  readonly env: Record<string, string>;
  /** Matches the child's start line; group 1 is the URL. */
  readonly ready: RegExp;
  readonly nodeArgs?: readonly string[];
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL on stop(); default 10 s. */
  readonly killAfterMs?: number;
}

const KEEP_OUTPUT = 16_384;

export async function startChild(options: ChildOptions): Promise<Child> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killAfterMs = options.killAfterMs ?? 10_000;
  let output = '';
  const append = (data: Buffer): void => {
    output = (output + data.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  try {
    const url = await waitForUrl(child, options, () => output);
    if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
    return { name: options.name, pid: child.pid, url, output: () => output, stop: () => stop(child, killAfterMs) };
  } catch (err) {
    await stop(child, killAfterMs);
    throw err;
  }
}

function waitForUrl(child: ChildProcess, options: ChildOptions, output: () => string): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${options.name} did not start within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = (): void => {
      const url = options.ready.exec(output())?.[1];
      if (url !== undefined) done(undefined, url);
    };
    const onExit = (code: number | null): void => done(new Error(`${options.name} exited with ${code}:\n${output()}`));
    function done(err?: Error, url?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
      if (err !== undefined) reject(err);
      else resolve(url ?? '');
    }
    child.stdout?.on('data', check);
    child.once('exit', onExit);
  });
}

function stop(child: ChildProcess, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
