import { RouterConfig } from '../config/types';
import { azureCredential, entraTokenProvider, keyVaultSecretReader } from './azureClients';
import { ManagedCredentialSource } from './ManagedCredentialSource';
import { Clock, systemClock } from './types';

/** Used when a config was built by hand (tests) without credential settings. */
export const DEFAULT_SECRET_TTL_MS = 3600_000;

/**
 * The credential source for these backends. The managed identity and SDK clients are built
 * only when some backend needs them, so key-only setups never touch Entra ID or Key Vault.
 */
export function createCredentialSource(config: RouterConfig, log: (line: string) => void, clock: Clock = systemClock): ManagedCredentialSource {
  const kinds = new Set(config.backends.map((b) => b.credential.kind));
  const needsVault = kinds.has('keyVault');
  const needsIdentity = needsVault || kinds.has('entra');
  const credential = needsIdentity ? azureCredential(config.credentials?.managedIdentityClientId) : undefined;
  const vaultUrl = config.keyVaultUrl;
  if (needsVault && vaultUrl === undefined) throw new Error('KEY_VAULT_URL is required for Key Vault secrets'); // readConfig rejects this first
  return new ManagedCredentialSource(config.backends, {
    secrets: credential !== undefined && needsVault && vaultUrl !== undefined ? keyVaultSecretReader(vaultUrl, credential) : undefined,
    tokens: credential !== undefined && kinds.has('entra') ? entraTokenProvider(credential) : undefined,
    secretTtlMs: config.credentials?.secretTtlMs ?? DEFAULT_SECRET_TTL_MS,
    authBenchMs: config.throttle.authFailureMs,
    clock,
    log,
  });
}
