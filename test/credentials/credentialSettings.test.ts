import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig';
import { ConfigError } from '../../src/config/settingsReader';

const base = { ROUTER_API_KEYS: 'team-a:aaaaaaaaaaaaaaaaaaaa', BACKEND_1_URL: 'https://aoai-eus.openai.azure.com', BACKEND_1_PRIORITY: '1' };

function configError(env: Record<string, string>): ConfigError {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('credential settings', () => {
  it('defaults to a one-hour secret TTL and the system-assigned identity', () => {
    const config = readConfig(base);
    expect(config.credentials).toEqual({ secretTtlMs: 3600_000, managedIdentityClientId: undefined });
    expect(config.keyVaultUrl).toBeUndefined();
  });

  it('reads the vault, the TTL and the user-assigned identity', () => {
    const config = readConfig({
      ...base,
      BACKEND_1_KEYVAULT_SECRET: 'eus-key',
      KEY_VAULT_URL: 'https://my-vault.vault.azure.net/',
      ROUTER_SECRET_TTL_SECONDS: '600',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
    });
    expect(config.backends[0]?.credential).toEqual({ kind: 'keyVault', secretName: 'eus-key' });
    expect(config.keyVaultUrl).toBe('https://my-vault.vault.azure.net');
    expect(config.credentials).toEqual({ secretTtlMs: 600_000, managedIdentityClientId: '00000000-0000-0000-0000-000000000001' });
  });

  it('fails start-up naming KEY_VAULT_URL when a backend names a secret without a vault', () => {
    const error = configError({ ...base, BACKEND_1_KEYVAULT_SECRET: 'eus-key' });
    expect(error.setting).toBe('KEY_VAULT_URL');
    expect(error.message).toContain('BACKEND_1_KEYVAULT_SECRET');
  });

  it.each([
    ['an http vault', { KEY_VAULT_URL: 'http://my-vault.vault.azure.net' }, 'KEY_VAULT_URL'],
    ['a vault that is not a URL', { KEY_VAULT_URL: 'my-vault' }, 'KEY_VAULT_URL'],
    ['a TTL of zero', { ROUTER_SECRET_TTL_SECONDS: '0' }, 'ROUTER_SECRET_TTL_SECONDS'],
    ['a TTL that is not a number', { ROUTER_SECRET_TTL_SECONDS: 'hourly' }, 'ROUTER_SECRET_TTL_SECONDS'],
  ])('rejects %s', (_label, extra, setting) => {
    expect(configError({ ...base, ...extra }).setting).toBe(setting);
  });
});
