import { DefaultAzureCredential, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { disableChallengeResourceVerification } from './refreshPolicy';
import { SecretReader, TokenProvider } from './types';

/** Entra ID scope of Azure OpenAI (and every Cognitive Services resource). */
export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/**
 * Background fetches: a couple of quick SDK retries, then our own backoff takes over (a
 * request never waits on these, and a long SDK retry ladder only delays the log line).
 */
const RETRY_OPTIONS = { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 4000 };

/**
 * Managed identity in Azure (App Service/Functions: IDENTITY_ENDPOINT + IDENTITY_HEADER).
 * AZURE_CLIENT_ID picks a user-assigned identity. Set AZURE_TOKEN_CREDENTIALS=prod to keep
 * the chain from trying developer tools (Azure CLI, …) when the identity endpoint fails.
 */
export function azureCredential(managedIdentityClientId: string | undefined): TokenCredential {
  return new DefaultAzureCredential({
    ...(managedIdentityClientId === undefined ? {} : { managedIdentityClientId }),
    retryOptions: RETRY_OPTIONS,
  });
}

export function keyVaultSecretReader(vaultUrl: string, credential: TokenCredential): SecretReader {
  const client = new SecretClient(vaultUrl, credential, {
    disableChallengeResourceVerification: disableChallengeResourceVerification(vaultUrl),
    retryOptions: RETRY_OPTIONS,
  });
  return {
    read: async (secretName, signal) => {
      const secret = await client.getSecret(secretName, { abortSignal: signal });
      // Keys pasted into the portal often end in a newline; a header value cannot.
      const value = secret.value?.trim() ?? '';
      if (value === '') throw new Error(`Key Vault secret "${secretName}" has no value`);
      return value;
    },
  };
}

export function entraTokenProvider(credential: TokenCredential, scope = COGNITIVE_SERVICES_SCOPE): TokenProvider {
  return {
    token: async (signal) => {
      const token = await credential.getToken(scope, { abortSignal: signal });
      if (token === null) throw new Error(`no Entra ID token for ${scope}`);
      return { value: token.token, expiresAt: token.expiresOnTimestamp, refreshAfter: token.refreshAfterTimestamp };
    },
  };
}
