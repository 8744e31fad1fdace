import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/core/operations';
import { estimateTokens } from '../../src/core/estimateTokens';
import { planAttempts } from '../../src/core/planAttempts';
import { canCover, parseRemaining } from '../../src/core/remaining';
import { targetsFor } from '../../src/core/targets';
import { RemainingShare } from '../../src/router/RemainingShare';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { backend, NOW } from '../support/fixtures';

describe('estimateTokens', () => {
  it.each([
    ['chat messages plus max_tokens', 'chat', { messages: [{ role: 'user', content: 'x'.repeat(400) }], max_tokens: 50 }, 100 + 6 + 50],
    ['max_completion_tokens times n', 'chat', { messages: [], max_completion_tokens: 10, n: 3 }, 3 + 30],
    ['multi-part content', 'chat', { messages: [{ role: 'user', content: [{ type: 'text', text: 'x'.repeat(40) }] }] }, 10 + 6],
    ['an embeddings input list', 'embeddings', { input: ['x'.repeat(20), 'y'.repeat(20)] }, 10],
    ['a completions prompt', 'completions', { prompt: 'x'.repeat(8), max_tokens: 2 }, 4],
    ['nothing recognisable', 'chat', { foo: 1 }, 0],
  ] as const)('estimates %s', (_label, operation, body, expected) => {
    expect(estimateTokens(OPERATIONS[operation].estimatePrompt, body)).toBe(expected);
  });
});

describe('canCover', () => {
  const fresh = (tokens: number | undefined, requests: number | undefined) => ({ tokens, requests, atMs: NOW - 1000 });

  it.each([
    ['no report', undefined, 500, true],
    ['enough tokens', fresh(1000, 5), 500, true],
    ['too few tokens', fresh(100, 5), 500, false],
    ['no requests left', fresh(10_000, 0), 10, false],
    ['a report over ten seconds old', { tokens: 0, requests: 0, atMs: NOW - 11_000 }, 500, true],
  ])('with %s answers %s', (_label, remaining, estimate, expected) => {
    expect(canCover(remaining, estimate, NOW)).toBe(expected);
  });

  it('reads the backend headers', () => {
    const headers: Record<string, string> = { 'x-ratelimit-remaining-tokens': '1200', 'x-ratelimit-remaining-requests': '7' };
    expect(parseRemaining((n) => headers[n], NOW)).toEqual({ tokens: 1200, requests: 7, atMs: NOW });
    expect(parseRemaining(() => undefined, NOW)).toBeUndefined();
  });
});

describe('planAttempts with remaining capacity', () => {
  const ptu = backend({ name: 'ptu', priority: 1 });
  const a = backend({ name: 'payg-a', priority: 2 });
  const b = backend({ name: 'payg-b', priority: 3 });
  const plan = (ptuTokens: number, strategy: 'priority' | 'round-robin' = 'priority') => {
    const store = new MemoryStateStore();
    store.recordRemaining('ptu/gpt-4o', { tokens: ptuTokens, requests: 10, atMs: NOW - 2000 });
    return planAttempts({
      targets: targetsFor([ptu, a, b], 'gpt-4o'),
      windows: store,
      remaining: store,
      estimatedTokens: 500,
      nowMs: NOW,
      random: () => 0.5,
      strategy,
      rotation: 0,
    });
  };

  it('never calls a backend whose fresh report cannot cover the request, and says when it is back', () => {
    const result = plan(200);
    expect(result.order.map((t) => t.backend.name)).toEqual(['payg-a', 'payg-b']);
    // No share of its own: back once the report is one rate window (10 s) old.
    expect(result.throttledUntilMs).toBe(NOW - 2000 + 10_000);
  });

  it('keeps the priority order when every backend can cover the request', () => {
    expect(plan(20_000).order.map((t) => t.backend.name)).toEqual(['ptu', 'payg-a', 'payg-b']);
    expect(plan(20_000).throttledUntilMs).toBeUndefined();
  });

  it('leaves round robin as it is: it does not read reports', () => {
    expect(plan(200, 'round-robin').order.map((t) => t.backend.name)).toEqual(['ptu', 'payg-a', 'payg-b']);
  });

  it('returns to a backend whose report has gone stale', () => {
    const store = new MemoryStateStore();
    store.recordRemaining('ptu/gpt-4o', { tokens: 0, requests: 0, atMs: NOW - 10_001 });
    const order = planAttempts({
      targets: targetsFor([ptu], 'gpt-4o'),
      windows: store,
      remaining: store,
      estimatedTokens: 500,
      nowMs: NOW,
      random: () => 0.5,
      strategy: 'priority',
      rotation: 0,
    });
    expect(order.order.map((t) => t.backend.name)).toEqual(['ptu']);
  });
});

