import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig';
import { appSettings, exampleParameters, KEYS, plan, referencedSecrets } from './support/deployPlan';

// The first start after a deployment: the app settings main.bicep writes, with every Key Vault
// reference the platform can resolve replaced by its secret (as App Service does) and the others
// left as their literal `@Microsoft.KeyVault(...)` text (as App Service does too), read by the
// router's own configuration reader.

const example = exampleParameters();

/** secret name → value, as the vault holds them after the deployment. */
function startWith(params: Record<string, unknown>, vault: Record<string, string>) {
  const settings = appSettings(plan(params));
  const env: Record<string, string> = { ...settings };
  for (const [setting, secret] of referencedSecrets(settings)) {
    const value = vault[secret];
    if (value !== undefined) env[setting] = value;
  }
  return { settings, env, start: () => readConfig(env) };
}

const written = (params: Record<string, unknown>) => ({
  ...(typeof params.routerApiKeys === 'string' && params.routerApiKeys !== '' ? { 'router-api-keys': params.routerApiKeys } : {}),
  ...(typeof params.routerAdminKey === 'string' && params.routerAdminKey !== '' ? { 'router-admin-key': params.routerAdminKey } : {}),
  ...(typeof params.routerIdSecret === 'string' && params.routerIdSecret !== '' ? { 'router-id-secret': params.routerIdSecret } : {}),
});

describe('the first start after a deployment (issue 15, item 3)', () => {
  it('starts after a first deployment without routerAdminKey or routerIdSecret: no admin key, no stored responses', () => {
    const params = { ...example, routerApiKeys: KEYS.routerApiKeys };
    const config = startWith(params, written(params)).start();
    expect(config.adminKey).toBeUndefined();
    expect(config.idSecret).toBeUndefined();
    expect(config.consumerKeys.get('k'.repeat(48))).toBe('web-app');
  });

  it('starts after a first deployment with every key, and uses them', () => {
    const params = { ...example, ...KEYS };
    const config = startWith(params, written(params)).start();
    expect(config.adminKey).toBe(KEYS.routerAdminKey);
    expect(config.idSecret).toBe(KEYS.routerIdSecret);
  });

  it('starts after a redeployment that declares the secrets it does not write', () => {
    const vault = written(KEYS);
    const config = startWith({ ...example, routerAdminKeyConfigured: true, routerIdSecretConfigured: true }, vault).start();
    expect(config.adminKey).toBe(KEYS.routerAdminKey);
    expect(config.idSecret).toBe(KEYS.routerIdSecret);
  });

  it.each(['ROUTER_API_KEYS', 'ROUTER_ADMIN_KEY', 'ROUTER_ID_SECRET'])(
    'stops start-up naming %s when its reference stayed literal (missing secret, role not yet applied, vault unreachable)',
    (setting) => {
      const params = { ...example, ...KEYS };
      const { env } = startWith(params, written(params));
      const { settings } = startWith(params, {});
      env[setting] = settings[setting] ?? '';
      expect(env[setting]).toMatch(/^@Microsoft\.KeyVault\(/);
      expect(() => readConfig(env)).toThrow(new RegExp(`^Invalid setting ${setting}:.*Key Vault reference`));
    },
  );
});
