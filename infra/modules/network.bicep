// VNet for private networking: a subnet delegated to Flex Consumption (Microsoft.App/environments) for
// the app's outbound traffic, a subnet for private endpoints, and the private DNS zones they need.
param name string
param location string
param tags object
param addressPrefix string
param appSubnetPrefix string
param privateEndpointSubnetPrefix string

// Storage zones follow the cloud (environment().suffixes.storage: core.windows.net in Azure public).
var zoneNames = {
  blob: 'privatelink.blob.${environment().suffixes.storage}'
  queue: 'privatelink.queue.${environment().suffixes.storage}'
  table: 'privatelink.table.${environment().suffixes.storage}'
  vault: 'privatelink.vaultcore.azure.net'
  openai: 'privatelink.openai.azure.com'
  cognitiveservices: 'privatelink.cognitiveservices.azure.com'
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${name}'
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [ addressPrefix ] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [ { name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } } ]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for zone in items(zoneNames): {
  name: zone.value
  location: 'global'
  tags: tags
}]

// NxDomainRedirect: a backend with a private endpoint elsewhere (not in this VNet) still resolves publicly.
resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (zone, i) in items(zoneNames): {
  parent: zones[i]
  name: vnet.name
  location: 'global'
  properties: {
    virtualNetwork: { id: vnet.id }
    registrationEnabled: false
    resolutionPolicy: 'NxDomainRedirect'
  }
}]

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')
output privateEndpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'private-endpoints')
output zoneIds object = toObject(items(zoneNames), (zone) => zone.key, (zone) => resourceId('Microsoft.Network/privateDnsZones', zone.value))
@description('The zones a private endpoint to an Azure OpenAI account (group account) registers in.')
output accountZoneIds string[] = [
  resourceId('Microsoft.Network/privateDnsZones', zoneNames.openai)
  resourceId('Microsoft.Network/privateDnsZones', zoneNames.cognitiveservices)
]
