import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs, throttleBenchMs } from '../../src/core/retryAfter';
import { NOW } from '../support/fixtures';

const lookup = (headers: Record<string, string>) => (name: string) => headers[name];

describe('parseRetryAfterMs', () => {
  it.each([
    ['retry-after-ms in milliseconds', { 'retry-after-ms': '1500' }, 1500],
    ['a decimal retry-after-ms, rounded up', { 'retry-after-ms': '12.2' }, 13],
    ['x-ms-retry-after-ms when retry-after-ms is absent', { 'x-ms-retry-after-ms': '800' }, 800],
    ['retry-after as whole seconds', { 'retry-after': '6' }, 6000],
    ['retry-after as decimal seconds', { 'retry-after': '0.25' }, 250],
    ['retry-after as an HTTP date', { 'retry-after': new Date(NOW + 30_000).toUTCString() }, 30_000],
    ['an HTTP date in the past as zero', { 'retry-after': new Date(NOW - 30_000).toUTCString() }, 0],
    ['x-ratelimit-reset-requests in OpenAI duration form', { 'x-ratelimit-reset-requests': '1m30s' }, 90_000],
    ['the later of the two reset headers', { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '6s' }, 6000],
    ['the most precise source first', { 'retry-after-ms': '1234', 'retry-after': '9' }, 1234],
    ['the next source when the first is garbage', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3000],
    ['huge values unclamped (the cap is policy)', { 'retry-after': '86400' }, 86_400_000],
  ])('reads %s', (_label, headers, expected) => {
    expect(parseRetryAfterMs(lookup(headers), NOW)).toBe(expected);
  });

  it.each([
    ['no header at all', {}],
    ['a negative number', { 'retry-after': '-5' }],
    ['garbage everywhere', { 'retry-after-ms': 'x', 'retry-after': 'tomorrow', 'x-ratelimit-reset-tokens': '5 parsecs' }],
    ['an empty value', { 'retry-after': '' }],
  ])('returns undefined for %s', (_label, headers) => {
    expect(parseRetryAfterMs(lookup(headers), NOW)).toBeUndefined();
  });
});

describe('throttleBenchMs', () => {
  const bounds = { defaultMs: 10_000, floorMs: 1_000, preciseFloorMs: 100, capMs: 120_000 };

  it.each([
    ['uses what the backend asked', 6_000, 6_000],
    ['uses the default when the backend said nothing', undefined, 10_000],
    ['lifts a zero to the floor so nothing loops tightly', 0, 1_000],
    ['caps a day-long daily-quota answer', 86_400_000, 120_000],
  ])('%s', (_label, asked, expected) => {
    expect(throttleBenchMs(asked, bounds)).toBe(expected);
  });

  it.each([
    ['honours a short millisecond answer down to the lower floor', { ms: 19, precise: true }, 100],
    ['keeps the one-second floor for whole-second answers', { ms: 0, precise: false }, 1_000],
    ['uses a millisecond answer above the floor as it is', { ms: 450, precise: true }, 450],
  ])('%s', (_label, asked, expected) => {
    expect(throttleBenchMs(asked, bounds)).toBe(expected);
  });
});
