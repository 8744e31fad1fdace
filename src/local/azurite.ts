import { ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

export interface Azurite {
  readonly port: number;
  readonly connectionString: string;
  stop(): Promise<void>;
}

const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The well-known Azurite development account (public, documented by Microsoft). */
export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
}

export function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(false));
  });
}

/** A free port: Azurite itself cannot listen on port 0. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A private in-memory Azurite on a free port (tests and benches), never the shared 10002. */
export async function startPrivateAzurite(): Promise<Azurite> {
  return startAzurite(await freePort());
}

/**
 * Starts Azurite's table service in memory. Its bin is started directly (an npx parent
 * would leave an orphan when killed). Port 0 is not supported by Azurite, so callers pick one.
 */
export async function startAzurite(port: number, timeoutMs = 15_000): Promise<Azurite> {
  const bin = require.resolve('azurite/dist/src/table/main.js');
  const child = spawn(
    process.execPath,
    [bin, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--silent'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await waitForStart(child, timeoutMs);
  return { port, connectionString: azuriteConnectionString(port), stop: () => stopChild(child) };
}

function waitForStart(child: ChildProcess, timeoutMs: number): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutMs} ms: ${output}`)), timeoutMs);
    const onData = (data: Buffer): void => {
      output += data.toString();
      if (output.includes('successfully started')) finish();
    };
    const onExit = (code: number | null): void => fail(new Error(`Azurite exited with ${code}: ${output}`));
    function finish(): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.stdout?.resume();
      child.stderr?.resume();
      resolve();
    }
    function fail(err: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
