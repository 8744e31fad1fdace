import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureCredential, entraTokenProvider } from '../../src/credentials/azureClients';
import { COGNITIVE_RESOURCE, IdentityEndpoint, startIdentityEndpoint } from '../support/identityEndpoint';

/**
 * The Entra adapter over the real DefaultAzureCredential → ManagedIdentityCredential → MSAL
 * path, in-process (plain HTTP needs no certificate). Each test file runs in its own process,
 * so setting IDENTITY_ENDPOINT here touches no other test.
 */
let identity: IdentityEndpoint;
const saved = { ...process.env };

beforeAll(async () => {
  identity = await startIdentityEndpoint({ lifetimeSeconds: 24 * 3600 });
  Object.assign(process.env, identity.env, { AZURE_TOKEN_CREDENTIALS: 'prod' });
});

afterAll(async () => {
  process.env = saved;
  await identity.close();
});

describe('entraTokenProvider over DefaultAzureCredential', () => {
  it('gets a token for the Cognitive Services scope with expiry and refresh hint, as the user-assigned identity', async () => {
    const provider = entraTokenProvider(azureCredential('aaaaaaaa-0000-0000-0000-000000000001'));
    const before = Date.now();
    const token = await provider.token(AbortSignal.timeout(10_000));
    expect(identity.isIssued(token.value, COGNITIVE_RESOURCE)).toBe(true);
    expect(identity.calls.at(-1)).toEqual({ resource: COGNITIVE_RESOURCE, clientId: 'aaaaaaaa-0000-0000-0000-000000000001' });
    expect(token.expiresAt).toBeGreaterThan(before + 23 * 3600_000);
    // MSAL suggests renewing a 24 h token at half-life; the cache honours that hint.
    expect(token.refreshAfter).toBeGreaterThan(before + 11 * 3600_000);
    expect(token.refreshAfter).toBeLessThan(before + 13 * 3600_000);
  });

  it("is answered from MSAL's process-wide cache until renewal is due", async () => {
    const calls = identity.callsFor(COGNITIVE_RESOURCE);
    const provider = entraTokenProvider(azureCredential('aaaaaaaa-0000-0000-0000-000000000001'));
    const [a, b] = [await provider.token(AbortSignal.timeout(10_000)), await provider.token(AbortSignal.timeout(10_000))];
    expect(a.value).toBe(b.value);
    expect(identity.callsFor(COGNITIVE_RESOURCE)).toBe(calls);
  });

  it('fails with the managed identity reason when the endpoint is down', async () => {
    identity.setFailing(true);
    const provider = entraTokenProvider(azureCredential('bbbbbbbb-0000-0000-0000-000000000002'));
    await expect(provider.token(AbortSignal.timeout(20_000))).rejects.toThrow(/ManagedIdentityCredential/);
    identity.setFailing(false);
  });
});
