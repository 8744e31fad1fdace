import { BackendConfig, RouterConfig } from './types';
import { ConfigError, Env, SettingsReader } from './settingsReader';
import { readBackends } from './readBackends';
import { readAdminKey, readConsumerKeys } from './readConsumerKeys';
import { readConsumerLimits } from './readConsumerLimits';
import { readStateSettings } from './readStateSettings';
import { readProbeSettings } from './readProbeSettings';
import { windowCaps } from '../core/windows';
import { readCacheSettings } from '../cache/CacheSettings';

/** Azure kills HTTP-triggered functions at 230 s; the whole request must finish well before. */
const AZURE_HTTP_LIMIT_SECONDS = 230;
/** 50 output tokens a second: slower than Azure's models generate, so a healthy generation is not cut. */
const DEFAULT_TIMEOUT_PER_OUTPUT_TOKEN_MS = 20;

/** Reads and validates every setting once. Throws ConfigError naming the bad setting. `settings` is for tests that watch what is read. */
export function readConfig(env: Env, settings = new SettingsReader(env)): RouterConfig {
  const backends = readBackends(settings, env);
  if (backends.length === 0) throw new ConfigError('BACKEND_1_URL', 'at least one backend is required');
  const backendTimeoutMs = settings.secondsAsMs('HTTP_TIMEOUT_SECONDS', 30, 0.05, 200);
  const totalTimeoutMs = settings.secondsAsMs('ROUTER_TOTAL_TIMEOUT_SECONDS', 200, 1, AZURE_HTTP_LIMIT_SECONDS - 10);
  const throttleFloorMs = settings.integer('ROUTER_RETRY_AFTER_MIN_MS', 1000, 0, 60_000);
  const throttleCapMs = settings.secondsAsMs('ROUTER_RETRY_AFTER_MAX_SECONDS', 120, 1, 86_400);
  if (throttleCapMs < throttleFloorMs) {
    throw new ConfigError('ROUTER_RETRY_AFTER_MAX_SECONDS', 'must not be below ROUTER_RETRY_AFTER_MIN_MS');
  }
  const consumerKeys = readConsumerKeys(settings);
  const throttle = {
    defaultMs: settings.secondsAsMs('ROUTER_RETRY_AFTER_DEFAULT_SECONDS', 10, 0, 86_400),
    floorMs: throttleFloorMs,
    preciseFloorMs: settings.integer('ROUTER_RETRY_AFTER_MS_MIN_MS', 100, 0, 60_000),
    capMs: throttleCapMs,
    failureMs: settings.secondsAsMs('ROUTER_FAILURE_BENCH_SECONDS', 10, 0, 3600),
    authFailureMs: settings.secondsAsMs('ROUTER_AUTH_FAILURE_BENCH_SECONDS', 300, 1, 86_400),
  };
  const circuit = {
    failureThreshold: settings.integer('ROUTER_CIRCUIT_FAILURES', 5, 1, 1000),
    intervalMs: settings.secondsAsMs('ROUTER_CIRCUIT_INTERVAL_SECONDS', 30, 1, 3600),
    tripMs: settings.secondsAsMs('ROUTER_CIRCUIT_TRIP_SECONDS', 30, 0.1, 3600),
  };
  return {
    backends,
    consumerKeys,
    consumerLimits: readConsumerLimits(settings, new Set(consumerKeys.values())),
    telemetryConnectionString: settings.string('APPLICATIONINSIGHTS_CONNECTION_STRING'),
    adminKey: readAdminKey(settings, consumerKeys),
    idSecret: readIdSecret(settings),
    strategy: settings.oneOf('ROUTER_STRATEGY', ['priority', 'round-robin'], 'priority'),
    backendTimeoutMs,
    timeoutPerOutputTokenMs: settings.number('ROUTER_TIMEOUT_PER_OUTPUT_TOKEN_MS', DEFAULT_TIMEOUT_PER_OUTPUT_TOKEN_MS, 0, 1000),
    timeoutRetries: settings.integer('ROUTER_TIMEOUT_RETRIES', 1, 0, 50),
    totalTimeoutMs: Math.max(totalTimeoutMs, backendTimeoutMs),
    maxAttempts: settings.integer('ROUTER_MAX_ATTEMPTS', Math.min(backends.length, 5), 1, 50),
    maxBodyBytes: settings.integer('ROUTER_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    // A long completion is well under 1 MB; 2,048 embeddings of 3,072 floats in base64 about 34 MB.
    maxResponseBytes: settings.integer('ROUTER_MAX_RESPONSE_BYTES', 48 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    throttle,
    rateWindowMs: settings.secondsAsMs('ROUTER_RATE_WINDOW_SECONDS', 10, 1, 60),
    circuit,
    state: readStateSettings(settings, windowCaps(throttle, circuit)),
    latency: {
      enabled: settings.oneOf('ROUTER_LATENCY_ROUTING', ['on', 'off'], 'on') === 'on',
      demoteFactor: settings.number('ROUTER_LATENCY_DEMOTE_FACTOR', 3, 1.1, 100),
      demoteMinGapMs: settings.integer('ROUTER_LATENCY_DEMOTE_MIN_MS', 200, 0, 600_000),
      minShare: settings.number('ROUTER_LATENCY_MIN_SHARE', 0.05, 0.001, 1),
      noiseMs: settings.integer('ROUTER_LATENCY_NOISE_MS', 25, 0, 600_000),
      noiseRatio: settings.number('ROUTER_LATENCY_NOISE_RATIO', 0.2, 0, 10),
    },
    affinity: {
      enabled: settings.oneOf('ROUTER_PROMPT_CACHE_AFFINITY', ['on', 'off'], 'on') === 'on',
      minTokens: settings.integer('ROUTER_PROMPT_CACHE_MIN_TOKENS', 1024, 1, 1_000_000),
    },
    probe: readProbeSettings(settings),
    keyVaultUrl: readKeyVaultUrl(settings, backends),
    credentials: {
      secretTtlMs: settings.secondsAsMs('ROUTER_SECRET_TTL_SECONDS', 3600, 1, 86_400),
      managedIdentityClientId: settings.string('AZURE_CLIENT_ID'),
    },
    cache: readCacheSettings(settings),
  };
}

/**
 * A MAC key must be hard to guess: 32 characters at least (`openssl rand -base64 32` gives 44).
 * An unresolved Key Vault reference stops start-up like any setting: the Bicep sets
 * ROUTER_ID_SECRET only once its secret exists, so that text means a broken vault or role.
 */
function readIdSecret(settings: SettingsReader): string | undefined {
  const secret = settings.string('ROUTER_ID_SECRET');
  if (secret !== undefined && secret.length < 32) throw new ConfigError('ROUTER_ID_SECRET', 'must be at least 32 characters (e.g. `openssl rand -base64 32`)');
  return secret;
}

/** KEY_VAULT_URL is required as soon as one backend names a secret; SecretClient only speaks https. */
function readKeyVaultUrl(settings: SettingsReader, backends: readonly BackendConfig[]): string | undefined {
  const raw = settings.string('KEY_VAULT_URL');
  const user = backends.find((b) => b.credential.kind === 'keyVault');
  if (raw === undefined) {
    if (user !== undefined) throw new ConfigError('KEY_VAULT_URL', `required because BACKEND_${user.index}_KEYVAULT_SECRET is set`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('KEY_VAULT_URL', `not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:') throw new ConfigError('KEY_VAULT_URL', 'must be an https:// vault URI, e.g. https://my-vault.vault.azure.net');
  return url.origin;
}
