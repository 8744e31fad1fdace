import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../src/core/backend';
import { telemetryOver } from '../../src/telemetry/createTelemetry';
import { INFRA, parseBicep, REPO, syntaxProblems } from './support/bicep';

interface Item {
  type: number;
  name: string;
  content: { query?: string; resourceType?: string; title?: string };
}
const workbook = JSON.parse(readFileSync(join(INFRA, 'workbook.json'), 'utf8')) as { version: string; items: Item[] };
const queries = workbook.items.flatMap((item) => (item.content.query === undefined ? [] : [item.content.query]));

/** The names a query filters on: `name == 'X'` and `name in ('X', 'Y')`. */
function namesIn(query: string): string[] {
  const names: string[] = [];
  for (const m of query.matchAll(/\bname\s*==\s*'([^']+)'/g)) names.push(m[1] as string);
  for (const m of query.matchAll(/\bname\s+in\s*\(([^)]*)\)/g)) for (const q of (m[1] as string).matchAll(/'([^']+)'/g)) names.push(q[1] as string);
  return names;
}
const tableOf = (query: string) => query.trimStart().split(/\s|\|/)[0];

/** Every metric and event name the telemetry sends, found by driving each of its events through a recording client. */
function emittedNames(): { metrics: Set<string>; events: Set<string> } {
  const metrics = new Set<string>();
  const events = new Set<string>();
  const telemetry = telemetryOver(
    { trackMetric: (m) => metrics.add(m.name), trackEvent: (e) => events.add(e.name), flush: () => undefined },
    () => undefined,
  );
  const backend: Backend = { name: 'ptu', priority: 1, endpoint: 'https://ptu.example' } as unknown as Backend;
  const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedTokens: 4, reasoningTokens: 2, estimated: false };
  telemetry.completed?.({ consumer: 'c', alias: 'gpt', backend, deployment: 'gpt', status: 200, attempts: 1, backendLatencyMs: 30, stream: false, usage, spilledOver: false, utilizationPercent: 50 });
  telemetry.failover?.('ptu', 'throttled');
  telemetry.allThrottled?.('gpt', 'c', 1000);
  telemetry.benched?.('ptu', 'gpt', 'throttled', 1000);
  telemetry.benched?.('ptu', 'gpt', 'circuit-open', 1000);
  return { metrics, events };
}

describe('the App Insights workbook (infra/workbook.json, deployed by infra/modules/workbook.bicep)', () => {
  it('is a workbook whose queries cover tokens, latency, failovers, windows, circuits and all-backends-throttled', () => {
    expect(workbook.version).toBe('Notebook/1.0');
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const named = new Set(queries.flatMap(namesIn));
    for (const name of ['Prompt Tokens', 'Completion Tokens', 'Total Tokens', 'Backend Latency', 'Failover', 'WindowOpened', 'CircuitOpened', 'AllBackendsThrottled'])
      expect(named, name).toContain(name);
    for (const item of workbook.items.filter((i) => i.type === 3)) expect(item.content.resourceType).toBe('microsoft.insights/components');
  });

  it('asks customMetrics only for metric names and customEvents only for event names the telemetry sends', () => {
    const { metrics, events } = emittedNames();
    for (const query of queries) {
      const table = tableOf(query);
      expect(['customMetrics', 'customEvents']).toContain(table);
      const known = table === 'customMetrics' ? metrics : events;
      for (const name of namesIn(query)) expect([...known], `${table} ${name}`).toContain(name);
    }
  });

  it('uses only names the telemetry end-to-end test asserts', () => {
    const asserted = readFileSync(join(REPO, 'test', 'e2e', 'telemetry.e2e.test.ts'), 'utf8');
    for (const name of new Set(queries.flatMap(namesIn))) expect(asserted, name).toContain(`'${name}'`);
  });

  it('is loaded from the template and listed under the App Insights resource main.bicep deploys', () => {
    const module = readFileSync(join(INFRA, 'modules', 'workbook.bicep'), 'utf8');
    expect(syntaxProblems(parseBicep(join(INFRA, 'modules', 'workbook.bicep')).rootNode)).toEqual([]);
    expect(module).toContain("serializedData: loadTextContent('../workbook.json')");
    expect(module).toMatch(/sourceId: appInsightsId/);
    expect(readFileSync(join(INFRA, 'main.bicep'), 'utf8')).toContain('appInsightsId: monitoring.outputs.appInsightsId');
    expect(readFileSync(join(INFRA, 'modules', 'monitoring.bicep'), 'utf8')).toContain('output appInsightsId string = appInsights.id');
  });
});
