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
      /**
       * What the attempt tells the circuit of the benched key: 'failure' counts towards opening it;
       * 'answered' (a 429, a refused credential) shows the backend alive and settles a half-open
       * trial; 'neutral' (a slow generation) says nothing about health either way.
       */
      readonly circuit: 'failure' | 'answered' | 'neutral';
    };

/** Classifies a backend answer by status (and Retry-After headers for 429). */
export function classifyResponse(status: number, header: HeaderLookup, nowMs: number, policy: ThrottlePolicy): AttemptOutcome {
  if (status < 300) return { kind: 'success' };
  // A redirect is no answer: following it would send the prompt (and an SDK the caller's key) elsewhere.
  if (status < 400) return { kind: 'failover', reason: 'server-error', benchMs: policy.failureMs, scope: 'deployment', circuit: 'failure' };
  if (status === 429) {
    return { kind: 'failover', reason: 'throttled', benchMs: throttleBenchMs(readRetryAfter(header, nowMs), policy), scope: 'deployment', circuit: 'answered' };
  }
  // 408: Azure gave up waiting for the model; another backend may answer in time.
  if (status === 408) return { kind: 'failover', reason: 'timeout', benchMs: policy.failureMs, scope: 'deployment', circuit: 'failure' };
  // 401/403: the router's credential for this backend is wrong; the caller can do nothing about it.
  if (status === 401 || status === 403) return { kind: 'failover', reason: 'auth', benchMs: policy.authFailureMs, scope: 'backend', circuit: 'answered' };
  if (status >= 500) return { kind: 'failover', reason: 'server-error', benchMs: policy.failureMs, scope: 'deployment', circuit: 'failure' };
  return { kind: 'pass-through' };
}

/**
 * Classifies a call that produced no response: headers timeout or a connection failure. Azure
 * sends a non-stream answer's headers only once generation ends, so a header timeout there is
 * a slow generation, not a sick backend: it benches the deployment but never feeds its circuit
 * (one consumer's long generations must not open a circuit for everyone).
 */
export function classifyTransportFailure(kind: 'timeout' | 'network', policy: ThrottlePolicy, stream: boolean): AttemptOutcome {
  return kind === 'timeout'
    ? { kind: 'failover', reason: 'timeout', benchMs: policy.failureMs, scope: 'deployment', circuit: stream ? 'failure' : 'neutral' }
    : { kind: 'failover', reason: 'network', benchMs: policy.failureMs, scope: 'backend', circuit: 'failure' };
}
