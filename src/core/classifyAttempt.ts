import { ThrottlePolicy } from '../config/types';
import { HeaderLookup, readRetryAfter, throttleBenchMs } from './retryAfter';
import { WindowReason } from './windows';

export type FailureReason = Exclude<WindowReason, 'circuit-open'>;

/** What one backend attempt means for the request. Data, not exceptions. */
export type AttemptOutcome =
  | { readonly kind: 'success' }
  /** A 4xx that is the caller's business (content filter, bad request): hand it over unchanged. */
  | { readonly kind: 'pass-through' }
  | {
      readonly kind: 'failover';
      readonly reason: FailureReason;
      readonly benchMs: number;
      /** 'deployment' benches backend+deployment; 'backend' benches every deployment of it. */
      readonly scope: 'deployment' | 'backend';
    };

/** Classifies a backend answer by status (and Retry-After headers for 429). */
export function classifyResponse(status: number, header: HeaderLookup, nowMs: number, policy: ThrottlePolicy): AttemptOutcome {
  if (status < 400) return { kind: 'success' };
  if (status === 429) {
    return { kind: 'failover', reason: 'throttled', benchMs: throttleBenchMs(readRetryAfter(header, nowMs), policy), scope: 'deployment' };
  }
  // 408: Azure gave up waiting for the model; another backend may answer in time.
  if (status === 408) return { kind: 'failover', reason: 'timeout', benchMs: policy.failureMs, scope: 'deployment' };
  // 401/403: the router's credential for this backend is wrong; the caller can do nothing about it.
  if (status === 401 || status === 403) return { kind: 'failover', reason: 'auth', benchMs: policy.authFailureMs, scope: 'backend' };
  if (status >= 500) return { kind: 'failover', reason: 'server-error', benchMs: policy.failureMs, scope: 'deployment' };
  return { kind: 'pass-through' };
}

/** Classifies a call that produced no response: headers timeout or a connection failure. */
export function classifyTransportFailure(kind: 'timeout' | 'network', policy: ThrottlePolicy): AttemptOutcome {
  return kind === 'timeout'
    ? { kind: 'failover', reason: 'timeout', benchMs: policy.failureMs, scope: 'deployment' }
    : { kind: 'failover', reason: 'network', benchMs: policy.failureMs, scope: 'backend' };
}
