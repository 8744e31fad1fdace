import { describe, expect, it } from 'vitest';
import { addSample, combineFigures, scoreLatency } from '../../src/core/latency';
import { priorityOrder } from '../../src/core/planAttempts';
import { targetsFor } from '../../src/core/targets';
import { InFlight } from '../../src/router/InFlight';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { backend, NOW, sequence } from '../support/fixtures';

const policy = { demoteFactor: 3, demoteMinGapMs: 200, minShare: 0.05, noiseMs: 25, noiseRatio: 0.2 };

describe('addSample', () => {
  it('starts from the first sample and moves a fifth of the way to each new one', () => {
    const first = addSample(undefined, 100, NOW);
    expect(first).toEqual({ ewmaMs: 100, samples: 1, atMs: NOW });
    expect(addSample(first, 200, NOW + 1).ewmaMs).toBe(120);
  });

  it('moves halfway at once on a sample under half the figure, so a recovered backend shows it within a probe or two', () => {
    expect(addSample({ ewmaMs: 600, samples: 20, atMs: NOW }, 40, NOW + 1).ewmaMs).toBe(320);
  });

  it('starts over when the last figure is more than ten minutes old', () => {
    expect(addSample({ ewmaMs: 900, samples: 40, atMs: NOW - 11 * 60_000 }, 50, NOW)).toEqual({ ewmaMs: 50, samples: 1, atMs: NOW });
  });
});

describe('combineFigures', () => {
  it('weighs each instance by its samples and ignores stale rows', () => {
    const combined = combineFigures(
      [
        { ewmaMs: 100, samples: 30, atMs: NOW },
        { ewmaMs: 400, samples: 10, atMs: NOW - 1000 },
        { ewmaMs: 5000, samples: 50, atMs: NOW - 20 * 60_000 },
      ],
      NOW,
    );
    expect(combined).toEqual({ ewmaMs: 175, samples: 40, atMs: NOW });
  });
});

describe('scoreLatency', () => {
  it.each([
    ['the fastest keeps its full weight', 100, 100, { effectivePriority: 1, speedFactor: 1, demoted: false }],
    ['a millisecond of loopback noise counts as equal', 2, 1, { effectivePriority: 1, speedFactor: 1, demoted: false }],
    ['10 ms against 11.5 ms counts as equal', 11.5, 10, { effectivePriority: 1, speedFactor: 1, demoted: false }],
    ['a gap inside the absolute band counts as equal', 125, 100, { effectivePriority: 1, speedFactor: 1, demoted: false }],
    ['a gap inside the relative band counts as equal', 1200, 1000, { effectivePriority: 1, speedFactor: 1, demoted: false }],
    ['just past the band loses a little, not a cliff', 130, 100, { effectivePriority: 1, speedFactor: (100 / 105) ** 2, demoted: false }],
    ['twice as slow beyond the band gets a quarter of the weight', 225, 100, { effectivePriority: 1, speedFactor: 0.25, demoted: false }],
    ['a real gap at high latency still wins', 3000, 1000, { effectivePriority: 1, speedFactor: (1000 / 2800) ** 2, demoted: false }],
    ['far slower keeps the minimum share and drops a level', 1000, 100, { effectivePriority: 2, speedFactor: 0.05, demoted: true }],
    ['slow by the factor but close in milliseconds stays', 60, 10, { effectivePriority: 1, speedFactor: (10 / 35) ** 2, demoted: false }],
  ])('%s', (_label, ewmaMs, bestMs, expected) => {
    const score = scoreLatency(1, { ewmaMs, samples: 10, atMs: NOW }, bestMs, policy);
    expect({ ...score, speedFactor: Number(score.speedFactor.toFixed(6)) }).toEqual({ ...expected, speedFactor: Number(expected.speedFactor.toFixed(6)) });
  });

  it('gives two backends at 10 ms and 11.5 ms a speed factor of 1 each, so they split by configured weight', () => {
    const best = 10;
    expect([10, 11.5].map((ewmaMs) => scoreLatency(1, { ewmaMs, samples: 10, atMs: NOW }, best, policy).speedFactor)).toEqual([1, 1]);
  });

  it('with no noise band weighs by the inverse square of the figures', () => {
    const exact = { ...policy, noiseMs: 0, noiseRatio: 0 };
    expect(scoreLatency(1, { ewmaMs: 200, samples: 10, atMs: NOW }, 100, exact).speedFactor).toBe(0.25);
  });

  it('leaves a backend without figures as configured', () => {
    expect(scoreLatency(2, undefined, 100, policy)).toEqual({ effectivePriority: 2, speedFactor: 1, demoted: false });
  });
});

