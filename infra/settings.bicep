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
