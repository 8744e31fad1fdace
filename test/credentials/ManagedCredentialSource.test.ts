import { describe, expect, it } from 'vitest';
import { backend } from '../support/fixtures';
import { settle } from './fakes';
import { entraBackend, HOUR, literalBackend, vaultBackend, useSourceFakes } from './sourceHarness';

const KEY_1 = 'kv-key-value-one-0001';
const KEY_2 = 'kv-key-value-two-0002';

const fakes = useSourceFakes(KEY_1);

describe('preload and cache', () => {
  it('preloads at start and then answers every request from memory', async () => {
    const creds = fakes.source();
    expect(creds.authHeader(vaultBackend)).toBeUndefined(); // not started: skip, never wait
    expect(creds.status().map((s) => s.state)).toEqual(['pending', 'pending', 'ok']);
    creds.start();
    await settle();
    for (let i = 0; i < 100; i++) {
      expect(creds.authHeader(vaultBackend)).toEqual({ name: 'api-key', value: KEY_1 });
      expect(creds.authHeader(entraBackend)).toEqual({ name: 'authorization', value: `Bearer ${fakes.tokens.last?.value}` });
      expect(creds.authHeader(literalBackend)).toEqual({ name: 'api-key', value: 'literal-dev-key-0001' });
    }
    expect([fakes.secrets.reads, fakes.tokens.calls]).toEqual([1, 1]);
    expect(fakes.logs.sort()).toEqual([
      '[credentials] Entra ID token (managed identity) ready for payg (valid for 60 min)',
      '[credentials] Key Vault secret "ptu-key" ready for ptu',
    ]);
  });

  it('reads a secret once for every backend naming it', async () => {
    const twin = backend({ name: 'ptu-west', index: 2, credential: { kind: 'keyVault', secretName: 'ptu-key' } });
    const creds = fakes.source([vaultBackend, twin]);
    creds.start();
    await settle();
    expect(creds.authHeader(twin)?.value).toBe(KEY_1);
    expect(fakes.secrets.reads).toBe(1);
    expect(fakes.logs[0]).toContain('ready for ptu, ptu-west');
  });

  it('re-reads a secret in the background every TTL and picks up a new value', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await fakes.clock.advance(HOUR - 1);
    expect(fakes.secrets.reads).toBe(1);
    fakes.secrets.values.set('ptu-key', KEY_2);
    await fakes.clock.advance(1);
    expect(fakes.secrets.reads).toBe(2);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY_2);
    await fakes.clock.advance(HOUR);
    expect(fakes.secrets.reads).toBe(3);
  });

  it('renews a token at 80% of its lifetime, before it expires', async () => {
    const creds = fakes.source([entraBackend]);
    creds.start();
    await settle();
    const first = fakes.tokens.last?.value;
    await fakes.clock.advance(48 * 60_000 - 1);
    expect(fakes.tokens.calls).toBe(1);
    await fakes.clock.advance(1);
    expect(fakes.tokens.calls).toBe(2);
    expect(fakes.tokens.last?.value).not.toBe(first);
    expect(creds.authHeader(entraBackend)).toEqual({ name: 'authorization', value: `Bearer ${fakes.tokens.last?.value}` });
    expect(creds.status()[0]).toMatchObject({
      state: 'ok',
      lastRefreshAt: fakes.clock.now(),
      expiresAt: fakes.clock.now() + HOUR,
      nextRefreshAt: fakes.clock.now() + 48 * 60_000,
    });
  });

  it('when the credential hands back its cached token, tries again at 80% of what is left', async () => {
    const creds = fakes.source([entraBackend]);
    creds.start();
    await settle();
    fakes.tokens.repeat = fakes.tokens.last;
    await fakes.clock.advance(48 * 60_000);
    expect(fakes.tokens.calls).toBe(2);
    fakes.tokens.repeat = undefined;
    await fakes.clock.advance(7 * 60_000); // 12 min left: min(9.6, max(7, 6)) = 7 min
    expect(fakes.tokens.calls).toBe(3);
    expect(creds.status()[0]?.expiresAt).toBe(fakes.clock.now() + HOUR);
  });
});

