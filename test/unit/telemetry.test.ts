import { describe, expect, it } from 'vitest';
import { telemetryOver } from '../../src/telemetry/createTelemetry';
import { backend } from '../support/fixtures';

function fakeClient() {
  const metrics: { name: string; value: number; properties?: Record<string, string> }[] = [];
  const events: { name: string; properties?: Record<string, string>; measurements?: Record<string, number> }[] = [];
  return {
    metrics,
    events,
    client: { trackMetric: (m: (typeof metrics)[0]) => metrics.push(m), trackEvent: (e: (typeof events)[0]) => events.push(e), flush: () => undefined },
  };
}

describe('telemetryOver', () => {
  it('records token metrics named like APIM with Backend, Deployment, Consumer and Priority dimensions', () => {
    const fake = fakeClient();
    telemetryOver(fake.client, () => undefined).completed?.({
      consumer: 'team-a',
      alias: 'gpt-4o',
      backend: backend({ name: 'ptu', priority: 1 }),
      deployment: 'gpt-4o-ptu',
      status: 200,
      attempts: 1,
      backendLatencyMs: 42,
      stream: false,
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, estimated: false },
      spilledOver: false,
      utilizationPercent: undefined,
    });
    const dims = { Backend: 'ptu', Deployment: 'gpt-4o', Consumer: 'team-a', Priority: '1', Spillover: 'false', Estimated: 'false' };
    expect(fake.metrics).toEqual([
      { name: 'Backend Latency', value: 42, properties: { Backend: 'ptu', Deployment: 'gpt-4o' } },
      { name: 'Prompt Tokens', value: 10, properties: dims },
      { name: 'Completion Tokens', value: 5, properties: dims },
      { name: 'Total Tokens', value: 15, properties: dims },
    ]);
  });

  it('marks spilled answers, and records cached and reasoning tokens and PTU utilization when reported', () => {
    const fake = fakeClient();
    telemetryOver(fake.client, () => undefined).completed?.({
      consumer: 'team-a',
      alias: 'gpt-4o',
      backend: backend({ name: 'ptu', priority: 1 }),
      deployment: 'gpt-4o-ptu',
      status: 200,
      attempts: 1,
      backendLatencyMs: 42,
      stream: false,
      usage: { promptTokens: 2000, completionTokens: 50, totalTokens: 2050, cachedTokens: 1920, reasoningTokens: 30, estimated: false },
      spilledOver: true,
      utilizationPercent: 87,
    });
    expect(fake.metrics.find((m) => m.name === 'Cached Tokens')).toMatchObject({ value: 1920, properties: { Spillover: 'true' } });
    expect(fake.metrics.find((m) => m.name === 'Reasoning Tokens')?.value).toBe(30);
    expect(fake.metrics.find((m) => m.name === 'Deployment Utilization')?.value).toBe(87);
  });

  it('records failover, window, circuit and all-throttled events', () => {
    const fake = fakeClient();
    const telemetry = telemetryOver(fake.client, () => undefined);
    telemetry.failover?.('ptu', 'throttled');
    telemetry.benched?.('ptu', 'gpt-4o', 'throttled', 6000);
    telemetry.benched?.('ptu', '*', 'circuit-open', 30_000);
    telemetry.allThrottled?.('gpt-4o', 'team-a', 2100);
    expect(fake.events.map((e) => e.name)).toEqual(['Failover', 'WindowOpened', 'CircuitOpened', 'AllBackendsThrottled']);
    expect(fake.events[3]).toMatchObject({ properties: { Deployment: 'gpt-4o', Consumer: 'team-a' }, measurements: { RetryAfterMs: 2100 } });
  });

  it('records cache outcomes as ResponseCache events, and the tokens a hit saved as a metric', () => {
    const fake = fakeClient();
    const telemetry = telemetryOver(fake.client, () => undefined);
    telemetry.cacheOutcome({ consumer: 'team-a', alias: 'gpt-4o', status: 'hit', match: 'semantic', tokensSaved: 120 });
    telemetry.cacheOutcome({ consumer: 'team-a', alias: 'gpt-4o', status: 'miss', tokensSaved: 0 });
    expect(fake.events.map((e) => [e.name, e.properties?.Status, e.properties?.Match, e.measurements?.TokensSaved])).toEqual([
      ['ResponseCache', 'hit', 'semantic', 120],
      ['ResponseCache', 'miss', undefined, 0],
    ]);
    expect(fake.metrics).toEqual([{ name: 'Cache Tokens Saved', value: 120, properties: { Consumer: 'team-a', Deployment: 'gpt-4o' } }]);
  });

  it('never lets a failing telemetry client reach the request, and says so once', () => {
    const lines: string[] = [];
    const broken = {
      trackMetric: () => {
        throw new Error('exporter down');
      },
      trackEvent: () => {
        throw new Error('exporter down');
      },
      flush: () => undefined,
    };
    const telemetry = telemetryOver(broken, (l) => lines.push(l));
    expect(() => {
      telemetry.failover?.('ptu', 'network');
      telemetry.failover?.('ptu', 'network');
    }).not.toThrow();
    expect(lines).toHaveLength(1);
  });
});
