import { describe, expect, it } from 'vitest';
import { affinityKey, rendezvousOrder } from '../../src/core/affinity';
import { planAttempts, priorityOrder } from '../../src/core/planAttempts';
import { targetsFor } from '../../src/core/targets';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { backend, NOW, sequence } from '../support/fixtures';

const on = { enabled: true, minTokens: 1024 };
const system = { role: 'system', content: 'You are a careful assistant. '.repeat(200) };
const equal = [backend({ name: 'a', priority: 2 }), backend({ name: 'b', priority: 2 }), backend({ name: 'c', priority: 2 })];
const firstOf = (targets: ReturnType<typeof targetsFor>, key: string, random = Math.random) => priorityOrder(targets, random, undefined, key)[0]?.backend.name;

describe('affinityKey', () => {
  it('uses the caller prompt_cache_key whatever the prompt length', () => {
    expect(affinityKey({ prompt_cache_key: 'user-42', messages: [] }, 3, on)).toBe('key:user-42');
  });

  it('hashes the leading part of a prompt long enough to be cached, so later turns of one conversation share it', () => {
    const turn1 = { messages: [system, { role: 'user', content: 'first question' }] };
    const turn2 = {
      messages: [system, { role: 'user', content: 'first question' }, { role: 'assistant', content: 'answer' }, { role: 'user', content: 'second' }],
    };
    const key = affinityKey(turn1, 1500, on);
    expect(key).toMatch(/^prefix:/);
    expect(affinityKey(turn2, 1600, on)).toBe(key);
    expect(affinityKey({ messages: [{ role: 'system', content: 'Another assistant. '.repeat(300) }] }, 1500, on)).not.toBe(key);
  });

  it('gives no key to a prompt too short to be cached, or when affinity is off', () => {
    expect(affinityKey({ messages: [system] }, 1000, on)).toBeUndefined();
    expect(affinityKey({ prompt_cache_key: 'k', messages: [system] }, 1500, { ...on, enabled: false })).toBeUndefined();
  });

  it('reads the Responses shape: instructions and input items', () => {
    const body = { instructions: 'Be brief. '.repeat(500), input: [{ role: 'user', content: 'hi' }] };
    expect(affinityKey(body, 1300, on)).toBe(
      affinityKey(
        {
          ...body,
          input: [
            { role: 'user', content: 'hi' },
            { role: 'user', content: 'more' },
          ],
        },
        1400,
        on,
      ),
    );
  });
});

describe('rendezvous ordering', () => {
  it('sends one key to the same backend on every instance, whatever their random draws', () => {
    const targets = targetsFor(equal, 'gpt-4o');
    const picks = new Set([Math.random, sequence(0.1), sequence(0.9)].map((random) => firstOf(targets, 'prefix:conversation-7', random)));
    expect(picks.size).toBe(1);
  });

  it('spreads distinct keys over equal backends evenly and over weighted ones by weight', () => {
    const count = (backends: typeof equal) => {
      const seen = new Map<string, number>();
      const targets = targetsFor(backends, 'gpt-4o');
      for (let i = 0; i < 3000; i++) {
        const name = firstOf(targets, `key:${i}`) ?? '';
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
      return seen;
    };
    for (const n of count(equal).values()) {
      expect(n / 3000).toBeGreaterThan(0.29);
      expect(n / 3000).toBeLessThan(0.38);
    }
    const weighted = count([backend({ name: 'big', weight: 2 }), backend({ name: 'small', weight: 1 })]);
    expect((weighted.get('big') ?? 0) / 3000).toBeGreaterThan(0.62);
    expect((weighted.get('big') ?? 0) / 3000).toBeLessThan(0.71);
  });

  it('moves a key to its next choice when its backend is throttled, and never to a 429', () => {
    const targets = targetsFor(equal, 'gpt-4o');
    const key = 'key:abc';
    const order = rendezvousOrder(
      targets.map((t) => ({ target: t, weight: 1 })),
      key,
      (e) => e.target.backend.name,
    ).map((e) => e.target.backend.name);
    const windows = new MemoryStateStore();
    windows.openWindow(`${order[0]}/gpt-4o`, { untilMs: NOW + 5000, reason: 'throttled' });
    const plan = planAttempts({ targets, windows, nowMs: NOW, random: Math.random, strategy: 'priority', rotation: 0, affinityKey: key });
    expect(plan.order.map((t) => t.backend.name)).toEqual(order.slice(1));
  });

  it('never breaks priority: a PTU that can take the request goes first whatever the key', () => {
    const targets = targetsFor([...equal, backend({ name: 'ptu', priority: 1 })], 'gpt-4o');
    for (let i = 0; i < 50; i++) expect(firstOf(targets, `key:${i}`)).toBe('ptu');
  });
});
