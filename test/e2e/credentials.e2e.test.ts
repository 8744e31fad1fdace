import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { COGNITIVE_RESOURCE, IdentityEndpoint, startIdentityEndpoint, VAULT_RESOURCE } from '../support/identityEndpoint';
import { createTestCertificate, hasOpenssl, KeyVaultEndpoint, startKeyVaultEndpoint, TestCertificate } from '../support/keyVaultEndpoint';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';
import { ask as askRouter, linesWith, waitForOutput } from '../credentials/routerHelpers';

/**
 * Key Vault and Entra ID through the real SDK code paths (DefaultAzureCredential →
 * ManagedIdentityCredential → MSAL, SecretClient with its challenge flow), against local
 * endpoints. The router runs as a child process because NODE_EXTRA_CA_CERTS is read at start.
 */
const ROUTER_KEY = 'e2e-credentials-consumer-key-01';
const KEY_1 = 'kv-backend-key-first-0000000001';
const KEY_2 = 'kv-backend-key-rotated-00000002';
const STATIC_KEY = 'static-backend-key-000000000003';
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const SECRET = 'kv-backend-key';

const routers: RouterProcess[] = [];
const closers: Array<() => Promise<void>> = [];
const seen: string[] = []; // every response the tests received, for the leak scan
let certificate: TestCertificate;

const ask = (router: RouterProcess, model: string) => askRouter(router, ROUTER_KEY, model, seen);

async function start(env: Record<string, string>): Promise<RouterProcess> {
  const router = await startRouterProcess({
    ROUTER_API_KEYS: `e2e:${ROUTER_KEY}`,
    AZURE_TOKEN_CREDENTIALS: 'prod', // no developer tools in the chain: hermetic on a machine with `az login`
    NODE_EXTRA_CA_CERTS: certificate.caFile,
    HTTP_TIMEOUT_SECONDS: '2',
    ...env,
  });
  routers.push(router);
  return router;
}

async function simulator(name: string, options: { apiKey?: string; acceptBearer?: (token: string) => boolean; port?: number }): Promise<SimulatedBackend> {
  const backend = await startSimulatedBackend({ name, ...options });
  closers.push(() => backend.close());
  return backend;
}

async function identityEndpoint(): Promise<IdentityEndpoint> {
  const identity = await startIdentityEndpoint();
  closers.push(() => identity.close());
  return identity;
}

async function vault(identity: IdentityEndpoint): Promise<KeyVaultEndpoint> {
  const endpoint = await startKeyVaultEndpoint(certificate, (token) => identity.isIssued(token, VAULT_RESOURCE));
  closers.push(() => endpoint.close());
  return endpoint;
}

