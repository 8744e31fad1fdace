import { describe, expect, it } from 'vitest';
import { CompletedRequest } from '../../src/router/RouterEvents';
import { latencyBin, RequestHistory } from '../../src/status/history';
import { mergeSnapshots, quantile } from '../../src/status/historyMerge';
import { BUCKET_MS, HISTORY_BUCKETS, MAX_CONSUMERS, MAX_INTERVALS, OTHER_CONSUMER, parseSpan } from '../../src/status/historyTypes';
import { historyView } from '../../src/status/historyView';
import { NOW } from '../support/fixtures';

const HOUR = HISTORY_BUCKETS * BUCKET_MS;

function clock(startMs = NOW) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function answer(backend: string, overrides: Partial<CompletedRequest> = {}): CompletedRequest {
  return {
    consumer: 'team-a',
    alias: 'gpt-4o',
    backend: { name: backend, priority: 1, weight: 1, type: undefined, origin: 'http://127.0.0.1:1', basePath: '' },
    deployment: 'gpt-4o',
    status: 200,
    attempts: 1,
    backendLatencyMs: 120,
    stream: false,
    usage: { promptTokens: 80, completionTokens: 20, totalTokens: 100, cachedTokens: 40, estimated: false },
    spilledOver: false,
    utilizationPercent: undefined,
    ...overrides,
  };
}

const total = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

describe('RequestHistory', () => {
  it('counts each backend by outcome, with tokens, spilled and cached shares, in the bucket of the moment', () => {
    const c = clock();
    const h = new RequestHistory(c.now);
    h.events.completed?.(answer('ptu'));
    h.events.failover?.('ptu', 'throttled');
    h.events.failover?.('ptu', 'timeout');
    h.events.completed?.(answer('payg', { attempts: 2, spilledOver: true }));
    c.advance(BUCKET_MS);
    h.events.allThrottled?.('gpt-4o', 'team-a', 5000);
    const view = historyView(h.snapshot(2 * BUCKET_MS), 1, () => null);
    const ptu = view.backends.find((b) => b.name === 'ptu');
    const payg = view.backends.find((b) => b.name === 'payg');
    expect(ptu).toMatchObject({ served: [1, 0], throttled: [1, 0], failed: [1, 0], failedOver: [0, 0], tokens: [100, 0], cachedShare: 0.5 });
    expect(payg).toMatchObject({ served: [1, 0], failedOver: [1, 0], spilledOver: [1, 0], spilledShare: 1 });
    expect(view.allThrottled).toEqual([0, 1]);
    expect(view.consumers).toEqual([{ name: 'team-a', tokens: [200, 0], tokensPerMinuteLimit: null }]);
  });

  it('lets buckets older than an hour fall off while the ring is reused', () => {
    const c = clock();
    const h = new RequestHistory(c.now);
    h.completed(answer('ptu'));
    c.advance(HOUR - BUCKET_MS);
    h.completed(answer('ptu'));
    expect(total(h.snapshot().backends.ptu?.served ?? [])).toBe(2);
    c.advance(BUCKET_MS); // the first bucket's slot now holds the current bucket
    h.completed(answer('ptu'));
    const served = h.snapshot().backends.ptu?.served ?? [];
    expect(total(served)).toBe(2);
    expect(served[0]).toBe(0);
  });

  it('keeps at most MAX_CONSUMERS consumers by name per bucket and sums the rest as one', () => {
    const h = new RequestHistory(clock().now);
    for (let i = 0; i < MAX_CONSUMERS + 30; i++) h.completed(answer('ptu', { consumer: `c${i}` }));
    const consumers = h.snapshot().consumers;
    expect(Object.keys(consumers)).toHaveLength(MAX_CONSUMERS + 1);
    expect(consumers[OTHER_CONSUMER]).toEqual([...Array<number>(HISTORY_BUCKETS - 1).fill(0), 30 * 100]);
  });

  it('keeps windows and circuits as intervals, joins an overlapping one and holds at most MAX_INTERVALS', () => {
    const c = clock();
    const h = new RequestHistory(c.now);
    h.benched('ptu', 'gpt-4o', 'throttled', 30_000);
    c.advance(10_000);
    h.benched('ptu', 'gpt-4o', 'throttled', 30_000); // still benched: the same interval, longer
    h.benched('ptu', '*', 'circuit-open', 30_000);
    expect(h.snapshot().intervals).toEqual([
      { backend: 'ptu', deployment: 'gpt-4o', reason: 'throttled', fromMs: NOW, untilMs: NOW + 40_000 },
      { backend: 'ptu', deployment: '*', reason: 'circuit-open', fromMs: NOW + 10_000, untilMs: NOW + 40_000 },
    ]);
    for (let i = 0; i < MAX_INTERVALS + 50; i++) h.benched('ptu', `made-up-${i}`, 'throttled', 1000);
    expect(h.snapshot().intervals).toHaveLength(MAX_INTERVALS);
    c.advance(HOUR + 60_000);
    expect(h.snapshot().intervals).toEqual([]); // ended before the hour began
  });

  it('stays within a fixed size after a day of traffic through made-up names', () => {
    const c = clock();
    const h = new RequestHistory(c.now);
    for (let i = 0; i < 24 * HISTORY_BUCKETS; i++) {
      h.completed(answer(`b${i % 200}`, { consumer: `c${i}` }));
      c.advance(BUCKET_MS / 6);
    }
    const json = JSON.stringify(h.snapshot());
    expect(Object.keys(h.snapshot().backends).length).toBeLessThanOrEqual(200);
    expect(json.length).toBeLessThan(2_000_000);
  });
});

