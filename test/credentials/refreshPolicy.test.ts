import { describe, expect, it } from 'vitest';
import {
  disableChallengeResourceVerification,
  isUsable,
  MAX_RETRY_MS,
  MIN_REFRESH_MS,
  retryDelayMs,
  secretRefreshAt,
  tokenRefreshAt,
} from '../../src/credentials/refreshPolicy';
import { NOW } from '../support/fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('tokenRefreshAt', () => {
  it('renews a one-hour token at 80% of its lifetime', () => {
    expect(tokenRefreshAt(NOW, NOW + HOUR) - NOW).toBe(48 * MIN);
  });

  it('renews a ten-minute token 5 minutes before expiry', () => {
    expect(tokenRefreshAt(NOW, NOW + 10 * MIN) - NOW).toBe(5 * MIN);
  });

  it('renews a short token at half-life rather than in a loop', () => {
    expect(tokenRefreshAt(NOW, NOW + 2 * MIN) - NOW).toBe(MIN);
    expect(tokenRefreshAt(NOW, NOW + 500) - NOW).toBe(MIN_REFRESH_MS);
    expect(tokenRefreshAt(NOW, NOW - 5000) - NOW).toBe(MIN_REFRESH_MS);
  });

  it("follows the issuer's refresh hint (MSAL: half-life of a 24 h token)", () => {
    expect(tokenRefreshAt(NOW, NOW + 24 * HOUR, NOW + 12 * HOUR) - NOW).toBe(12 * HOUR);
  });

  it('ignores a hint that has passed or lies beyond expiry', () => {
    expect(tokenRefreshAt(NOW, NOW + HOUR, NOW - 1) - NOW).toBe(48 * MIN);
    expect(tokenRefreshAt(NOW, NOW + HOUR, NOW + 2 * HOUR) - NOW).toBe(48 * MIN);
  });
});

describe('secret refresh and retry timing', () => {
  it('reads a secret again after the TTL, never sooner than the floor', () => {
    expect(secretRefreshAt(NOW, HOUR)).toBe(NOW + HOUR);
    expect(secretRefreshAt(NOW, 0)).toBe(NOW + MIN_REFRESH_MS);
  });

  it('backs off 1 s, 2 s, 4 s … up to the cap', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(7)).toBe(MAX_RETRY_MS);
    expect(retryDelayMs(1000)).toBe(MAX_RETRY_MS);
    expect(retryDelayMs(0)).toBe(1000);
  });

  it('treats a token as unusable shortly before it expires; secrets never expire', () => {
    expect(isUsable(NOW, undefined)).toBe(true);
    expect(isUsable(NOW, NOW + MIN)).toBe(true);
    expect(isUsable(NOW, NOW + 5000)).toBe(false);
    expect(isUsable(NOW, NOW - 1)).toBe(false);
  });
});

describe('disableChallengeResourceVerification', () => {
  it.each(['https://127.0.0.1:8443', 'https://localhost:8443/', 'https://LOCALHOST', 'https://[::1]:9000'])('is on for the loopback vault %s', (url) => {
    expect(disableChallengeResourceVerification(url)).toBe(true);
  });

  it.each([
    'https://my-vault.vault.azure.net',
    'https://my-vault.vault.usgovcloudapi.net/',
    'https://127.0.0.1.attacker.example',
    'https://localhost.vault.azure.net',
    'https://10.0.0.4',
    'not a url',
  ])('stays off (verification on) for %s', (url) => {
    expect(disableChallengeResourceVerification(url)).toBe(false);
  });
});
