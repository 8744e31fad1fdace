/**
 * Every app setting, declared once. The config readers can only read names declared here (the
 * SettingsReader's names are typed by this list); the README settings table and the Bicep are
 * checked against it by tests (test/infra/appSettings.test.ts).
 *
 * `bicep`: infra/settings.bicep sets it. `readBy`: who reads it: the router's code, the Functions
 * host, a library the router uses (@azure/identity), or the platform sets it for us.
 * Per-backend settings are written `BACKEND_<N>_X`.
 */
export interface SettingSpec {
  readonly name: string;
  readonly bicep: boolean;
  readonly readBy: 'router' | 'host' | 'library' | 'platform';
}

const router = <N extends string>(name: N, bicep = false) => ({ name, bicep, readBy: 'router' as const });

export const SETTINGS = [
  // Callers and operators
  router('ROUTER_API_KEYS', true),
  router('ROUTER_ADMIN_KEY', true),
  router('ROUTER_ID_SECRET', true),
  router('ROUTER_CONSUMER_LIMITS'),
  router('ROUTER_CONSUMER_QUOTAS'),
  // Backends
  router('BACKEND_<N>_URL', true),
  router('BACKEND_<N>_NAME', true),
  router('BACKEND_<N>_TYPE', true),
  router('BACKEND_<N>_PRIORITY', true),
  router('BACKEND_<N>_WEIGHT', true),
  router('BACKEND_<N>_DEPLOYMENTS', true),
  router('BACKEND_<N>_KEYVAULT_SECRET', true),
  router('BACKEND_<N>_APIKEY'),
  router('BACKEND_<N>_SPILLOVER_DEPLOYMENT'),
  router('KEY_VAULT_URL', true),
  router('AZURE_CLIENT_ID', true),
  router('ROUTER_SECRET_TTL_SECONDS'),
  // Routing, timeouts and benches
  router('ROUTER_STRATEGY'),
  router('HTTP_TIMEOUT_SECONDS'),
  router('ROUTER_TOTAL_TIMEOUT_SECONDS'),
  router('ROUTER_TIMEOUT_PER_OUTPUT_TOKEN_MS'),
  router('ROUTER_TIMEOUT_RETRIES'),
  router('ROUTER_MAX_ATTEMPTS'),
  router('ROUTER_MAX_BODY_BYTES'),
  router('ROUTER_MAX_RESPONSE_BYTES'),
  router('ROUTER_RETRY_AFTER_DEFAULT_SECONDS'),
  router('ROUTER_RETRY_AFTER_MIN_MS'),
  router('ROUTER_RETRY_AFTER_MS_MIN_MS'),
  router('ROUTER_RETRY_AFTER_MAX_SECONDS'),
  router('ROUTER_RATE_WINDOW_SECONDS'),
  router('ROUTER_FAILURE_BENCH_SECONDS'),
  router('ROUTER_AUTH_FAILURE_BENCH_SECONDS'),
  router('ROUTER_CIRCUIT_FAILURES'),
  router('ROUTER_CIRCUIT_INTERVAL_SECONDS'),
  router('ROUTER_CIRCUIT_TRIP_SECONDS'),
  router('ROUTER_LATENCY_ROUTING'),
  router('ROUTER_LATENCY_DEMOTE_FACTOR'),
  router('ROUTER_LATENCY_DEMOTE_MIN_MS'),
  router('ROUTER_LATENCY_MIN_SHARE'),
  router('ROUTER_LATENCY_NOISE_MS'),
  router('ROUTER_LATENCY_NOISE_RATIO'),
  router('ROUTER_PROMPT_CACHE_AFFINITY'),
  router('ROUTER_PROMPT_CACHE_MIN_TOKENS'),
  // Probes
  router('PROBE_SCHEDULE', true),
  router('PROBE_DEPLOYMENT'),
  router('PROBE_TIMEOUT_SECONDS'),
  router('PROBE_API_VERSION'),
  // Shared state
  router('ROUTER_STATE_STORE'),
  router('ROUTER_STATE_TABLE', true),
  router('ROUTER_STATE_SYNC_MS'),
  router('AzureWebJobsStorage'),
  router('AzureWebJobsStorage__accountName', true),
  router('AzureWebJobsStorage__clientId', true),
  router('AzureWebJobsStorage__tableServiceUri'),
  // Response cache
  router('ROUTER_CACHE', true),
  router('ROUTER_CACHE_TTL_SECONDS', true),
  router('ROUTER_CACHE_ALIASES', true),
  router('ROUTER_CACHE_SHARED', true),
  router('ROUTER_CACHE_TABLE', true),
  router('ROUTER_CACHE_MAX_ENTRIES', true),
  router('ROUTER_CACHE_LOOKUP_TIMEOUT_MS', true),
  router('ROUTER_CACHE_SYNC_MS', true),
  router('ROUTER_SEMANTIC_CACHE_EMBEDDINGS', true),
  router('ROUTER_SEMANTIC_CACHE_THRESHOLD', true),
  router('ROUTER_SEMANTIC_CACHE_DIMENSIONS', true),
  router('ROUTER_SEMANTIC_CACHE_EMBED_TIMEOUT_MS', true),
  // Telemetry
  router('APPLICATIONINSIGHTS_CONNECTION_STRING', true),
  router('APPLICATIONINSIGHTS_AUTHENTICATION_STRING', true),
  // Not ours to read
  { name: 'AzureWebJobsStorage__credential', bicep: true, readBy: 'host' },
  { name: 'AZURE_TOKEN_CREDENTIALS', bicep: true, readBy: 'library' },
  { name: 'WEBSITE_INSTANCE_ID', bicep: false, readBy: 'platform' },
] as const satisfies readonly SettingSpec[];

type Declared = (typeof SETTINGS)[number]['name'];
type BackendSuffix = Declared extends infer N ? (N extends `BACKEND_<N>_${infer S}` ? S : never) : never;

/** A name the readers may read: a declared one, or a declared per-backend one for backend n. */
export type SettingName = Exclude<Declared, `BACKEND_<N>_${string}`> | `BACKEND_${number}_${BackendSuffix}`;

/** `BACKEND_3_URL` → `BACKEND_<N>_URL`; other names unchanged. */
export function declaredName(name: string): string {
  return name.replace(/^BACKEND_\d+_/, 'BACKEND_<N>_');
}
