// Cognitive Services OpenAI User for the app identity on one backend account. Deployed into the
// account's own resource group (main.bicep sets the scope), which may differ from the router's.
param accountName string
param principalId string

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: accountName
}

var openAiUser = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource grant 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, openAiUser)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', openAiUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
