import { HeaderLookup } from './retryAfter';

/** A backend's own report of what is left in its current rate-limit window. */
export interface Remaining {
  readonly tokens: number | undefined;
  readonly requests: number | undefined;
  readonly atMs: number;
  /** Set on a 429's report: it stops counting when the 429's Retry-After ends. */
  readonly freshUntilMs?: number;
}

export interface RemainingLookup {
  getRemaining(key: string): Remaining | undefined;
}

/**
 * The window Azure enforces its per-minute limits over (ROUTER_RATE_WINDOW_SECONDS' default):
 * RPM/6 and TPM/6 per 10 s. A report says nothing about the backend after one window.
 */
export const RATE_WINDOW_MS = 10_000;

/** Whether a report still describes the backend's current window. */
export function isFresh(remaining: Remaining, nowMs: number, windowMs = RATE_WINDOW_MS): boolean {
  return nowMs - remaining.atMs <= windowMs && (remaining.freshUntilMs === undefined || nowMs < remaining.freshUntilMs);
}

const count = (value: string | undefined): number | undefined => {
  const text = value?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
};

/** Reads x-ratelimit-remaining-tokens/-requests; undefined when the backend sent neither. */
export function parseRemaining(header: HeaderLookup, nowMs: number): Remaining | undefined {
  const tokens = count(header('x-ratelimit-remaining-tokens'));
  const requests = count(header('x-ratelimit-remaining-requests'));
  return tokens === undefined && requests === undefined ? undefined : { tokens, requests, atMs: nowMs };
}

/**
 * Whether a backend can take a request costing `estimatedTokens`, as far as we know. Unknown
 * or stale reports count as "can": only fresh evidence of exhaustion keeps a backend out.
 */
export function canCover(remaining: Remaining | undefined, estimatedTokens: number, nowMs: number, windowMs = RATE_WINDOW_MS): boolean {
  if (remaining === undefined || !isFresh(remaining, nowMs, windowMs)) return true;
  if (remaining.requests !== undefined && remaining.requests < 1) return false;
  return remaining.tokens === undefined || remaining.tokens >= estimatedTokens;
}
