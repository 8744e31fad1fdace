/** N failures (5xx, timeouts, network) within `intervalMs` open a backend's circuit for `tripMs`. */
export interface CircuitPolicy {
  readonly failureThreshold: number;
  readonly intervalMs: number;
  readonly tripMs: number;
}

/**
 * closed: traffic flows; failures are counted. open: skipped until `untilMs`. half-open: the
 * trip has passed and exactly one trial request is let through; its result decides.
 */
export type CircuitState =
  | { readonly kind: 'closed'; readonly failuresMs: readonly number[] }
  | { readonly kind: 'open'; readonly untilMs: number }
  | { readonly kind: 'half-open'; readonly trialSinceMs: number };

export const CLOSED: CircuitState = { kind: 'closed', failuresMs: [] };

export interface FailureResult {
  readonly state: CircuitState;
  /** Set when this failure opened (or re-opened) the circuit. */
  readonly openedUntilMs: number | undefined;
}

export function recordFailure(state: CircuitState, nowMs: number, policy: CircuitPolicy): FailureResult {
  if (state.kind === 'half-open') return open(nowMs, policy);
  if (state.kind === 'open') return { state, openedUntilMs: undefined };
  const failuresMs = state.failuresMs.filter((at) => at > nowMs - policy.intervalMs).concat(nowMs);
  if (failuresMs.length >= policy.failureThreshold) return open(nowMs, policy);
  return { state: { kind: 'closed', failuresMs }, openedUntilMs: undefined };
}

export function recordSuccess(): CircuitState {
  return CLOSED;
}

/**
 * Whether a request may go to this backend now, and the state after letting it. An open
 * circuit past its trip admits one trial; while that trial runs, others are refused. A trial
 * that never reports back (its caller vanished) is given up after one trip.
 */
export function admit(state: CircuitState, nowMs: number, policy: CircuitPolicy): { readonly allowed: boolean; readonly state: CircuitState } {
  if (state.kind === 'closed') return { allowed: true, state };
  if (state.kind === 'open' && nowMs < state.untilMs) return { allowed: false, state };
  if (state.kind === 'half-open' && nowMs - state.trialSinceMs < policy.tripMs) return { allowed: false, state };
  return { allowed: true, state: { kind: 'half-open', trialSinceMs: nowMs } };
}

function open(nowMs: number, policy: CircuitPolicy): FailureResult {
  const untilMs = nowMs + policy.tripMs;
  return { state: { kind: 'open', untilMs }, openedUntilMs: untilMs };
}
