import { describe, expect, it } from 'vitest';
import { isActive, mergeWindow } from '../../src/core/windows';
import { NOW } from '../support/fixtures';

describe('mergeWindow', () => {
  it('keeps the later expiry when the incoming window ends later', () => {
    const merged = mergeWindow({ untilMs: NOW + 1000, reason: 'throttled' }, { untilMs: NOW + 5000, reason: 'server-error' });
    expect(merged).toEqual({ untilMs: NOW + 5000, reason: 'server-error' });
  });

  it('keeps the existing window when the incoming one ends sooner', () => {
    const merged = mergeWindow({ untilMs: NOW + 5000, reason: 'throttled' }, { untilMs: NOW + 1000, reason: 'timeout' });
    expect(merged).toEqual({ untilMs: NOW + 5000, reason: 'throttled' });
  });

  it('keeps the existing window on a tie', () => {
    const existing = { untilMs: NOW + 5000, reason: 'throttled' } as const;
    expect(mergeWindow(existing, { untilMs: NOW + 5000, reason: 'network' })).toBe(existing);
  });

  it('takes the incoming window when there is none', () => {
    expect(mergeWindow(undefined, { untilMs: NOW, reason: 'network' })).toEqual({ untilMs: NOW, reason: 'network' });
  });
});

describe('isActive', () => {
  it.each([
    [NOW + 1, true],
    [NOW, false],
    [NOW - 1, false],
  ])('a window until %d is active: %s', (untilMs, expected) => {
    expect(isActive({ untilMs, reason: 'throttled' }, NOW)).toBe(expected);
  });
});
