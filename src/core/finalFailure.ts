import { FailureReason } from './classifyAttempt';

/** The answer when no attempt succeeded: always one of these, never a 500. */
export type FinalFailure =
  | { readonly status: 429; readonly code: 'all_backends_throttled'; readonly retryAfterMs: number }
  | { readonly status: 502; readonly code: 'backend_error' | 'backend_auth_failed' | 'no_backend_available' }
  | { readonly status: 503; readonly code: 'credentials_unavailable' | 'response_backend_unavailable'; readonly retryAfterMs: number }
  | { readonly status: 504; readonly code: 'backend_timeout' };

export interface FailureSummary {
  /** Reasons of the attempts made in this request, in order. */
  readonly reasons: readonly FailureReason[];
  /** Soonest throttle-window expiry among the targets, known or learned during the request. */
  readonly throttledUntilMs: number | undefined;
  readonly nowMs: number;
  /** Candidates skipped because their credential is not loaded yet (cold start, vault outage). */
  readonly skippedForCredentials?: number;
  /**
   * Set when the request was bound to one backend (it holds the stored object): no other can
   * answer, so anything but throttling is that backend being unavailable, for this long at least.
   */
  readonly boundRetryAfterMs?: number;
}

/**
 * Throttling wins: if any target is in a 429 window the caller should come back when the
 * soonest frees up. Otherwise all timeouts → 504, anything else → 502.
 */
export function finalFailure(summary: FailureSummary): FinalFailure {
  if (summary.throttledUntilMs !== undefined) {
    return { status: 429, code: 'all_backends_throttled', retryAfterMs: Math.max(1, summary.throttledUntilMs - summary.nowMs) };
  }
  if (summary.boundRetryAfterMs !== undefined) return { status: 503, code: 'response_backend_unavailable', retryAfterMs: summary.boundRetryAfterMs };
  // Nothing tried because no candidate has a credential yet (cold start, vault outage): a short, honest 503.
  if (summary.reasons.length === 0 && (summary.skippedForCredentials ?? 0) > 0) return { status: 503, code: 'credentials_unavailable', retryAfterMs: 1000 };
  if (summary.reasons.length === 0) return { status: 502, code: 'no_backend_available' };
  if (summary.reasons.every((reason) => reason === 'timeout')) return { status: 504, code: 'backend_timeout' };
  if (summary.reasons.every((reason) => reason === 'auth')) return { status: 502, code: 'backend_auth_failed' };
  return { status: 502, code: 'backend_error' };
}
