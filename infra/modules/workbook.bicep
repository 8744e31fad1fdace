// The operators' workbook over the router's Application Insights: tokens by backend, deployment and
// consumer, failovers and throttling over time, latency per backend, all-backends-throttled events.
// The queries live in infra/workbook.json (test/infra/workbook.test.ts checks their names against the telemetry).
param displayName string
param location string
param tags object
@description('The Application Insights resource the workbook queries and is listed under.')
param appInsightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(appInsightsId, 'router-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsightsId
    serializedData: loadTextContent('../workbook.json')
  }
}

output id string = workbook.id
