// One private endpoint with its DNS records in the given private DNS zones.
param name string
param location string
param tags object
param subnetId string
@description('Resource the endpoint connects to; may be in another resource group or subscription.')
param targetId string
@description('blob, queue, table, vault, or account (Azure OpenAI / Cognitive Services).')
param groupId string
param dnsZoneIds string[]

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: { id: subnetId }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetId
          groupIds: [ groupId ]
        }
      }
    ]
  }
}

resource dns 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [for id in dnsZoneIds: {
      name: replace(last(split(id, '/')), '.', '-')
      properties: { privateDnsZoneId: id }
    }]
  }
}
