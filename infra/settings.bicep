// The function app's settings, built from typed inputs. main.bicep imports these at compile time
// (no deployment of their own). Setting names and meanings: README "Settings".

@export()
@description('One Azure OpenAI backend. Its position in the array (from 1) numbers its BACKEND_<N>_* settings.')
type backend = {
  @description('BACKEND_<N>_NAME: id in headers, status and telemetry (1-64 letters, digits, ".", "_" or "-").')
  name: string

  @description('BACKEND_<N>_URL: the resource endpoint, e.g. https://aoai-eus.openai.azure.com')
  endpoint: string

  @description('BACKEND_<N>_PRIORITY: 1 is the highest; PTU usually 1, PAYG 2+.')
  @minValue(1)
  priority: int

  @description('BACKEND_<N>_WEIGHT: share among healthy backends of the same priority (default 1).')
  weight: int?

  @description('BACKEND_<N>_TYPE: for telemetry and cost reports.')
  type: ('ptu' | 'paygo')?

  @description('BACKEND_<N>_DEPLOYMENTS as alias → deployment. Unset: the backend serves any deployment name unchanged.')
  deployments: { *: string }?

  @description('Resource id of the Azure OpenAI account (any resource group or subscription of the tenant). The app identity gets Cognitive Services OpenAI User on it, and it gets a private endpoint when private networking is on.')
  resourceId: string?

  @description('BACKEND_<N>_KEYVAULT_SECRET: secret in the router vault holding this backend key. Unset: Entra ID through the managed identity (recommended).')
  keyVaultSecretName: string?
}

@export()
@description('BACKEND_<N>_* for every backend, N from 1 in array order. Optional fields are left out, never set empty.')
func backendSettings(backends backend[]) object => reduce(range(0, length(backends)), {}, (settings, i) => union(
  settings,
  {
    'BACKEND_${i + 1}_URL': backends[i].endpoint
    'BACKEND_${i + 1}_NAME': backends[i].name
    'BACKEND_${i + 1}_PRIORITY': string(backends[i].priority)
  },
  backends[i].?weight == null ? {} : { 'BACKEND_${i + 1}_WEIGHT': string(backends[i].?weight) },
  backends[i].?type == null ? {} : { 'BACKEND_${i + 1}_TYPE': backends[i].?type },
  backends[i].?deployments == null ? {} : { 'BACKEND_${i + 1}_DEPLOYMENTS': join(map(items(backends[i].?deployments ?? {}), (d) => '${d.key}=${d.value}'), ',') },
  empty(backends[i].?keyVaultSecretName ?? '') ? {} : { 'BACKEND_${i + 1}_KEYVAULT_SECRET': backends[i].?keyVaultSecretName }
))

@export()
@description('Identity-based wiring to storage (host and router state), telemetry and backends: no keys or connection strings.')
func platformSettings(identityClientId string, storageAccountName string, appInsightsConnectionString string) object => {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
  // DefaultAzureCredential stops at the managed identity: no developer tools tried when it fails.
  AZURE_TOKEN_CREDENTIALS: 'prod'
}

@export()
@description('Router keys as Key Vault references (resolved by the platform with the app identity), the vault for backend keys, shared state and probe. An empty secret name leaves its setting out: pass one only for a secret that exists.')
func routerSettings(vaultUri string, apiKeysSecretName string, adminKeySecretName string, idSecretName string, stateTableName string, probeSchedule string) object => union(
  {
    KEY_VAULT_URL: vaultUri
    ROUTER_API_KEYS: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${apiKeysSecretName})'
    ROUTER_STATE_TABLE: stateTableName
    PROBE_SCHEDULE: probeSchedule
  },
  empty(adminKeySecretName) ? {} : { ROUTER_ADMIN_KEY: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${adminKeySecretName})' },
  empty(idSecretName) ? {} : { ROUTER_ID_SECRET: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${idSecretName})' }
)

@export()
@description('The response cache (README "Response cache"). Entries go to their own table in the same storage account, created by the router: the app identity\'s Storage Table Data Contributor role covers it.')
type responseCacheOptions = {
  @description('ROUTER_CACHE: off (default), exact, or semantic.')
  mode: ('off' | 'exact' | 'semantic')

  @description('ROUTER_CACHE_TTL_SECONDS (default 3600).')
  @minValue(1)
  ttlSeconds: int?

  @description('ROUTER_CACHE_ALIASES: the aliases that may be cached; unset or empty: all.')
  aliases: string[]?

  @description('ROUTER_CACHE_SHARED: one cache for every consumer (default false: a consumer only gets its own answers).')
  shared: bool?

  @description('ROUTER_SEMANTIC_CACHE_EMBEDDINGS: the embeddings alias, required for semantic.')
  embeddingsAlias: string?

  @description('ROUTER_SEMANTIC_CACHE_THRESHOLD as text, e.g. \'0.95\' (Bicep has no decimals).')
  threshold: string?

  @description('ROUTER_SEMANTIC_CACHE_DIMENSIONS: sent as `dimensions` (text-embedding-3 models only).')
  dimensions: int?
}

@export()
@description('ROUTER_CACHE_* and ROUTER_SEMANTIC_CACHE_* from the cache options; the bounds are the code\'s defaults, written out.')
func cacheSettings(cache responseCacheOptions, tableName string) object => union(
  {
    ROUTER_CACHE: cache.mode
    ROUTER_CACHE_TTL_SECONDS: string(cache.?ttlSeconds ?? 3600)
    ROUTER_CACHE_SHARED: (cache.?shared ?? false) ? 'true' : 'false'
    ROUTER_CACHE_TABLE: tableName
    ROUTER_CACHE_MAX_ENTRIES: '10000'
    ROUTER_CACHE_LOOKUP_TIMEOUT_MS: '150'
    ROUTER_CACHE_SYNC_MS: '2000'
  },
  empty(cache.?aliases ?? []) ? {} : { ROUTER_CACHE_ALIASES: join(cache.?aliases ?? [], ',') },
  cache.mode != 'semantic' ? {} : {
    ROUTER_SEMANTIC_CACHE_EMBEDDINGS: cache.?embeddingsAlias ?? ''
    ROUTER_SEMANTIC_CACHE_THRESHOLD: cache.?threshold ?? '0.95'
    ROUTER_SEMANTIC_CACHE_EMBED_TIMEOUT_MS: '1000'
  },
  cache.mode != 'semantic' || cache.?dimensions == null ? {} : { ROUTER_SEMANTIC_CACHE_DIMENSIONS: string(cache.?dimensions) }
)