describe('priorityOrder with latency', () => {
  const fast = backend({ name: 'fast', priority: 1 });
  const slow = backend({ name: 'slow', priority: 1 });
  const spill = backend({ name: 'spill', priority: 2 });
  const targets = targetsFor([fast, slow, spill], 'gpt-4o');
  const lcg = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

  function firstPicks(store: MemoryStateStore, runs = 2000): Record<string, number> {
    const random = lcg(7);
    const counts: Record<string, number> = {};
    for (let i = 0; i < runs; i++) {
      const first = priorityOrder(targets, random, { lookup: store, policy, nowMs: NOW })[0]?.backend.name ?? '';
      counts[first] = (counts[first] ?? 0) + 1;
    }
    return counts;
  }

  it('sends most of a priority to its faster backend while the slower keeps a share and lower priorities stay idle', () => {
    const store = new MemoryStateStore();
    store.recordLatency('fast/gpt-4o', 100, NOW);
    store.recordLatency('slow/gpt-4o', 250, NOW);
    const counts = firstPicks(store);
    expect(counts.fast! / 2000).toBeGreaterThan(0.75);
    expect(counts.slow! / 2000).toBeGreaterThan(0.1);
    expect(counts.spill).toBeUndefined();
  });

  it('puts the second of two equal backends first when its draw is higher, though its figure is 1.5 ms slower', () => {
    const store = new MemoryStateStore();
    store.recordLatency('fast/gpt-4o', 10, NOW);
    store.recordLatency('slow/gpt-4o', 11.5, NOW);
    // Equal weights: the higher draw goes first. (10/11.5)² = 0.76 would have put "fast" first.
    const order = priorityOrder(targets, sequence(0.5, 0.55, 0.9), { lookup: store, policy, nowMs: NOW }).map((t) => t.backend.name);
    expect(order).toEqual(['slow', 'fast', 'spill']);
  });

  it('demotes a far slower backend behind its peers but never above a higher priority', () => {
    const store = new MemoryStateStore();
    store.recordLatency('fast/gpt-4o', 100, NOW);
    store.recordLatency('slow/gpt-4o', 2000, NOW);
    const order = priorityOrder(targets, () => 0.5, { lookup: store, policy, nowMs: NOW }).map((t) => t.backend.name);
    expect(order[0]).toBe('fast');
    expect(order.indexOf('slow')).toBeGreaterThan(0);
  });

  it('stops ranking on figures older than two minutes, so a demoted backend gets tried again', () => {
    const store = new MemoryStateStore();
    store.recordLatency('fast/gpt-4o', 100, NOW);
    store.recordLatency('slow/gpt-4o', 2000, NOW - 121_000);
    const counts = firstPicks(store);
    expect(counts.slow! / 2000).toBeGreaterThan(0.3);
  });

  it('never promotes a fast lower-priority backend', () => {
    const store = new MemoryStateStore();
    store.recordLatency('spill/gpt-4o', 1, NOW);
    store.recordLatency('fast/gpt-4o', 900, NOW);
    store.recordLatency('slow/gpt-4o', 900, NOW);
    expect(priorityOrder(targets, () => 0.5, { lookup: store, policy, nowMs: NOW }).at(-1)?.backend.name).toBe('spill');
  });
});

describe('InFlight', () => {
  it('raises a figure to the mean age of requests still waiting for headers', () => {
    const store = new MemoryStateStore();
    store.recordLatency('hung/gpt-4o', 50, NOW);
    const inFlight = new InFlight();
    inFlight.begin('hung/gpt-4o', NOW);
    inFlight.begin('hung/gpt-4o', NOW + 2000);
    expect(inFlight.over(store, NOW + 3000).getLatency('hung/gpt-4o')?.ewmaMs).toBe(2000);
  });

  it('leaves a figure alone once its requests were answered', () => {
    const store = new MemoryStateStore();
    store.recordLatency('ok/gpt-4o', 50, NOW);
    const inFlight = new InFlight();
    inFlight.begin('ok/gpt-4o', NOW);
    inFlight.end('ok/gpt-4o', NOW);
    expect(inFlight.over(store, NOW + 3000).getLatency('ok/gpt-4o')?.ewmaMs).toBe(50);
  });
});
