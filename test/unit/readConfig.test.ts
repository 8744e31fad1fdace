import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/readConfig';

const base = {
  ROUTER_API_KEYS: 'team-a:aaaaaaaaaaaaaaaaaaaa,team-b:bbbbbbbbbbbbbbbbbbbb',
  BACKEND_1_URL: 'https://aoai-eus.openai.azure.com/',
  BACKEND_1_PRIORITY: '1',
};

describe('readConfig', () => {
  it('reads a backend with defaults for everything optional', () => {
    const config = readConfig(base);
    expect(config.backends).toEqual([
      expect.objectContaining({
        name: 'backend-1',
        origin: 'https://aoai-eus.openai.azure.com',
        basePath: '',
        priority: 1,
        weight: 1,
        deployments: undefined,
        credential: { kind: 'entra' },
      }),
    ]);
    expect(config.strategy).toBe('priority');
    expect(config.backendTimeoutMs).toBe(30_000);
    expect(config.consumerKeys.get('bbbbbbbbbbbbbbbbbbbb')).toBe('team-b');
  });

  it('reads every per-backend setting', () => {
    const config = readConfig({
      ...base,
      BACKEND_1_NAME: 'ptu-eus',
      BACKEND_1_WEIGHT: '3',
      BACKEND_1_APIKEY: 'k',
      BACKEND_1_TYPE: 'PTU',
      BACKEND_1_DEPLOYMENTS: 'chat=gpt-4o-2024, embed = text-embedding-3-large',
      HTTP_TIMEOUT_SECONDS: '2.5',
      ROUTER_STRATEGY: 'round-robin',
      ROUTER_MAX_ATTEMPTS: '3',
      ROUTER_MAX_BODY_BYTES: '2048',
    });
    const [b] = config.backends;
    expect(b).toMatchObject({ name: 'ptu-eus', weight: 3, type: 'ptu', credential: { kind: 'apiKey', key: 'k' } });
    expect([...(b?.deployments ?? [])]).toEqual([
      ['chat', 'gpt-4o-2024'],
      ['embed', 'text-embedding-3-large'],
    ]);
    expect(config).toMatchObject({ backendTimeoutMs: 2500, strategy: 'round-robin', maxAttempts: 3, maxBodyBytes: 2048 });
  });

  it.each([
    ['no backend at all', { ROUTER_API_KEYS: base.ROUTER_API_KEYS }, 'BACKEND_1_URL'],
    ['a missing priority', { ...base, BACKEND_1_PRIORITY: '' }, 'BACKEND_1_PRIORITY'],
    ['a priority that is not a number', { ...base, BACKEND_1_PRIORITY: 'high' }, 'BACKEND_1_PRIORITY'],
    ['a URL that is not a URL', { ...base, BACKEND_1_URL: 'aoai-eus' }, 'BACKEND_1_URL'],
    ['a URL with a query', { ...base, BACKEND_1_URL: 'https://x.openai.azure.com/?key=1' }, 'BACKEND_1_URL'],
    ['a gap in the numbering', { ...base, BACKEND_3_URL: 'https://x', BACKEND_3_PRIORITY: '1' }, 'BACKEND_2_URL'],
    ['a bad DEPLOYMENTS list', { ...base, BACKEND_1_DEPLOYMENTS: 'a=b=c' }, 'BACKEND_1_DEPLOYMENTS'],
    ['both APIKEY and KEYVAULT_SECRET', { ...base, BACKEND_1_APIKEY: 'k', BACKEND_1_KEYVAULT_SECRET: 's' }, 'BACKEND_1_APIKEY'],
    ['an unknown strategy', { ...base, ROUTER_STRATEGY: 'fastest' }, 'ROUTER_STRATEGY'],
    ['a negative timeout', { ...base, HTTP_TIMEOUT_SECONDS: '-1' }, 'HTTP_TIMEOUT_SECONDS'],
    ['zero attempts', { ...base, ROUTER_MAX_ATTEMPTS: '0' }, 'ROUTER_MAX_ATTEMPTS'],
    ['no caller keys', { ...base, ROUTER_API_KEYS: '' }, 'ROUTER_API_KEYS'],
    ['a short caller key', { ...base, ROUTER_API_KEYS: 'team-a:short' }, 'ROUTER_API_KEYS'],
    ['a caller key without a consumer name', { ...base, ROUTER_API_KEYS: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, 'ROUTER_API_KEYS'],
    [
      'an unresolved Key Vault reference',
      { ...base, ROUTER_ADMIN_KEY: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/admin/)' },
      'ROUTER_ADMIN_KEY',
    ],
    ['consumer limits for an unknown consumer', { ...base, ROUTER_CONSUMER_LIMITS: 'team-z=100' }, 'ROUTER_CONSUMER_LIMITS'],
    ['a quota without a period', { ...base, ROUTER_CONSUMER_QUOTAS: 'team-a=100' }, 'ROUTER_CONSUMER_QUOTAS'],
    ['duplicate backend names', { ...base, BACKEND_1_NAME: 'x', BACKEND_2_URL: 'https://y', BACKEND_2_PRIORITY: '1', BACKEND_2_NAME: 'x' }, 'BACKEND_2_NAME'],
    ['a backend URL ending in /openai', { ...base, BACKEND_1_URL: 'https://aoai-eus.openai.azure.com/openai' }, 'BACKEND_1_URL'],
    ['a backend URL ending in /openai/', { ...base, BACKEND_2_URL: 'https://gw.example.com/team/OpenAI/', BACKEND_2_PRIORITY: '2' }, 'BACKEND_2_URL'],
    ['a backend URL ending in /openai/v1 (the v1 base URL)', { ...base, BACKEND_1_URL: 'https://aoai-eus.openai.azure.com/openai/v1/' }, 'BACKEND_1_URL'],
    ['a one-character admin key', { ...base, ROUTER_ADMIN_KEY: 'a' }, 'ROUTER_ADMIN_KEY'],
    ['an admin key shorter than 16 characters', { ...base, ROUTER_ADMIN_KEY: 'admin-key-12345' }, 'ROUTER_ADMIN_KEY'],
    ['an admin key equal to a caller key', { ...base, ROUTER_ADMIN_KEY: 'bbbbbbbbbbbbbbbbbbbb' }, 'ROUTER_ADMIN_KEY'],
    ['a negative latency noise band', { ...base, ROUTER_LATENCY_NOISE_MS: '-5' }, 'ROUTER_LATENCY_NOISE_MS'],
    ['a latency noise ratio that is not a number', { ...base, ROUTER_LATENCY_NOISE_RATIO: 'a fifth' }, 'ROUTER_LATENCY_NOISE_RATIO'],
  ])('stops start-up on %s, naming %s', (_label, env, setting) => {
    expect(() => readConfig(env)).toThrow(new RegExp(`^Invalid setting ${setting}:`));
  });

  it('reads a spillover deployment for every alias, or one per alias', () => {
    expect(readConfig({ ...base, BACKEND_1_SPILLOVER_DEPLOYMENT: 'gpt-4o-standard' }).backends[0]?.spillover).toEqual({ all: 'gpt-4o-standard' });
    const perAlias = readConfig({ ...base, BACKEND_1_SPILLOVER_DEPLOYMENT: 'gpt-4o=gpt-4o-std' }).backends[0]?.spillover;
    expect(perAlias !== undefined && 'byAlias' in perAlias ? [...perAlias.byAlias] : []).toEqual([['gpt-4o', 'gpt-4o-std']]);
    expect(() => readConfig({ ...base, BACKEND_1_SPILLOVER_DEPLOYMENT: 'bad name!' })).toThrow(/BACKEND_1_SPILLOVER_DEPLOYMENT/);
  });

  it('keeps a path prefix in front of /openai, such as a gateway route', () => {
    const [b] = readConfig({ ...base, BACKEND_1_URL: 'https://gw.example.com/openai-eus/' }).backends;
    expect(b).toMatchObject({ origin: 'https://gw.example.com', basePath: '/openai-eus' });
  });

  it('names the fix when a backend URL ends in /openai', () => {
    expect(() => readConfig({ ...base, BACKEND_1_URL: 'https://aoai-eus.openai.azure.com/openai/' })).toThrow(
      /BACKEND_1_URL: .*without \/openai.*https:\/\/aoai-eus\.openai\.azure\.com/,
    );
  });

  it('accepts an admin key of 16+ characters that no caller has', () => {
    expect(readConfig({ ...base, ROUTER_ADMIN_KEY: ' admin-key-0123456789 ' }).adminKey).toBe('admin-key-0123456789');
    expect(readConfig(base).adminKey).toBeUndefined();
  });

  it('never puts the admin key into a configuration error', () => {
    expect(() => readConfig({ ...base, ROUTER_ADMIN_KEY: 'bbbbbbbbbbbbbbbbbbbb' })).toThrow(/^(?!.*bbbbbbbb)(?=.*team-b)/s);
  });

  it('reads the latency noise band, 25 ms and a fifth by default', () => {
    expect(readConfig(base).latency).toMatchObject({ noiseMs: 25, noiseRatio: 0.2 });
    expect(readConfig({ ...base, ROUTER_LATENCY_NOISE_MS: '0', ROUTER_LATENCY_NOISE_RATIO: '0.5' }).latency).toMatchObject({ noiseMs: 0, noiseRatio: 0.5 });
  });

  it("reads Azure's rate window, 10 s by default, and names the setting when it is out of range", () => {
    expect(readConfig(base).rateWindowMs).toBe(10_000);
    expect(readConfig({ ...base, ROUTER_RATE_WINDOW_SECONDS: '1' }).rateWindowMs).toBe(1000);
    expect(() => readConfig({ ...base, ROUTER_RATE_WINDOW_SECONDS: '0' })).toThrow(/ROUTER_RATE_WINDOW_SECONDS/);
  });

  it('never puts a caller key into a configuration error', () => {
    expect(() => readConfig({ ...base, ROUTER_API_KEYS: 'team-a:secretsecretsecret,team-b:secretsecretsecret' })).toThrow(/^(?!.*secretsecret)/s);
  });
});

describe('readConfig with unresolved Key Vault references', () => {
  it('stops start-up naming a caller-key setting whose Key Vault reference did not resolve', () => {
    expect(() => readConfig({ ...base, ROUTER_API_KEYS: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/router-api-keys)' })).toThrow(
      /ROUTER_API_KEYS: its Key Vault reference to secret "router-api-keys" in vault "kv" did not resolve/,
    );
  });

  it('stops start-up naming ROUTER_ID_SECRET, the secret and the vault when its reference did not resolve', () => {
    const reference = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/router-id-secret)';
    expect(() => readConfig({ ...base, ROUTER_ID_SECRET: reference })).toThrow(
      /ROUTER_ID_SECRET: its Key Vault reference to secret "router-id-secret" in vault "kv-x" did not resolve.*first deployment/,
    );
  });
});
