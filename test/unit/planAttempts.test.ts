import { describe, expect, it } from 'vitest';
import { planAttempts, weightedShuffle } from '../../src/core/planAttempts';
import { targetsFor } from '../../src/core/targets';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { backend, NOW, sequence } from '../support/fixtures';

const ptu = backend({ name: 'ptu', priority: 1 });
const payg1 = backend({ name: 'payg-1', priority: 2 });
const payg2 = backend({ name: 'payg-2', priority: 2 });
const backends = [payg1, ptu, payg2];

function plan(store = new MemoryStateStore(), random = sequence(0.5), strategy: 'priority' | 'round-robin' = 'priority', rotation = 0) {
  return planAttempts({ targets: targetsFor(backends, 'gpt-4o'), windows: store, nowMs: NOW, random, strategy, rotation });
}
const names = (p: ReturnType<typeof plan>) => p.order.map((t) => t.backend.name);

describe('planAttempts', () => {
  it('puts the lowest priority number first', () => {
    expect(names(plan())[0]).toBe('ptu');
  });

  it('orders backends of one priority by weighted random draw', () => {
    expect(names(plan(undefined, sequence(0.1, 0.9)))).toEqual(['ptu', 'payg-2', 'payg-1']);
    expect(names(plan(undefined, sequence(0.9, 0.1)))).toEqual(['ptu', 'payg-1', 'payg-2']);
  });

  it('never calls a deployment inside a 429 window and reports when it frees up', () => {
    const store = new MemoryStateStore();
    store.openWindow('ptu/gpt-4o', { untilMs: NOW + 6000, reason: 'throttled' });
    const result = plan(store);
    expect(names(result)).not.toContain('ptu');
    expect(result.throttledUntilMs).toBe(NOW + 6000);
  });

  it('ignores a 429 window of another deployment on the same backend', () => {
    const store = new MemoryStateStore();
    store.openWindow('ptu/gpt-35-turbo', { untilMs: NOW + 6000, reason: 'throttled' });
    expect(names(plan(store))[0]).toBe('ptu');
  });

  it('ignores windows that have expired', () => {
    const store = new MemoryStateStore();
    store.openWindow('ptu/gpt-4o', { untilMs: NOW, reason: 'throttled' });
    expect(plan(store).throttledUntilMs).toBeUndefined();
    expect(names(plan(store))[0]).toBe('ptu');
  });

  it('tries a backend benched for failures only after every open one, as a last resort', () => {
    const store = new MemoryStateStore();
    store.openWindow('ptu/*', { untilMs: NOW + 5000, reason: 'network' });
    expect(names(plan(store)).at(-1)).toBe('ptu');
  });

  it('lets a 429 window win over a failure window on the same backend', () => {
    const store = new MemoryStateStore();
    store.openWindow('ptu/*', { untilMs: NOW + 50_000, reason: 'network' });
    store.openWindow('ptu/gpt-4o', { untilMs: NOW + 2000, reason: 'throttled' });
    const result = plan(store);
    expect(names(result)).not.toContain('ptu');
    expect(result.throttledUntilMs).toBe(NOW + 2000);
  });

  it('reports the soonest of several 429 windows', () => {
    const store = new MemoryStateStore();
    for (const [name, ms] of [
      ['ptu', 9000],
      ['payg-1', 3000],
      ['payg-2', 7000],
    ] as const) {
      store.openWindow(`${name}/gpt-4o`, { untilMs: NOW + ms, reason: 'throttled' });
    }
    const result = plan(store);
    expect(result.order).toHaveLength(0);
    expect(result.throttledUntilMs).toBe(NOW + 3000);
  });

  it('rotates through every backend, ignoring priority, under round-robin', () => {
    const firsts = [0, 1, 2, 3].map((rotation) => names(plan(undefined, undefined, 'round-robin', rotation))[0]);
    expect(firsts).toEqual(['ptu', 'payg-1', 'payg-2', 'ptu']);
  });

  it('offers only backends that serve the alias', () => {
    const mapped = backend({ name: 'mapped', deployments: new Map([['chat', 'gpt-4o-prod']]) });
    const targets = targetsFor([mapped, ptu], 'chat');
    expect(targets.map((t) => [t.backend.name, t.deployment])).toEqual([
      ['mapped', 'gpt-4o-prod'],
      ['ptu', 'chat'],
    ]);
    expect(targetsFor([mapped], 'other')).toEqual([]);
  });
});

describe('weightedShuffle', () => {
  it('picks a backend first in proportion to its weight', () => {
    const heavy = backend({ name: 'heavy', weight: 3 });
    const light = backend({ name: 'light', weight: 1 });
    const targets = targetsFor([heavy, light], 'm');
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let heavyFirst = 0;
    for (let i = 0; i < 4000; i++)
      if (
        weightedShuffle(
          targets.map((t) => ({ t, weight: t.backend.weight })),
          random,
        )[0]?.t.backend.name === 'heavy'
      )
        heavyFirst++;
    expect(heavyFirst / 4000).toBeGreaterThan(0.72);
    expect(heavyFirst / 4000).toBeLessThan(0.78);
  });
});
