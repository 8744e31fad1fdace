import { describe, expect, it } from 'vitest';
import { admit, CLOSED, CircuitState, recordFailure, recordSuccess } from '../../src/core/circuitBreaker';
import { NOW } from '../support/fixtures';

const policy = { failureThreshold: 3, intervalMs: 10_000, tripMs: 30_000 };

function failTimes(times: number[], state: CircuitState = CLOSED) {
  let result = { state, openedUntilMs: undefined as number | undefined };
  for (const at of times) result = recordFailure(result.state, at, policy);
  return result;
}

describe('circuit breaker', () => {
  it('stays closed below the failure threshold', () => {
    expect(failTimes([NOW, NOW + 1]).state.kind).toBe('closed');
  });

  it('opens for the trip duration on the Nth failure within the interval', () => {
    const result = failTimes([NOW, NOW + 1000, NOW + 2000]);
    expect(result.state).toEqual({ kind: 'open', untilMs: NOW + 32_000 });
    expect(result.openedUntilMs).toBe(NOW + 32_000);
  });

  it('forgets failures older than the interval', () => {
    expect(failTimes([NOW, NOW + 1000, NOW + 12_000]).state.kind).toBe('closed');
  });

  it('refuses requests while open', () => {
    const open = failTimes([NOW, NOW, NOW]).state;
    expect(admit(open, NOW + 29_999, policy).allowed).toBe(false);
  });

  it('lets exactly one trial through after the trip', () => {
    const open = failTimes([NOW, NOW, NOW]).state;
    const trial = admit(open, NOW + 30_000, policy);
    expect(trial).toEqual({ allowed: true, state: { kind: 'half-open', trialSinceMs: NOW + 30_000 } });
    expect(admit(trial.state, NOW + 30_001, policy).allowed).toBe(false);
  });

  it('closes when the trial succeeds', () => {
    expect(recordSuccess()).toEqual(CLOSED);
  });

  it('re-opens when the trial fails', () => {
    const halfOpen: CircuitState = { kind: 'half-open', trialSinceMs: NOW };
    expect(recordFailure(halfOpen, NOW + 5, policy)).toEqual({ state: { kind: 'open', untilMs: NOW + 30_005 }, openedUntilMs: NOW + 30_005 });
  });

  it('gives up on a trial that never reported back after one trip', () => {
    const halfOpen: CircuitState = { kind: 'half-open', trialSinceMs: NOW };
    expect(admit(halfOpen, NOW + 30_000, policy).allowed).toBe(true);
  });
});
