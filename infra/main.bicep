// Azure OpenAI smart router on Azure Functions Flex Consumption. README "Deploy" walks through it.
//   az deployment group create -g <rg> -f infra/main.bicep -p @infra/main.parameters.json -p routerApiKeys=… routerAdminKey=… routerIdSecret=…
targetScope = 'resourceGroup'

import { backend, backendSettings, cacheSettings, platformSettings, responseCacheOptions, routerSettings } from 'settings.bicep'

@description('Function app name; also names the plan, identity, workspace and Application Insights.')
@maxLength(50)
param appName string = 'aoai-router-${uniqueString(resourceGroup().id)}'

param location string = resourceGroup().location
param tags object = {}

@description('The Azure OpenAI backends, in BACKEND_<N> order.')
@minLength(1)
param backends backend[]

@description('ROUTER_API_KEYS value (consumerName:key,…). Required on the first deployment (the router does not start without it); later, empty keeps the existing secret.')
@secure()
param routerApiKeys string = ''

@description('ROUTER_ADMIN_KEY value. Written to Key Vault when given; empty keeps the existing secret (then set routerAdminKeyConfigured to keep the setting).')
@secure()
param routerAdminKey string = ''

@description('The vault already holds the admin key secret (an earlier deployment wrote it): a deployment without routerAdminKey keeps ROUTER_ADMIN_KEY. False and no routerAdminKey: no ROUTER_ADMIN_KEY setting, the status endpoint stays closed.')
param routerAdminKeyConfigured bool = false

param routerApiKeysSecretName string = 'router-api-keys'

@description('ROUTER_ID_SECRET value (32+ characters, e.g. `openssl rand -base64 32`): signs the ids of stored responses and conversations. Written to Key Vault when given; empty keeps the existing secret (then set routerIdSecretConfigured to keep the setting). Changing it invalidates every id handed out.')
@secure()
param routerIdSecret string = ''

@description('The vault already holds the ROUTER_ID_SECRET secret (an earlier deployment wrote it): a deployment without routerIdSecret keeps ROUTER_ID_SECRET. False and no routerIdSecret: no ROUTER_ID_SECRET setting, stored responses and conversations answer 503.')
param routerIdSecretConfigured bool = false

@description('Secret holding ROUTER_ID_SECRET; empty: no stateful routes (Responses and conversations answer 503).')
param routerIdSecretName string = 'router-id-secret'

@description('Secret holding ROUTER_ADMIN_KEY; empty: no admin key (the status endpoint stays closed).')
param routerAdminKeySecretName string = 'router-admin-key'

@description('Backend keys to store in Key Vault, secret name → key, for backends that set keyVaultSecretName. Empty values are skipped.')
@secure()
param backendKeys object = {}

@description('Optional router settings by name (ROUTER_STRATEGY, HTTP_TIMEOUT_SECONDS, …); the settings this template computes win.')
param extraSettings object = {}

param stateTableName string = 'routerstate'

@description('The response cache (README "Response cache"): off unless mode is exact or semantic.')
param responseCache responseCacheOptions = { mode: 'off' }
param cacheTableName string = 'routercache'
param probeSchedule string = '0 */1 * * * *'

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

@description('Always-ready instances for the HTTP functions; 1+ removes cold starts at a fixed cost.')
@minValue(0)
param alwaysReadyInstances int = 0

@allowed([ 'Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS' ])
param storageSku string = 'Standard_LRS'

param logRetentionDays int = 30

@description('Application Insights accepts only Entra ID ingestion (the host authenticates with APPLICATIONINSIGHTS_AUTHENTICATION_STRING). In-process telemetry clients must use the identity too.')
param appInsightsEntraIdOnly bool = true

@description('Purge protection cannot be turned off again once on; keep it on in production.')
param keyVaultPurgeProtection bool = true

@description('Key Vault name (3-24 letters, digits and hyphens, globally unique); empty: kv-<hash of the resource group id and appName>. A deleted vault keeps its name for 90 days: give another name here after re-creating the resource group, or set keyVaultRecover.')
@maxLength(24)
param keyVaultName string = ''

@description('Recover the soft-deleted vault of the same name (createMode recover, with its secrets) instead of creating one: for the one deployment after the resource group was deleted and re-created, then false again (it fails when no deleted vault has that name).')
param keyVaultRecover bool = false

@description('VNet integration, private endpoints for Storage, Key Vault and the backends, public access off on Storage and Key Vault.')
param privateNetworking bool = false
param vnetAddressPrefix string = '10.40.0.0/16'
param appSubnetPrefix string = '10.40.0.0/24'
param privateEndpointSubnetPrefix string = '10.40.1.0/24'

@description('Front Door profile id (the frontDoorId GUID, not the resource id): when set, only that Front Door may call the app.')
param frontDoorId string = ''

var suffix = uniqueString(resourceGroup().id, appName)
var deploymentContainerName = 'app-package'

// ROUTER_ADMIN_KEY and ROUTER_ID_SECRET reference their secret only when it exists: written by this
// deployment, or declared written before. A reference to a missing secret stays literal
// `@Microsoft.KeyVault(...)` text in the app, which stops the router at start-up.
var adminKeySecretName = !empty(routerAdminKeySecretName) && (!empty(routerAdminKey) || routerAdminKeyConfigured) ? routerAdminKeySecretName : ''
var idSecretName = !empty(routerIdSecretName) && (!empty(routerIdSecret) || routerIdSecretConfigured) ? routerIdSecretName : ''

