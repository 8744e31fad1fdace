import { describe, expect, it } from 'vitest';
import { ManagedCredentialSource } from '../../src/credentials/ManagedCredentialSource';
import { settle } from './fakes';
import { entraBackend, HOUR, literalBackend, vaultBackend, useSourceFakes } from './sourceHarness';

const KEY = 'kv-key-value-one-0001';
const vaultDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { name: 'RestError', code: 'ECONNREFUSED' });

const fakes = useSourceFakes(KEY);

describe('Key Vault down at start-up', () => {
  it('skips only that backend, says so once, retries with backoff and recovers', async () => {
    fakes.secrets.failWith = vaultDown();
    const creds = fakes.source();
    creds.start();
    await settle();
    expect(creds.authHeader(vaultBackend)).toBeUndefined();
    expect(creds.authHeader(entraBackend)).toBeDefined();
    expect(creds.authHeader(literalBackend)).toBeDefined();
    await fakes.clock.advance(1000 + 2000 + 4000); // retries at +1 s, +2 s, +4 s
    expect(fakes.secrets.reads).toBe(4);
    const vaultLines = fakes.logs.filter((l) => l.includes('ptu-key'));
    expect(vaultLines).toEqual([
      '[credentials] ptu skipped: Key Vault secret "ptu-key" could not be obtained (RestError ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443); retrying in the background',
    ]);
    expect(creds.status()[0]).toMatchObject({
      backend: 'ptu',
      kind: 'keyVault',
      secretName: 'ptu-key',
      state: 'failed',
      nextRefreshAt: fakes.clock.now() + 8000,
    });
    fakes.secrets.failWith = undefined;
    await fakes.clock.advance(8000);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
    expect(fakes.logs.at(-1)).toBe('[credentials] Key Vault secret "ptu-key" obtained after 4 failed attempt(s); ptu served with it');
    expect(creds.status()[0]).toMatchObject({ state: 'ok', lastError: undefined, nextRefreshAt: fakes.clock.now() + HOUR });
  });

  it('caps the backoff at a minute', async () => {
    fakes.secrets.failWith = vaultDown();
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await fakes.clock.advance(10 * 60_000);
    const reads = fakes.secrets.reads;
    await fakes.clock.advance(60_000);
    expect(fakes.secrets.reads).toBe(reads + 1);
  });
});

describe('a failed background refresh', () => {
  it('keeps the cached secret, logs once, and retries with backoff', async () => {
    const creds = fakes.source([vaultBackend]);
    creds.start();
    await settle();
    fakes.secrets.failWith = vaultDown();
    await fakes.clock.advance(HOUR + 1000 + 2000);
    expect(fakes.secrets.reads).toBe(4);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
    expect(fakes.logs.filter((l) => l.includes('could not refresh'))).toHaveLength(1);
    expect(fakes.logs.at(-1)).toContain('ptu keep the cached value');
  });

  it('keeps a token until it expires, then skips its backends and says so once', async () => {
    const creds = fakes.source([entraBackend]);
    creds.start();
    await settle();
    fakes.tokens.failWith = Object.assign(new Error('ManagedIdentityCredential: Network unreachable.'), { name: 'CredentialUnavailableError' });
    await fakes.clock.advance(50 * 60_000);
    expect(creds.authHeader(entraBackend)).toBeDefined();
    await fakes.clock.advance(10 * 60_000 - 10_000);
    expect(creds.authHeader(entraBackend)).toBeUndefined();
    expect(creds.authHeader(entraBackend)).toBeUndefined();
    expect(fakes.logs.filter((l) => l.includes('expired'))).toEqual([
      '[credentials] Entra ID token (managed identity) expired and could not be renewed (CredentialUnavailableError: ManagedIdentityCredential: Network unreachable.); payg skipped until it is',
    ]);
    expect(creds.status()[0]).toMatchObject({ kind: 'entra', state: 'failed', lastError: expect.stringContaining('Network unreachable') });
    fakes.tokens.failWith = undefined;
    await fakes.clock.advance(60_000);
    expect(creds.authHeader(entraBackend)).toBeDefined();
  });
});

describe('stuck calls and stopped timers', () => {
  it('gives up on a fetch that never answers, so the next one can run', async () => {
    fakes.secrets.hold();
    const creds = fakes.source([vaultBackend], 5000);
    creds.start();
    await fakes.clock.advance(5000);
    expect(creds.status()[0]).toMatchObject({ state: 'failed', lastError: expect.stringContaining('no answer within 5000 ms') });
    fakes.secrets.release();
    await fakes.clock.advance(1000);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
  });

  it('fetches when a timer is overdue (a suspended sandbox), on the next request', async () => {
    const lostTimers = { now: fakes.clock.now, setTimer: () => () => undefined }; // timers that never fire
    const lossy = new ManagedCredentialSource([vaultBackend], { secrets: fakes.secrets, secretTtlMs: HOUR, clock: lostTimers, log: () => undefined });
    lossy.start();
    await settle();
    fakes.clock.nowMs += HOUR + 10_000;
    expect(lossy.authHeader(vaultBackend)?.value).toBe(KEY); // still served while the re-read runs
    await settle();
    expect(fakes.secrets.reads).toBe(2);
  });

  it('stops refreshing after stop()', async () => {
    const creds = fakes.source();
    creds.start();
    await settle();
    creds.stop();
    await fakes.clock.advance(10 * HOUR);
    expect([fakes.secrets.reads, fakes.tokens.calls]).toEqual([1, 1]);
    expect(fakes.clock.pendingTimers).toBe(0);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
  });
});

describe('nothing secret leaves the source', () => {
  it('keeps keys and tokens out of status and log lines, even when an error echoes them', async () => {
    const creds = fakes.source();
    creds.start();
    await settle();
    const token = fakes.tokens.last?.value ?? '';
    fakes.secrets.failWith = new Error(`bad key ${KEY} and token ${token}`);
    fakes.tokens.failWith = new Error(`token ${token} rejected, key literal-dev-key-0001`);
    await fakes.clock.advance(HOUR);
    const text = JSON.stringify(creds.status()) + fakes.logs.join('\n');
    expect(text).toContain('[redacted]');
    for (const value of [KEY, token, 'literal-dev-key-0001', 'fake-token']) expect(text).not.toContain(value);
  });
});
