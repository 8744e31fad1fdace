/**
 * When to fetch a credential again. Pure: the clock is passed in. The cached value keeps
 * serving until a new one arrives, so these times only decide how fresh it stays.
 */

/** Tokens: renew this long before expiry at the latest (the SDKs' own margin is 2-5 min). */
export const TOKEN_EARLY_MS = 5 * 60_000;
/** Never schedule closer than this: a credential that keeps answering stale values must not spin. */
export const MIN_REFRESH_MS = 1000;
/** A token this close to expiry is treated as expired: a request sent with it may land late. */
export const TOKEN_EXPIRY_SKEW_MS = 10_000;
/** Failed fetches retry after 1 s, 2 s, 4 s, … up to this. */
export const MAX_RETRY_MS = 60_000;
const FIRST_RETRY_MS = 1000;

/** A secret is read again every TTL. */
export function secretRefreshAt(nowMs: number, ttlMs: number): number {
  return nowMs + Math.max(ttlMs, MIN_REFRESH_MS);
}

/**
 * A token is renewed when its issuer suggests (MSAL sets refreshOn at half-life for tokens
 * over 2 h), else at 80% of its lifetime but at least 5 min before expiry, yet never before
 * half-life (so short tokens are not fetched in a loop). MSAL may hand back the same cached
 * token until it is within 5 min of expiry; the next try then lands at 80% of what is left.
 */
export function tokenRefreshAt(nowMs: number, expiresAt: number, refreshAfter?: number): number {
  if (refreshAfter !== undefined && refreshAfter > nowMs && refreshAfter < expiresAt) return refreshAfter;
  const lifetime = expiresAt - nowMs;
  const delay = Math.min(lifetime * 0.8, Math.max(lifetime - TOKEN_EARLY_MS, lifetime * 0.5));
  return nowMs + Math.max(Math.round(delay), MIN_REFRESH_MS);
}

/** Exponential backoff after `failures` consecutive failed fetches (1 = the first failure). */
export function retryDelayMs(failures: number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 16);
  return Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_MS);
}

/** Whether a cached token may still be sent. Values without expiry (secrets) always may. */
export function isUsable(nowMs: number, expiresAt: number | undefined): boolean {
  return expiresAt === undefined || nowMs < expiresAt - TOKEN_EXPIRY_SKEW_MS;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * SecretClient checks that the vault's auth challenge names a resource the vault host belongs
 * to (*.vault.azure.net). A local test vault on a loopback address cannot pass that check, so
 * it is switched off there, and only there: for a real vault it guards against a spoofed
 * challenge sending our token elsewhere.
 */
export function disableChallengeResourceVerification(vaultUrl: string): boolean {
  let host: string;
  try {
    host = new URL(vaultUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return LOOPBACK_HOSTS.has(host);
}