// One entry per Azure OpenAI account, however many backends (a PTU and a standard deployment of one
// account) name it: ARM refuses a deployment that defines the same resource twice. Resource ids
// compare case-insensitively; the first backend naming an account gives its id and name.
var backendsWithAccount = filter(backends, (b) => !empty(b.?resourceId ?? ''))
var backendAccountKeys = union(map(backendsWithAccount, (b) => toLower(b.?resourceId ?? '')), [])
var backendAccountsByKey = reduce(backendsWithAccount, {}, (found, b) => union({ '${toLower(b.?resourceId ?? '')}': { id: b.?resourceId ?? '', name: b.name } }, found))
var backendAccounts = map(backendAccountKeys, (key) => {
  id: backendAccountsByKey[key].id
  endpointName: privateEndpointName(appName, backendAccountsByKey[key].name, key)
})

@description('A private endpoint name: 2-64 characters, ending in a letter, digit or "_". Earlier versions named it pe-<app>-<backend>; that name stays whenever it is valid, so a redeployment never replaces a working endpoint. Otherwise both parts are cut (24 + 22 characters) and a hash of the account id ends it.')
func privateEndpointName(appName string, backendName string, accountKey string) string => length('pe-${appName}-${backendName}') <= 64 && !endsWith(backendName, '.') && !endsWith(backendName, '-') ? 'pe-${appName}-${backendName}' : 'pe-${take(appName, 24)}-${take(backendName, 22)}-${uniqueString(accountKey)}'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: 'id-${appName}', location: location, tags: tags }
}

module network 'modules/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    name: appName
    location: location
    tags: tags
    addressPrefix: vnetAddressPrefix
    appSubnetPrefix: appSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
  }
}

// The network module exists only with private networking: its outputs are read behind that
// condition (ARM evaluates only the branch taken; `!` tells the compiler so, without BCP318).
var appSubnetId = privateNetworking ? network!.outputs.appSubnetId : ''
var privateEndpointSubnetId = privateNetworking ? network!.outputs.privateEndpointSubnetId : ''

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: appName
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    entraIdIngestionOnly: appInsightsEntraIdOnly
    principalId: identity.outputs.principalId
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    displayName: 'Azure OpenAI router (${appName})'
    location: location
    tags: tags
    appInsightsId: monitoring.outputs.appInsightsId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take('st${suffix}', 24)
    location: location
    tags: tags
    sku: storageSku
    deploymentContainerName: deploymentContainerName
    principalId: identity.outputs.principalId
    privateOnly: privateNetworking
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'key-vault'
  params: {
    name: empty(keyVaultName) ? take('kv-${suffix}', 24) : keyVaultName
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
    recover: keyVaultRecover
    privateOnly: privateNetworking
    principalId: identity.outputs.principalId
    secrets: union(backendKeys, { '${routerApiKeysSecretName}': routerApiKeys }, empty(routerAdminKeySecretName) ? {} : { '${routerAdminKeySecretName}': routerAdminKey }, empty(routerIdSecretName) ? {} : { '${routerIdSecretName}': routerIdSecret })
  }
}

// Storage (blob, queue, table) and Key Vault, reached from the app subnet only.
module ownPrivateEndpoints 'modules/privateEndpoint.bicep' = [for group in [ 'blob', 'queue', 'table', 'vault' ]: if (privateNetworking) {
  name: 'pe-${group}'
  params: {
    name: 'pe-${appName}-${group}'
    location: location
    tags: tags
    subnetId: privateEndpointSubnetId
    targetId: group == 'vault' ? keyVault.outputs.id : storage.outputs.id
    groupId: group
    dnsZoneIds: privateNetworking ? [ network!.outputs.zoneIds[group] ] : []
  }
}]

module backendPrivateEndpoints 'modules/privateEndpoint.bicep' = [for (account, i) in backendAccounts: if (privateNetworking) {
  name: 'pe-backend-${i}'
  params: {
    name: account.endpointName
    location: location
    tags: tags
    subnetId: privateEndpointSubnetId
    targetId: account.id
    groupId: 'account'
    dnsZoneIds: privateNetworking ? network!.outputs.accountZoneIds : []
  }
}]

// The backend accounts may live in other resource groups or subscriptions: each grant deploys into the account's own.
module backendRoles 'modules/openAiUser.bicep' = [for account in backendAccounts: {
  name: 'openai-user-${uniqueString(account.id, appName)}'
  scope: resourceGroup(split(account.id, '/')[2], split(account.id, '/')[4])
  params: {
    accountName: last(split(account.id, '/'))
    principalId: identity.outputs.principalId
  }
}]

module app 'modules/functionApp.bicep' = {
  name: 'function-app'
  params: {
    name: appName
    location: location
    tags: tags
    identityId: identity.outputs.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    subnetId: appSubnetId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstances: alwaysReadyInstances
    frontDoorId: frontDoorId
    appSettings: union(
      extraSettings,
      routerSettings(keyVault.outputs.uri, routerApiKeysSecretName, adminKeySecretName, idSecretName, stateTableName, probeSchedule),
      backendSettings(backends),
      platformSettings(identity.outputs.clientId, storage.outputs.name, monitoring.outputs.connectionString),
      cacheSettings(responseCache, cacheTableName),
      // The host reads a request body whole before the function runs: bound it where the router does.
      { FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: string(extraSettings.?ROUTER_MAX_BODY_BYTES ?? '4194304') }
    )
  }
  // The app starts reading storage and secrets at once: with private networking, only through the endpoints.
  dependsOn: [ ownPrivateEndpoints ]
}

@description('Base URL for the SDKs: AzureOpenAI endpoint, or <base>/openai/v1 for the OpenAI client.')
output functionBaseUrl string = 'https://${app.outputs.defaultHostName}/api'
output appName string = app.outputs.name
output keyVaultName string = keyVault.outputs.name
output identityClientId string = identity.outputs.clientId
