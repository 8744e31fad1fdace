/** A credential as fetched: the value, and for tokens when it stops working. */
export interface FetchedCredential {
  readonly value: string;
  /** Epoch ms after which the value is useless (tokens). Undefined: no known expiry (secrets). */
  readonly expiresAt?: number;
  /** Epoch ms the issuer suggests renewing at (MSAL's refreshOn); a hint, never later than expiresAt. */
  readonly refreshAfter?: number;
}

/** Reads one Key Vault secret. The real one is SecretClient; tests use fakes. */
export interface SecretReader {
  read(secretName: string, signal: AbortSignal): Promise<string>;
}

/** Gets an Entra ID access token for Azure OpenAI. The real one is a TokenCredential. */
export interface TokenProvider {
  token(signal: AbortSignal): Promise<FetchedCredential>;
}

/** Time and timers, injected so refresh timing is testable with a fake clock. */
export interface Clock {
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. Must not keep the process alive. */
  setTimer(ms: number, fn: () => void): () => void;
}

export type CredentialKind = 'apiKey' | 'keyVault' | 'entra';

/** One backend's credential as an operator sees it. Never carries the secret or token. */
export interface CredentialStatus {
  readonly backend: string;
  readonly kind: CredentialKind;
  readonly secretName?: string;
  /** ok: a usable value is cached; pending: the first fetch is under way; failed: nothing usable. */
  readonly state: 'ok' | 'pending' | 'failed';
  /** Epoch ms of the last successful fetch. */
  readonly lastRefreshAt?: number;
  /** Epoch ms the cached token expires (Entra only). */
  readonly expiresAt?: number;
  /** Epoch ms of the next background fetch. */
  readonly nextRefreshAt?: number;
  /** Why the last fetch failed, if it did (also while a cached value keeps serving). Redacted. */
  readonly lastError?: string;
}

/** Longest delay setTimeout accepts; longer timers fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const timer = setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    timer.unref(); // background refresh must never keep a process (or a test) alive
    return () => clearTimeout(timer);
  },
};