describe('mergeSnapshots', () => {
  it('sums two instances bucket by bucket, aligned on the epoch, and merges their latency histograms', () => {
    const a = clock();
    const b = clock(NOW + 3 * BUCKET_MS);
    const first = new RequestHistory(a.now);
    const second = new RequestHistory(b.now);
    for (let i = 0; i < 9; i++) first.completed(answer('ptu', { backendLatencyMs: 40 }));
    second.completed(answer('ptu', { backendLatencyMs: 4000 }));
    second.completed(answer('payg'));
    a.advance(3 * BUCKET_MS);
    first.completed(answer('ptu', { backendLatencyMs: 40 }));
    const last = Math.floor(b.now() / BUCKET_MS);
    const merged = mergeSnapshots([first.snapshot(), second.snapshot()], last, 4);
    expect(merged.backends.ptu?.served).toEqual([9, 0, 0, 2]);
    expect(merged.backends.payg?.served).toEqual([0, 0, 0, 1]);
    expect(merged.consumers['team-a']).toEqual([900, 0, 0, 300]);
    const lastBins = merged.backends.ptu?.latency[3];
    expect(quantile(lastBins, 0.5)).toBeLessThan(75);
    expect(quantile(lastBins, 0.95)).toBeGreaterThan(3000);
  });

  it('drops buckets outside the range asked for and joins the same window seen by two instances', () => {
    const c = clock();
    const one = new RequestHistory(c.now);
    const two = new RequestHistory(c.now);
    one.completed(answer('ptu'));
    one.benched('ptu', 'gpt-4o', 'throttled', 20_000);
    c.advance(5_000);
    two.benched('ptu', 'gpt-4o', 'throttled', 20_000);
    c.advance(2 * BUCKET_MS);
    const last = Math.floor(c.now() / BUCKET_MS);
    const merged = mergeSnapshots([one.snapshot(), two.snapshot()], last, 2);
    expect(merged.backends.ptu?.served ?? []).toEqual([]);
    expect(merged.intervals).toEqual([{ backend: 'ptu', deployment: 'gpt-4o', reason: 'throttled', fromMs: NOW, untilMs: NOW + 25_000 }]);
  });
});

describe('quantile', () => {
  it.each([
    [[10], 0.5, 5],
    [[0, 0, 0, 0, 0, 10], 0.5, 88], // 75–100 ms bin, interpolated
    [0, 0.5, null],
  ] as const)('of bins %j at %d is %j ms', (bins, q, expected) => {
    expect(quantile(bins as number[] | 0, q)).toBe(expected);
  });

  it('puts a sample in the bin whose upper edge is above it', () => {
    expect([5, 10, 120, 999_999].map(latencyBin)).toEqual([0, 1, 6, 22]);
  });
});

describe('parseSpan', () => {
  it.each([
    ['15m', 15 * 60_000],
    ['1h', HOUR],
    ['90s', 90_000],
    ['3h', HOUR],
    ['0m', undefined],
    ['1d', undefined],
    ['', undefined],
  ])('reads %j as %j ms', (text, ms) => {
    expect(parseSpan(text)).toBe(ms);
  });
});
