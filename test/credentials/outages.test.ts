import { beforeEach, describe, expect, it } from 'vitest';
import { BackendConfig } from '../../src/config/types';
import { ManagedCredentialSource } from '../../src/credentials/ManagedCredentialSource';
import { backend } from '../support/fixtures';
import { FakeClock, FakeSecrets, FakeTokens, settle } from './fakes';

const HOUR = 3600_000;
const KEY = 'kv-key-value-one-0001';
const vaultBackend = backend({ name: 'ptu', credential: { kind: 'keyVault', secretName: 'ptu-key' } });
const entraBackend = backend({ name: 'payg', credential: { kind: 'entra' } });
const literalBackend = backend({ name: 'dev', credential: { kind: 'apiKey', key: 'literal-dev-key-0001' } });
const vaultDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { name: 'RestError', code: 'ECONNREFUSED' });

let clock: FakeClock;
let secrets: FakeSecrets;
let tokens: FakeTokens;
let logs: string[];

function source(backends: BackendConfig[] = [vaultBackend, entraBackend, literalBackend], fetchTimeoutMs?: number): ManagedCredentialSource {
  return new ManagedCredentialSource(backends, { secrets, tokens, secretTtlMs: HOUR, clock, log: (line) => logs.push(line), ...(fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs }) });
}

beforeEach(() => {
  clock = new FakeClock();
  secrets = new FakeSecrets();
  secrets.values.set('ptu-key', KEY);
  tokens = new FakeTokens(clock);
  logs = [];
});

describe('Key Vault down at start-up', () => {
  it('skips only that backend, says so once, retries with backoff and recovers', async () => {
    secrets.failWith = vaultDown();
    const creds = source();
    creds.start();
    await settle();
    expect(creds.authHeader(vaultBackend)).toBeUndefined();
    expect(creds.authHeader(entraBackend)).toBeDefined();
    expect(creds.authHeader(literalBackend)).toBeDefined();
    await clock.advance(1000 + 2000 + 4000); // retries at +1 s, +2 s, +4 s
    expect(secrets.reads).toBe(4);
    const vaultLines = logs.filter((l) => l.includes('ptu-key'));
    expect(vaultLines).toEqual(['[credentials] ptu skipped: Key Vault secret "ptu-key" could not be obtained (RestError ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:443); retrying in the background']);
    expect(creds.status()[0]).toMatchObject({ backend: 'ptu', kind: 'keyVault', secretName: 'ptu-key', state: 'failed', nextRefreshAt: clock.now() + 8000 });
    secrets.failWith = undefined;
    await clock.advance(8000);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
    expect(logs.at(-1)).toBe('[credentials] Key Vault secret "ptu-key" obtained after 4 failed attempt(s); ptu served with it');
    expect(creds.status()[0]).toMatchObject({ state: 'ok', lastError: undefined, nextRefreshAt: clock.now() + HOUR });
  });

  it('caps the backoff at a minute', async () => {
    secrets.failWith = vaultDown();
    const creds = source([vaultBackend]);
    creds.start();
    await clock.advance(10 * 60_000);
    const reads = secrets.reads;
    await clock.advance(60_000);
    expect(secrets.reads).toBe(reads + 1);
  });
});

describe('a failed background refresh', () => {
  it('keeps the cached secret, logs once, and retries with backoff', async () => {
    const creds = source([vaultBackend]);
    creds.start();
    await settle();
    secrets.failWith = vaultDown();
    await clock.advance(HOUR + 1000 + 2000);
    expect(secrets.reads).toBe(4);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
    expect(logs.filter((l) => l.includes('could not refresh'))).toHaveLength(1);
    expect(logs.at(-1)).toContain('ptu keep the cached value');
  });

  it('keeps a token until it expires, then skips its backends and says so once', async () => {
    const creds = source([entraBackend]);
    creds.start();
    await settle();
    tokens.failWith = Object.assign(new Error('ManagedIdentityCredential: Network unreachable.'), { name: 'CredentialUnavailableError' });
    await clock.advance(50 * 60_000);
    expect(creds.authHeader(entraBackend)).toBeDefined();
    await clock.advance(10 * 60_000 - 10_000);
    expect(creds.authHeader(entraBackend)).toBeUndefined();
    expect(creds.authHeader(entraBackend)).toBeUndefined();
    expect(logs.filter((l) => l.includes('expired'))).toEqual([
      '[credentials] Entra ID token (managed identity) expired and could not be renewed (CredentialUnavailableError: ManagedIdentityCredential: Network unreachable.); payg skipped until it is',
    ]);
    expect(creds.status()[0]).toMatchObject({ kind: 'entra', state: 'failed', lastError: expect.stringContaining('Network unreachable') });
    tokens.failWith = undefined;
    await clock.advance(60_000);
    expect(creds.authHeader(entraBackend)).toBeDefined();
  });
});

describe('stuck calls and stopped timers', () => {
  it('gives up on a fetch that never answers, so the next one can run', async () => {
    secrets.hold();
    const creds = source([vaultBackend], 5000);
    creds.start();
    await clock.advance(5000);
    expect(creds.status()[0]).toMatchObject({ state: 'failed', lastError: expect.stringContaining('no answer within 5000 ms') });
    secrets.release();
    await clock.advance(1000);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
  });

  it('fetches when a timer is overdue (a suspended sandbox), on the next request', async () => {
    const lostTimers = { now: clock.now, setTimer: () => () => undefined }; // timers that never fire
    const lossy = new ManagedCredentialSource([vaultBackend], { secrets, secretTtlMs: HOUR, clock: lostTimers, log: () => undefined });
    lossy.start();
    await settle();
    clock.nowMs += HOUR + 10_000;
    expect(lossy.authHeader(vaultBackend)?.value).toBe(KEY); // still served while the re-read runs
    await settle();
    expect(secrets.reads).toBe(2);
  });

  it('stops refreshing after stop()', async () => {
    const creds = source();
    creds.start();
    await settle();
    creds.stop();
    await clock.advance(10 * HOUR);
    expect([secrets.reads, tokens.calls]).toEqual([1, 1]);
    expect(clock.pendingTimers).toBe(0);
    expect(creds.authHeader(vaultBackend)?.value).toBe(KEY);
  });
});

describe('nothing secret leaves the source', () => {
  it('keeps keys and tokens out of status and log lines, even when an error echoes them', async () => {
    const creds = source();
    creds.start();
    await settle();
    const token = tokens.last?.value ?? '';
    secrets.failWith = new Error(`bad key ${KEY} and token ${token}`);
    tokens.failWith = new Error(`token ${token} rejected, key literal-dev-key-0001`);
    await clock.advance(HOUR);
    const text = JSON.stringify(creds.status()) + logs.join('\n');
    expect(text).toContain('[redacted]');
    for (const value of [KEY, token, 'literal-dev-key-0001', 'fake-token']) expect(text).not.toContain(value);
  });
});
