import { describe, expect, it } from 'vitest';
import { classifyResponse, classifyTransportFailure } from '../../src/core/classifyAttempt';
import { finalFailure } from '../../src/core/finalFailure';
import { NOW } from '../support/fixtures';

const policy = { defaultMs: 10_000, floorMs: 1_000, preciseFloorMs: 100, capMs: 120_000, failureMs: 15_000, authFailureMs: 300_000 };
const none = () => undefined;

describe('classifyResponse', () => {
  it.each([200, 201, 204])('treats %d as success', (status) => {
    expect(classifyResponse(status, none, NOW, policy)).toEqual({ kind: 'success' });
  });

  it.each([400, 404, 409, 413, 422])('passes a %d through without retrying or benching', (status) => {
    expect(classifyResponse(status, none, NOW, policy)).toEqual({ kind: 'pass-through' });
  });

  it('benches the deployment of a 429 for as long as it asked', () => {
    const headers: Record<string, string> = { 'retry-after-ms': '4200' };
    expect(classifyResponse(429, (n) => headers[n], NOW, policy)).toEqual({
      kind: 'failover',
      reason: 'throttled',
      benchMs: 4200,
      scope: 'deployment',
      circuit: 'answered',
    });
  });

  it('benches a 429 without Retry-After for the default', () => {
    expect(classifyResponse(429, none, NOW, policy)).toMatchObject({ benchMs: 10_000 });
  });

  it.each([500, 502, 503])('fails over from a %d and benches the deployment', (status) => {
    expect(classifyResponse(status, none, NOW, policy)).toEqual({
      kind: 'failover',
      reason: 'server-error',
      benchMs: 15_000,
      scope: 'deployment',
      circuit: 'failure',
    });
  });

  it.each([401, 403])('fails over from a %d: the router credential is the backend operator problem, not the caller', (status) => {
    expect(classifyResponse(status, none, NOW, policy)).toMatchObject({ kind: 'failover', reason: 'auth', scope: 'backend' });
  });
});

describe('classifyTransportFailure', () => {
  it('benches the deployment after a stream first-event timeout and counts it towards its circuit', () => {
    expect(classifyTransportFailure('timeout', policy, true)).toMatchObject({ reason: 'timeout', scope: 'deployment', circuit: 'failure' });
  });

  it('benches the deployment after a non-stream headers timeout without counting a slow generation towards any circuit', () => {
    expect(classifyTransportFailure('timeout', policy, false)).toMatchObject({ reason: 'timeout', scope: 'deployment', circuit: 'neutral' });
  });

  it('benches the whole backend after a connection failure', () => {
    expect(classifyTransportFailure('network', policy, false)).toMatchObject({ reason: 'network', scope: 'backend', circuit: 'failure' });
  });
});

describe('finalFailure', () => {
  it('answers 429 with the time until the soonest window when any target is throttled', () => {
    expect(finalFailure({ reasons: ['server-error', 'throttled'], throttledUntilMs: NOW + 2500, nowMs: NOW })).toEqual({
      status: 429,
      code: 'all_backends_throttled',
      retryAfterMs: 2500,
    });
  });

  it('answers 504 when every attempt timed out', () => {
    expect(finalFailure({ reasons: ['timeout', 'timeout'], throttledUntilMs: undefined, nowMs: NOW }).status).toBe(504);
  });

  it('answers 502 when attempts failed with server or network errors', () => {
    expect(finalFailure({ reasons: ['timeout', 'network'], throttledUntilMs: undefined, nowMs: NOW })).toEqual({ status: 502, code: 'backend_error' });
  });

  it('answers 503 with a short Retry-After when every candidate was waiting for its credential', () => {
    expect(finalFailure({ reasons: [], throttledUntilMs: undefined, nowMs: NOW, skippedForCredentials: 2 })).toEqual({
      status: 503,
      code: 'credentials_unavailable',
      retryAfterMs: 1000,
    });
  });

  it('answers 502 when nothing could be tried', () => {
    expect(finalFailure({ reasons: [], throttledUntilMs: undefined, nowMs: NOW })).toEqual({ status: 502, code: 'no_backend_available' });
  });
});
