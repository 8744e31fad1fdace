// Key Vault in RBAC mode for the router keys and any backend keys. The app identity reads secrets; nobody gets access policies.
param name string
param location string
param tags object
param purgeProtection bool
@description('Recover the soft-deleted vault of this name (with its secrets) instead of creating it; fails when there is none.')
param recover bool
@description('Public network access off: reached only through its private endpoint.')
param privateOnly bool
@description('Gets Key Vault Secrets User.')
param principalId string
@description('Secret name → value. Empty values are skipped, so a redeploy without them keeps the existing secrets.')
@secure()
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    createMode: recover ? 'recover' : 'default'
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: privateOnly ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateOnly ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for s in items(secrets): if (!empty(s.value)) {
  parent: vault
  name: s.key
  properties: {
    value: s.value
    contentType: 'text/plain'
  }
}]

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
