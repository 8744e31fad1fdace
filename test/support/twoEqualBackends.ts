import { SimulatedBackend, SimulatedBackendOptions, startSimulatedBackend } from '../../src/local/simulator';

export interface TwoEqualBackends {
  readonly east: SimulatedBackend;
  readonly west: SimulatedBackend;
  /** BACKEND_1/2_* for a router that sees both at priority 1 with equal weight: only affinity keeps a chain on its holder. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** Two simulated resources, "east" and "west", and the router settings that balance between them. */
export async function startTwoEqualBackends(options: Partial<SimulatedBackendOptions> = {}): Promise<TwoEqualBackends> {
  const [east, west] = await Promise.all(
    (['east', 'west'] as const).map((name) => startSimulatedBackend({ ...options, name, apiKey: `${name}-backend-key-000000` })),
  );
  if (east === undefined || west === undefined) throw new Error('simulators did not start');
  const env: Record<string, string> = {};
  [east, west].forEach((backend, i) => {
    env[`BACKEND_${i + 1}_URL`] = backend.url;
    env[`BACKEND_${i + 1}_NAME`] = backend.name;
    env[`BACKEND_${i + 1}_PRIORITY`] = '1';
    env[`BACKEND_${i + 1}_APIKEY`] = `${backend.name}-backend-key-000000`;
  });
  return { east, west, env, close: async () => void (await Promise.all([east.close(), west.close()])) };
}
