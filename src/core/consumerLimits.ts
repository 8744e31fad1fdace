/** A consumer's token budget: per minute (429 when spent), and optionally per day or month (403). */
export interface ConsumerLimit {
  readonly tokensPerMinute: number | undefined;
  readonly quota: { readonly tokens: number; readonly period: 'day' | 'month' } | undefined;
}

export type LimitDecision =
  | { readonly kind: 'ok' }
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number; readonly limit: number }
  | { readonly kind: 'quota-spent'; readonly resetsAtMs: number; readonly period: 'day' | 'month'; readonly limit: number };

/** Names the counting window a moment falls in (UTC), e.g. m29384712 (minute), d20261122, M202611. */
export function windowKeys(nowMs: number): { minute: string; day: string; month: string } {
  const d = new Date(nowMs);
  const day = d.toISOString().slice(0, 10).replaceAll('-', '');
  return { minute: `m${Math.floor(nowMs / 60_000)}`, day: `d${day}`, month: `M${day.slice(0, 6)}` };
}

export function periodEndMs(period: 'minute' | 'day' | 'month', nowMs: number): number {
  if (period === 'minute') return (Math.floor(nowMs / 60_000) + 1) * 60_000;
  const d = new Date(nowMs);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Checks a consumer against its limits with the tokens already counted (across instances)
 * in the current windows. Checked before a request; counted after it, so a burst of
 * concurrent requests can overshoot by what they use, as APIM's token limit does.
 */
export function checkLimit(limit: ConsumerLimit | undefined, used: (windowKey: string) => number, nowMs: number): LimitDecision {
  if (limit === undefined) return { kind: 'ok' };
  const keys = windowKeys(nowMs);
  if (limit.quota !== undefined && used(limit.quota.period === 'day' ? keys.day : keys.month) >= limit.quota.tokens) {
    return { kind: 'quota-spent', resetsAtMs: periodEndMs(limit.quota.period, nowMs), period: limit.quota.period, limit: limit.quota.tokens };
  }
  if (limit.tokensPerMinute !== undefined && used(keys.minute) >= limit.tokensPerMinute) {
    return { kind: 'rate-limited', retryAfterMs: periodEndMs('minute', nowMs) - nowMs, limit: limit.tokensPerMinute };
  }
  return { kind: 'ok' };
}
