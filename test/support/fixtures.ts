import { BackendConfig, RouterConfig } from '../../src/config/types';

/** A realistic epoch: fake clocks at 0 hide absolute-vs-relative time bugs. */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

export function backend(overrides: Partial<BackendConfig> & { name: string }): BackendConfig {
  return {
    index: 1,
    origin: `https://${overrides.name}.openai.azure.com`,
    basePath: '',
    priority: 1,
    weight: 1,
    type: undefined,
    deployments: undefined,
    credential: { kind: 'apiKey', key: `key-of-${overrides.name}` },
    ...overrides,
  };
}

export function routerConfig(backends: BackendConfig[], overrides: Partial<RouterConfig> = {}): RouterConfig {
  return {
    backends,
    consumerKeys: new Map([['test-consumer-key-0001', 'team-a']]),
    adminKey: undefined,
    idSecret: 'test-id-secret-0123456789abcdefghijklmnop',
    consumerLimits: new Map(),
    telemetryConnectionString: undefined,
    strategy: 'priority',
    backendTimeoutMs: 30_000,
    timeoutPerOutputTokenMs: 20,
    timeoutRetries: 1,
    totalTimeoutMs: 200_000,
    maxAttempts: 5,
    maxBodyBytes: 1024 * 1024,
    maxResponseBytes: 1024 * 1024,
    throttle: { defaultMs: 10_000, floorMs: 1_000, preciseFloorMs: 100, capMs: 120_000, failureMs: 10_000, authFailureMs: 300_000 },
    circuit: { failureThreshold: 3, intervalMs: 30_000, tripMs: 30_000 },
    state: { kind: 'memory', why: 'tests' },
    latency: { enabled: true, demoteFactor: 3, demoteMinGapMs: 200, minShare: 0.05, noiseMs: 25, noiseRatio: 0.2 },
    affinity: { enabled: true, minTokens: 1024 },
    probe: { schedule: '0 */1 * * * *', deployment: undefined, timeoutMs: 10_000, apiVersion: '2024-10-21' },
    keyVaultUrl: undefined,
    ...overrides,
  };
}

/** Deterministic `random` cycling through the given values. */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}
