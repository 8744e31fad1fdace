import { describe, expect, it } from 'vitest';
import { isActive, mergeWindow, pulledWindow, windowCaps } from '../../src/core/windows';
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

describe('pulledWindow', () => {
  const caps = windowCaps({ capMs: 120_000, failureMs: 10_000, authFailureMs: 300_000 }, { tripMs: 30_000 });
  const throttled = (untilMs: number) => ({ untilMs, reason: 'throttled' as const });

  it.each([
    ['keeps a window from a clock that agrees', { window: throttled(NOW + 5000), writtenAtMs: NOW - 100 }, undefined, NOW + 5000],
    [
      'ends a window from a clock 90 s ahead the written duration from now',
      { window: throttled(NOW + 90_100), writtenAtMs: NOW + 90_000 },
      undefined,
      NOW + 100,
    ],
    [
      'keeps a window from a clock 30 s behind at least the duration from the last listing',
      { window: throttled(NOW - 20_000), writtenAtMs: NOW - 30_000 },
      NOW - 500,
      NOW - 500 + 10_000,
    ],
    [
      'lets a window from a clock behind, first seen without a listing before, end as written',
      { window: throttled(NOW - 20_000), writtenAtMs: NOW - 30_000 },
      undefined,
      NOW - 20_000,
    ],
    ['caps a written duration longer than the reason allows', { window: throttled(NOW + 86_400_000), writtenAtMs: NOW }, undefined, NOW + 120_000],
    ['caps a window without a write time (an older version wrote it) at the cap from now', { window: throttled(NOW + 86_400_000) }, undefined, NOW + 120_000],
    ['caps each reason by its own bench', { window: { untilMs: NOW + 86_400_000, reason: 'network' as const } }, undefined, NOW + 10_000],
  ])('%s', (_label, written, writtenAfterMs, untilMs) => {
    expect(pulledWindow(written, NOW, caps, writtenAfterMs).untilMs).toBe(untilMs);
  });

  it('hands back the very window when nothing needs clamping', () => {
    const window = throttled(NOW + 5000);
    expect(pulledWindow({ window, writtenAtMs: NOW }, NOW, caps)).toBe(window);
  });
});
