import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/core/operations';
import { checkLimit, periodEndMs, windowKeys } from '../../src/core/consumerLimits';
import { findUsage } from '../../src/core/usage';
import { StreamUsageMeter, usageOfBody } from '../../src/router/usageMeter';
import { UsageLedger } from '../../src/state/UsageLedger';
import { NOW } from '../support/fixtures';

const used = (counts: Record<string, number>) => (windowKey: string) => counts[windowKey] ?? 0;

describe('checkLimit', () => {
  const keys = windowKeys(NOW + 15_000);

  it('lets a consumer without limits through', () => {
    expect(checkLimit(undefined, used({}), NOW)).toEqual({ kind: 'ok' });
  });

  it('answers rate-limited until the minute turns once the per-minute tokens are used', () => {
    const decision = checkLimit({ tokensPerMinute: 1000, quota: undefined }, used({ [keys.minute]: 1000 }), NOW + 15_000);
    expect(decision).toEqual({ kind: 'rate-limited', retryAfterMs: 45_000, limit: 1000 });
  });

  it('lets a consumer under its per-minute tokens through', () => {
    expect(checkLimit({ tokensPerMinute: 1000, quota: undefined }, used({ [keys.minute]: 999 }), NOW + 15_000).kind).toBe('ok');
  });

  it.each([
    ['day', keys.day, Date.UTC(2026, 10, 23)],
    ['month', keys.month, Date.UTC(2026, 11, 1)],
  ] as const)('answers quota-spent until the %s ends', (period, windowKey, resetsAtMs) => {
    const decision = checkLimit({ tokensPerMinute: undefined, quota: { tokens: 5000, period } }, used({ [windowKey]: 5000 }), NOW + 15_000);
    expect(decision).toEqual({ kind: 'quota-spent', resetsAtMs, period, limit: 5000 });
  });

  it('ends a month on the first of the next, across a year', () => {
    expect(periodEndMs('month', Date.UTC(2026, 11, 31, 23))).toBe(Date.UTC(2027, 0, 1));
  });
});

describe('usage extraction', () => {
  it('finds usage at the end of a chat completion', () => {
    const body = Buffer.from(
      JSON.stringify({
        choices: [{ message: { content: 'a "usage":{ trick' } }],
        usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, completion_tokens_details: { reasoning_tokens: 0 } },
      }),
    );
    expect(usageOfBody(body, OPERATIONS.chat.usage)).toEqual({ promptTokens: 12, completionTokens: 5, totalTokens: 17, reasoningTokens: 0, estimated: false });
  });

  it('returns undefined for a body without usage', () => {
    expect(findUsage('{"error":{}}', OPERATIONS.chat.usage)).toBeUndefined();
  });

  it('reads the final usage chunk of a stream when the client asked for it', () => {
    const meter = new StreamUsageMeter(OPERATIONS.chat, { messages: [{ role: 'user', content: 'x'.repeat(12) }] });
    meter.observe(Buffer.from('data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n'));
    meter.observe(Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}\n\ndata: [DONE]\n\n'));
    expect(meter.usage()).toEqual({ promptTokens: 9, completionTokens: 1, totalTokens: 10, estimated: false });
  });

  it('estimates a stream without usage from the prompt and the content deltas', () => {
    const meter = new StreamUsageMeter(OPERATIONS.chat, { messages: [{ role: 'user', content: 'x'.repeat(12) }] });
    for (let i = 0; i < 3; i++) meter.observe(Buffer.from('data: {"choices":[{"index":0,"delta":{"content":"x"}}]}\n\n'));
    expect(meter.usage()).toEqual({ promptTokens: 9, completionTokens: 3, totalTokens: 12, estimated: true });
  });
});

describe('UsageLedger', () => {
  it('adds own tokens to the minute, day and month, plus what other instances reported', () => {
    const ledger = new UsageLedger();
    const keys = windowKeys(NOW);
    ledger.add('team-a', 100, NOW);
    ledger.replaceOthers(new Map([[`${keys.minute}|team-a`, 50]]));
    expect(ledger.used('team-a', keys.minute)).toBe(150);
    expect(ledger.used('team-a', keys.day)).toBe(100);
  });

  it('forgets a minute once it has passed', () => {
    const ledger = new UsageLedger();
    ledger.add('team-a', 100, NOW);
    ledger.add('team-a', 1, NOW + 60_000);
    expect(ledger.used('team-a', windowKeys(NOW).minute)).toBe(0);
    expect(ledger.used('team-a', windowKeys(NOW).day)).toBe(101);
  });
});