describe('RemainingShare', () => {
  const KEY = 'ptu/gpt-4o';
  const setup = (instances: number, random = 0.5) => {
    const clock = { now: NOW };
    const store = new MemoryStateStore();
    const share = new RemainingShare(store, () => instances, { now: () => clock.now, random: () => random, windowMs: 10_000 });
    return { clock, store, share, view: () => share.lookup().getRemaining(KEY) };
  };

  it('gives each live instance its share of the last report, in whole requests, less what it sent since', () => {
    const { clock, store, share, view } = setup(4);
    store.recordRemaining(KEY, { tokens: 4000, requests: 8, atMs: NOW });
    clock.now += 5;
    share.charge(KEY, 300);
    // 4000 / 4 = 1000 tokens = 3.33 requests of 300; the draw (0.5) rounds the third of one down.
    expect(view()).toMatchObject({ tokens: 900 - 300, requests: 2 - 1, atMs: NOW });
  });

  it('rounds a fraction of a request up when the draw is below it, so a few free requests are not left idle', () => {
    const { store, view } = setup(4, 0.1);
    store.recordRemaining(KEY, { tokens: undefined, requests: 2, atMs: NOW });
    expect(view()?.requests).toBe(1); // 2 / 4 = 0.5 > 0.1
    const { store: other, view: otherView } = setup(4, 0.9);
    other.recordRemaining(KEY, { tokens: undefined, requests: 2, atMs: NOW });
    expect(otherView()?.requests).toBe(0);
  });

  it('starts counting again from a new report', () => {
    const { clock, store, share, view } = setup(1);
    store.recordRemaining(KEY, { tokens: 4000, requests: 8, atMs: NOW });
    clock.now += 5;
    share.charge(KEY, 300);
    store.recordRemaining(KEY, { tokens: 3500, requests: 7, atMs: NOW + 10 });
    expect(view()).toMatchObject({ tokens: 3500, requests: 7, atMs: NOW + 10 });
  });

  it('takes back the slot of its own admitted call once it has left the window, and says when it will', () => {
    const { clock, store, share, view } = setup(4);
    const call = share.charge(KEY, 300);
    call.admitted = true;
    clock.now += 100;
    store.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: clock.now });
    expect(view()).toMatchObject({ requests: 0, refillAtMs: NOW + 10_000 + 10 });
    clock.now = NOW + 10_000 + 10;
    expect(view()).toMatchObject({ requests: 1, tokens: 300 });
  });

  it('takes back nothing for a call the backend refused with a 429', () => {
    const { clock, store, share, view } = setup(1);
    share.charge(KEY, 300); // never admitted
    clock.now += 100;
    store.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: clock.now });
    clock.now = NOW + 10_000 + 10;
    expect(view()?.requests).toBe(0);
  });

  it('does not count a slot twice once a report made after it left the window includes it', () => {
    const { clock, store, share, view } = setup(1);
    share.charge(KEY, 300).admitted = true;
    clock.now = NOW + 10_500;
    store.recordRemaining(KEY, { tokens: 300, requests: 1, atMs: clock.now });
    expect(view()?.requests).toBe(1);
  });

  it("drops a 429's report when its Retry-After ends: the backend said when it has room again", () => {
    const { clock, store, view } = setup(1);
    store.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: NOW, freshUntilMs: NOW + 400 });
    expect(view()).toMatchObject({ requests: 0, refillAtMs: NOW + 400 });
    clock.now += 400;
    expect(view()).toBeUndefined();
  });

  it('says nothing once the report is a window old', () => {
    const { clock, store, view } = setup(1);
    store.recordRemaining(KEY, { tokens: 0, requests: 0, atMs: NOW });
    clock.now += 10_001;
    expect(view()).toBeUndefined();
  });
});