describe.skipIf(!hasOpenssl())('backend credentials through managed identity (openssl available)', () => {
  beforeAll(() => {
    certificate = createTestCertificate();
  });

  afterAll(async () => {
    await Promise.all(routers.map((r) => r.stop()));
    await Promise.all(closers.map((close) => close()));
    certificate?.remove();
  });

  describe('Key Vault and Entra ID working', () => {
    let identity: IdentityEndpoint;
    let keyVault: KeyVaultEndpoint;
    let kvBackend: SimulatedBackend;
    let entraBackend: SimulatedBackend;
    let router: RouterProcess;

    beforeAll(async () => {
      identity = await identityEndpoint();
      keyVault = await vault(identity);
      keyVault.setSecret(SECRET, KEY_1);
      kvBackend = await simulator('kv', { apiKey: KEY_1 });
      entraBackend = await simulator('entra', { acceptBearer: (token) => identity.isIssued(token, COGNITIVE_RESOURCE) });
      router = await start({
        ...identity.env,
        KEY_VAULT_URL: keyVault.url,
        AZURE_CLIENT_ID: CLIENT_ID,
        BACKEND_1_URL: kvBackend.url,
        BACKEND_1_NAME: 'kv',
        BACKEND_1_PRIORITY: '1',
        BACKEND_1_KEYVAULT_SECRET: SECRET,
        BACKEND_1_DEPLOYMENTS: 'kv-chat=gpt-4o',
        BACKEND_2_URL: entraBackend.url,
        BACKEND_2_NAME: 'entra',
        BACKEND_2_PRIORITY: '1',
        BACKEND_2_DEPLOYMENTS: 'entra-chat=gpt-4o',
      });
      await waitForOutput(router, /Key Vault secret "kv-backend-key" ready for kv/);
      await waitForOutput(router, /Entra ID token \(managed identity\) ready for entra/);
    });

    it('sends the key read from Key Vault', async () => {
      const answer = await ask(router, 'kv-chat');
      expect(answer).toMatchObject({ status: 200, backend: 'kv' });
      expect(kvBackend.requests.at(-1)?.headers['api-key']).toBe(KEY_1);
      expect(keyVault.stats.challenges).toBeGreaterThanOrEqual(1); // the SDK's challenge flow ran
    });

    it('sends an Entra ID token from the managed identity, for the Cognitive Services scope', async () => {
      const answer = await ask(router, 'entra-chat');
      expect(answer).toMatchObject({ status: 200, backend: 'entra' });
      const authorization = String(entraBackend.requests.at(-1)?.headers.authorization);
      expect(identity.isIssued(authorization.replace(/^Bearer /, ''), COGNITIVE_RESOURCE)).toBe(true);
      expect(entraBackend.requests.at(-1)?.headers['api-key']).toBeUndefined();
    });

    it('asks the user-assigned identity named by AZURE_CLIENT_ID', () => {
      expect(identity.calls.length).toBeGreaterThan(0);
      expect(identity.calls.every((call) => call.clientId === CLIENT_ID)).toBe(true);
    });

    it('fetches once and serves every request from the cache', async () => {
      for (let i = 0; i < 10; i++) {
        expect((await ask(router, i % 2 === 0 ? 'kv-chat' : 'entra-chat')).status).toBe(200);
      }
      expect(keyVault.readsOf(SECRET)).toBe(1);
      expect(identity.callsFor(COGNITIVE_RESOURCE)).toBe(1);
      expect(identity.callsFor(VAULT_RESOURCE)).toBe(1);
    });

    it('picks up a rotated key after one 401, with one re-read of the secret', async () => {
      keyVault.setSecret(SECRET, KEY_2);
      const port = Number(new URL(kvBackend.url).port);
      await kvBackend.close();
      const rotated = await simulator('kv', { apiKey: KEY_2, port }); // the resource now only takes the new key
      const answer = await ask(router, 'kv-chat');
      expect(answer).toMatchObject({ status: 200, backend: 'kv', attempts: '1' });
      expect(rotated.requests.map((r) => r.headers['api-key'])).toEqual([KEY_1, KEY_2]);
      expect(keyVault.readsOf(SECRET)).toBe(2);
      expect(router.output()).toContain('Key Vault secret "kv-backend-key" has a new value (rotated); kv use it from now on');
      expect((await ask(router, 'kv-chat')).status).toBe(200);
      expect(keyVault.readsOf(SECRET)).toBe(2);
    });
  });

  describe('Key Vault down at start-up', () => {
    let keyVault: KeyVaultEndpoint;
    let router: RouterProcess;

    beforeAll(async () => {
      const identity = await identityEndpoint();
      keyVault = await vault(identity);
      keyVault.setSecret(SECRET, KEY_1);
      keyVault.setFailing(true);
      const kvBackend = await simulator('kv', { apiKey: KEY_1 });
      const staticBackend = await simulator('static', { apiKey: STATIC_KEY });
      router = await start({
        ...identity.env,
        KEY_VAULT_URL: keyVault.url,
        BACKEND_1_URL: kvBackend.url,
        BACKEND_1_NAME: 'kv',
        BACKEND_1_PRIORITY: '1',
        BACKEND_1_KEYVAULT_SECRET: SECRET,
        BACKEND_1_DEPLOYMENTS: 'shared=gpt-4o,kv-only=gpt-4o',
        BACKEND_2_URL: staticBackend.url,
        BACKEND_2_NAME: 'static',
        BACKEND_2_PRIORITY: '2',
        BACKEND_2_APIKEY: STATIC_KEY,
        BACKEND_2_DEPLOYMENTS: 'shared=gpt-4o',
      });
      await waitForOutput(router, /kv skipped: Key Vault secret "kv-backend-key" could not be obtained/);
    });

    it('starts, skips only that backend, and the others serve', async () => {
      expect(await ask(router, 'shared')).toMatchObject({ status: 200, backend: 'static' });
      const alone = await ask(router, 'kv-only');
      expect(alone.status).toBe(503);
      expect(JSON.parse(alone.text).error).toMatchObject({ code: 'credentials_unavailable' });
    });

    it('says so in one line that names the backend and the secret', () => {
      const lines = linesWith(router, SECRET);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/kv skipped: Key Vault secret "kv-backend-key" could not be obtained \(RestError 503/);
    });

    it('serves with the key once the vault is back', async () => {
      keyVault.setFailing(false);
      await waitForOutput(router, /Key Vault secret "kv-backend-key" obtained after \d+ failed attempt/);
      expect(await ask(router, 'shared')).toMatchObject({ status: 200, backend: 'kv' });
    });
  });

  describe('identity endpoint down', () => {
    let identity: IdentityEndpoint;
    let router: RouterProcess;

    beforeAll(async () => {
      identity = await identityEndpoint();
      identity.setFailing(true);
      const entraBackend = await simulator('entra', { acceptBearer: (token) => identity.isIssued(token, COGNITIVE_RESOURCE) });
      const staticBackend = await simulator('static', { apiKey: STATIC_KEY });
      router = await start({
        ...identity.env,
        BACKEND_1_URL: entraBackend.url,
        BACKEND_1_NAME: 'entra',
        BACKEND_1_PRIORITY: '1',
        BACKEND_2_URL: staticBackend.url,
        BACKEND_2_NAME: 'static',
        BACKEND_2_PRIORITY: '2',
        BACKEND_2_APIKEY: STATIC_KEY,
      });
      await waitForOutput(router, /entra skipped: Entra ID token \(managed identity\) could not be obtained/);
    });

    it('skips the Entra backend with one clear line, and the others serve', async () => {
      expect(await ask(router, 'gpt-4o')).toMatchObject({ status: 200, backend: 'static' });
      expect(linesWith(router, 'Entra ID token')).toEqual([expect.stringMatching(/ManagedIdentityCredential/)]);
    });

    it('serves with a token once the endpoint is back', async () => {
      identity.setFailing(false);
      await waitForOutput(router, /Entra ID token \(managed identity\) obtained after \d+ failed attempt/);
      expect(await ask(router, 'gpt-4o-2')).toMatchObject({ status: 200, backend: 'entra' });
    });
  });

  it('fails start-up naming KEY_VAULT_URL when a backend names a secret without a vault', async () => {
    const failed = await start({ BACKEND_1_URL: 'https://x.openai.azure.com', BACKEND_1_PRIORITY: '1', BACKEND_1_KEYVAULT_SECRET: SECRET }).catch(
      (e: unknown) => e,
    );
    expect(String(failed)).toMatch(/Invalid setting KEY_VAULT_URL/);
  });

  it('never lets a key or token appear in logs, responses or errors', () => {
    const values = [KEY_1, KEY_2, STATIC_KEY];
    const tokenPattern = /mi-token-[0-9a-f]{8,}/;
    const everything = [...routers.map((r) => r.output()), ...seen].join('\n');
    expect(routers.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeGreaterThan(20);
    for (const value of values) expect(everything).not.toContain(value);
    expect(everything).not.toMatch(tokenPattern);
  });
});