describe('refresh after a 401/403', () => {
  it('re-reads the secret once for concurrent callers and reports a value', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    fakes.secrets.values.set('ptu-key', KEY_2);
    fakes.secrets.hold();
    const results = Promise.all([creds.refresh(vaultBackend), creds.refresh(vaultBackend), creds.refresh(vaultBackend)]);
    await settle();
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY_1); // old value serves while the read is under way
    fakes.secrets.release();
    expect(await results).toEqual([true, true, true]);
    expect(fakes.secrets.reads).toBe(2);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY_2);
    expect(fakes.logs.at(-1)).toBe('[credentials] Key Vault secret "ptu-key" has a new value (rotated); ptu use it from now on');
  });

  it('resolves false and keeps the old value when the vault fails', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    fakes.secrets.failWith = Object.assign(new Error('Service Unavailable'), { name: 'RestError', statusCode: 503 });
    expect(await creds.refresh(vaultBackend)).toBe(false);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY_1);
    expect(creds.status()[0]).toMatchObject({ state: 'ok', lastError: 'RestError 503: Service Unavailable' });
  });

  it('resolves false for a literal key, which cannot change', async () => {
    expect(await fakes.source([literalBackend]).refresh(literalBackend)).toBe(false);
  });

  it('pushes the next background read a full TTL after an on-demand one', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await fakes.clock.advance(HOUR / 2);
    await creds.refresh(vaultBackend);
    await fakes.clock.advance(HOUR - 1);
    expect(fakes.secrets.reads).toBe(2);
    await fakes.clock.advance(1);
    expect(fakes.secrets.reads).toBe(3);
  });
});

describe('refresh while a backend keeps refusing the credential', () => {
  const BENCH = 300_000;

  it('reads a dead key from the vault once per auth bench, however many requests it refuses', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    expect(await creds.refresh(vaultBackend)).toBe(true); // the first 401: re-read (same value), the router retries once
    for (let i = 0; i < 29; i++) {
      await fakes.clock.advance(1000);
      expect(await creds.refresh(vaultBackend)).toBe(false); // no read, no retry with the same dead key
    }
    expect(fakes.secrets.reads).toBe(2);
  });

  it('reads again once the auth bench has passed', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    await creds.refresh(vaultBackend);
    await fakes.clock.advance(BENCH - 1);
    expect(await creds.refresh(vaultBackend)).toBe(false);
    expect(fakes.secrets.reads).toBe(2);
    await fakes.clock.advance(1);
    fakes.secrets.values.set('ptu-key', KEY_2);
    expect(await creds.refresh(vaultBackend)).toBe(true);
    expect(fakes.secrets.reads).toBe(3);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY_2);
  });

  it('lets calls that were sent with the old key retry with the rotated one, without another read', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    fakes.secrets.values.set('ptu-key', KEY_2);
    expect(await creds.refresh(vaultBackend)).toBe(true);
    await fakes.clock.advance(500);
    expect(await creds.refresh(vaultBackend)).toBe(true); // a call sent with KEY_1 before the rotation came back
    expect(fakes.secrets.reads).toBe(2);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY_2);
  });

  it('asks a failing vault once per auth bench on behalf of requests (the background retries go on)', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    fakes.secrets.failWith = Object.assign(new Error('Forbidden'), { name: 'RestError', statusCode: 403 });
    expect(await creds.refresh(vaultBackend)).toBe(false);
    const reads = fakes.secrets.reads;
    expect(await creds.refresh(vaultBackend)).toBe(false);
    expect(fakes.secrets.reads).toBe(reads);
  });

  it('fetches one token per backend per auth bench when a backend keeps refusing it (a missing role)', async () => {
    const other = backend({ name: 'payg-west', index: 2, credential: { kind: 'entra' } });
    const creds = fakes.source([entraBackend, other]);
    creds.start();
    await settle();
    fakes.tokens.repeat = fakes.tokens.last; // the identity's cache answers with the same token
    expect(await creds.refresh(entraBackend)).toBe(true);
    expect(await creds.refresh(entraBackend)).toBe(false);
    expect(fakes.tokens.calls).toBe(2);
    expect(await creds.refresh(other)).toBe(true); // another backend's refusal is its own
    expect(fakes.tokens.calls).toBe(3);
  });

  it('takes the auth bench from the settings', async () => {
    const creds = fakes.source([vaultBackend], undefined, 10_000);
    creds.start();
    await settle();
    await creds.refresh(vaultBackend);
    await fakes.clock.advance(9_999);
    await creds.refresh(vaultBackend);
    expect(fakes.secrets.reads).toBe(2);
    await fakes.clock.advance(1);
    await creds.refresh(vaultBackend);
    expect(fakes.secrets.reads).toBe(3);
  });
});
