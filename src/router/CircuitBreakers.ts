import { admit, CircuitPolicy, CircuitState, CLOSED, recordFailure } from '../core/circuitBreaker';

/**
 * This instance's circuits, keyed like windows: `backend/deployment` for a deployment's
 * failures, `backend/*` for connection failures. Opening one is shared with the others as a window.
 */
export class CircuitBreakers {
  private readonly states = new Map<string, CircuitState>();

  constructor(private readonly policy: CircuitPolicy) {}

  admit(key: string, nowMs: number): boolean {
    const state = this.states.get(key);
    if (state === undefined) return true; // closed, the common case: no allocation
    const decision = admit(state, nowMs, this.policy);
    this.states.set(key, decision.state);
    return decision.allowed;
  }

  /** Counts a failure; returns the open-until time when this failure opened the circuit. */
  failure(key: string, nowMs: number): number | undefined {
    const result = recordFailure(this.states.get(key) ?? CLOSED, nowMs, this.policy);
    this.states.set(key, result.state);
    return result.openedUntilMs;
  }

  success(key: string): void {
    // Closed is the absence of an entry: keys of recovered deployments do not pile up.
    if (this.states.has(key)) this.states.delete(key);
  }

  state(key: string): CircuitState {
    return this.states.get(key) ?? CLOSED;
  }
}
