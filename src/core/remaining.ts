import { HeaderLookup } from './retryAfter';

/** A backend's own report of what is left in its current rate-limit window. */
export interface Remaining {
  readonly tokens: number | undefined;
  readonly requests: number | undefined;
  readonly atMs: number;
}

export interface RemainingLookup {
  getRemaining(key: string): Remaining | undefined;
}

/**
 * Reports older than this say nothing about the backend's current window. Azure enforces its
 * per-minute limits over 10 s sub-windows, so an exhausted report is stale after one.
 */
export const REMAINING_FRESH_MS = 10_000;

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
 * or stale reports count as "can": only fresh evidence of exhaustion moves a backend back.
 */
export function canCover(remaining: Remaining | undefined, estimatedTokens: number, nowMs: number): boolean {
  if (remaining === undefined || nowMs - remaining.atMs > REMAINING_FRESH_MS) return true;
  if (remaining.requests !== undefined && remaining.requests < 1) return false;
  return remaining.tokens === undefined || remaining.tokens >= estimatedTokens;
}
