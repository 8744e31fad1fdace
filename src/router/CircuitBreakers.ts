import { admit, CircuitPolicy, CircuitState, CLOSED, recordFailure, recordSuccess } from '../core/circuitBreaker';

/** This instance's circuit per backend; opening one is shared with the others as a window. */
export class CircuitBreakers {
  private readonly states = new Map<string, CircuitState>();

  constructor(private readonly policy: CircuitPolicy) {}

  admit(backend: string, nowMs: number): boolean {
    const state = this.states.get(backend);
    if (state === undefined) return true; // closed, the common case: no allocation
    const decision = admit(state, nowMs, this.policy);
    this.states.set(backend, decision.state);
    return decision.allowed;
  }

  /** Counts a failure; returns the open-until time when this failure opened the circuit. */
  failure(backend: string, nowMs: number): number | undefined {
    const result = recordFailure(this.states.get(backend) ?? CLOSED, nowMs, this.policy);
    this.states.set(backend, result.state);
    return result.openedUntilMs;
  }

  success(backend: string): void {
    if (this.states.has(backend)) this.states.set(backend, recordSuccess());
  }

  state(backend: string): CircuitState {
    return this.states.get(backend) ?? CLOSED;
  }
}
