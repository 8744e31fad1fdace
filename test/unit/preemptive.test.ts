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

  it.each([
    ['puts backends that cannot cover the request after those that can, keeping priority order', 200, ['payg-a', 'payg-b', 'ptu']],
    ['keeps the priority order when every backend can cover the request', 20_000, ['ptu', 'payg-a', 'payg-b']],
  ])('%s', (_label, ptuTokens, expected) => {
    const store = new MemoryStateStore();
    store.recordRemaining('ptu/gpt-4o', { tokens: ptuTokens, requests: 10, atMs: NOW });
    const order = planAttempts({
      targets: targetsFor([ptu, a, b], 'gpt-4o'),
      windows: store,
      remaining: store,
      estimatedTokens: 500,
      nowMs: NOW,
      random: () => 0.5,
      strategy: 'priority',
      rotation: 0,
    }).order.map((t) => t.backend.name);
    expect(order).toEqual(expected);
  });
});

describe('RemainingShare', () => {
  it('gives each live instance its share of the last report, less what it sent since', () => {
    const store = new MemoryStateStore();
    store.recordRemaining('ptu/gpt-4o', { tokens: 4000, requests: 8, atMs: NOW });
    const share = new RemainingShare(store, () => 4);
    share.charge('ptu/gpt-4o', 300);
    expect(share.lookup().getRemaining('ptu/gpt-4o')).toEqual({ tokens: 700, requests: 1, atMs: NOW });
  });

  it('starts counting again from a new report', () => {
    const store = new MemoryStateStore();
    store.recordRemaining('ptu/gpt-4o', { tokens: 4000, requests: 8, atMs: NOW });
    const share = new RemainingShare(store, () => 1);
    share.charge('ptu/gpt-4o', 300);
    store.recordRemaining('ptu/gpt-4o', { tokens: 3500, requests: 7, atMs: NOW + 10 });
    expect(share.lookup().getRemaining('ptu/gpt-4o')).toEqual({ tokens: 3500, requests: 7, atMs: NOW + 10 });
  });
});
