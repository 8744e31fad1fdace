// The router: a Linux function app on Flex Consumption (FC1), Node 22, running as the user-assigned identity.
param name string
param location string
param tags object
param identityId string
@description('Blob container URL the platform deploys the package to; read with the identity, no keys.')
param deploymentContainerUrl string
@description('Every app setting, by name. Replaces the app settings on each deployment.')
param appSettings object
@description('Subnet delegated to Microsoft.App/environments; empty: no VNet integration.')
param subnetId string
param maximumInstanceCount int
param instanceMemoryMB int
@description('Instances kept warm for the HTTP functions (0: scale to zero, first request pays a cold start).')
param alwaysReadyInstances int
@description('Front Door profile id (its frontDoorId GUID): when set, only that Front Door may call the app.')
param frontDoorId string

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

// With frontDoorId set the main site answers only that Front Door, and 403 to everyone else: that
// includes `func azure functionapp publish`, which after uploading (through the scm site, whose
// rules stay open) polls https://<app>/admin/host/status and exits non-zero when refused.
// README "Deploy" says how to publish then.
var frontDoorOnly = [
  {
    name: 'front-door'
    action: 'Allow'
    priority: 100
    tag: 'ServiceTag'
    ipAddress: 'AzureFrontDoor.Backend'
    headers: { 'x-azure-fdid': [ frontDoorId ] }
  }
]

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ipSecurityRestrictions: empty(frontDoorId) ? [] : frontDoorOnly
      ipSecurityRestrictionsDefaultAction: empty(frontDoorId) ? 'Allow' : 'Deny'
      scmIpSecurityRestrictionsUseMain: false
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyInstances > 0 ? [ { name: 'http', instanceCount: alwaysReadyInstances } ] : []
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Flex Consumption takes no FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION or WEBSITE_RUN_FROM_PACKAGE:
// functionAppConfig above says all of that.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
