/** Starts and stops a simulated Azure OpenAI resource on 127.0.0.1. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from './handler';
import { holds, stopRuns } from './memory';
import { createState, resetState, type BackendState } from './state';
import type { SimulatedBackend, SimulatedBackendOptions } from './types';

/** Loopback only: the simulator is for tests, benchmarks and the local demo, never the network. */
const HOST = '127.0.0.1';

/** Pooled client connections idle for seconds between requests; a short server timeout races them into ECONNRESET. */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export async function startSimulatedBackend(options: SimulatedBackendOptions): Promise<SimulatedBackend> {
  validateOptions(options);
  const state = createState(options);
  const server = createServer({ keepAlive: true, noDelay: true }, createRequestHandler(state));
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return backendHandle(state, server, `http://${HOST}:${port}`);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function backendHandle(state: BackendState, server: Server, url: string): SimulatedBackend {
  return {
    url,
    name: state.name,
    requests: state.requests,
    stats: state.stats,
    setFault: (fault, times) => state.faults.set(fault, times),
    setLatency: (ms) => {
      requireNonNegative('latencyMs', ms);
      state.latencyMs = ms;
    },
    holds: (id) => holds(state.memory, id),
    reset: () => resetState(state),
    close: () => {
      // Background generations run on timers of their own: none may outlive the server.
      stopRuns(state.memory, false);
      return closeServer(server);
    },
  };
}

/** closeAllConnections() destroys every socket, hanging and idle keep-alive ones included, so close is prompt. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Called again after close, server.close reports ERR_SERVER_NOT_RUNNING: closed is closed.
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function requireNonNegative(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`SimulatedBackendOptions.${name} must be a non-negative number, got ${value}`);
  }
}

function requireInteger(name: string, value: number | undefined): void {
  requireNonNegative(name, value);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new RangeError(`SimulatedBackendOptions.${name} must be an integer, got ${value}`);
  }
}

function validateOptions(options: SimulatedBackendOptions): void {
  if (typeof options.name !== 'string' || options.name === '') {
    throw new TypeError('SimulatedBackendOptions.name must be a non-empty string');
  }
  requireInteger('port', options.port);
  requireInteger('rpm', options.rpm);
  requireInteger('tpm', options.tpm);
  requireInteger('rateWindowMs', options.rateWindowMs);
  if (options.rateWindowMs === 0) throw new RangeError('SimulatedBackendOptions.rateWindowMs must be positive, got 0');
  requireInteger('completionTokens', options.completionTokens);
  requireNonNegative('latencyMs', options.latencyMs);
  requireNonNegative('chunkIntervalMs', options.chunkIntervalMs);
}
