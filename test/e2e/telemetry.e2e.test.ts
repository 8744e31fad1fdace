import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { Envelope, IngestionEndpoint, startIngestionEndpoint } from '../support/ingestionEndpoint';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';
import { createTestCertificate, hasOpenssl, TestCertificate } from '../support/selfSignedCert';

/**
 * Application Insights through the real applicationinsights 3.x exporter, against a local
 * HTTPS ingestion endpoint. The router runs as a child process (NODE_EXTRA_CA_CERTS is read at
 * start) and is stopped with SIGTERM, so what arrives is what the shutdown flush sends: the
 * metric reader's 60 s interval never elapses here.
 *
 * Each scenario uses its own deployment alias because the exporter aggregates a metric per
 * set of dimensions: one MetricData per series, `value` the sum and `count` the samples.
 */
const KEY = 'telemetry-consumer-key-0001';
const PROMPT = { role: 'user', content: 'How many tokens is this?' };

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}
interface Frame {
  usage?: Usage;
  choices?: { delta?: { content?: string } }[];
}
interface Answer {
  status: number;
  backend: string | null;
  usage: Usage | undefined;
  contentDeltas: number;
}

let certificate: TestCertificate;
let ingestion: IngestionEndpoint;
let ptu: SimulatedBackend;
let payg: SimulatedBackend;
let router: RouterProcess;
const answers = new Map<string, Answer>();
let stopMs = 0;

async function ask(alias: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(`${router.url}/api/openai/deployments/${alias}/chat/completions?api-version=2024-10-21`, {
    method: 'POST',
    headers: { 'api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [PROMPT], ...extra }),
  });
  const text = await res.text();
  const frames = text
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)) as Frame);
  const usage = extra.stream === true ? frames.find((f) => f.usage)?.usage : res.ok ? (JSON.parse(text) as Frame).usage : undefined;
  const contentDeltas = frames.filter((f) => (f.choices?.[0]?.delta?.content ?? '') !== '').length;
  return { status: res.status, backend: res.headers.get('x-router-backend'), usage, contentDeltas };
}

const metric = (name: string, alias: string): { value: number; count: number; properties: Record<string, string> } => {
  const found = ingestion.envelopes.find((e) => e.data.baseType === 'MetricData' && metricOf(e).name === name && propertiesOf(e).Deployment === alias);
  if (found === undefined) throw new Error(`no "${name}" for ${alias} among ${ingestion.envelopes.length} envelopes`);
  return { ...metricOf(found), properties: propertiesOf(found) };
};
const metricOf = (e: Envelope) => (e.data.baseData.metrics as { name: string; value: number; count: number }[])[0] ?? { name: '', value: 0, count: 0 };
const propertiesOf = (e: Envelope) => (e.data.baseData.properties ?? {}) as Record<string, string>;
const events = (name: string) =>
  ingestion.envelopes
    .filter((e) => e.data.baseType === 'EventData' && e.data.baseData.name === name)
    .map((e) => ({ properties: propertiesOf(e), measurements: (e.data.baseData.measurements ?? {}) as Record<string, number> }));

describe.skipIf(!hasOpenssl())('telemetry sent by the real Application Insights exporter', () => {
  beforeAll(async () => {
    certificate = createTestCertificate();
    ingestion = await startIngestionEndpoint(certificate);
    ptu = await startSimulatedBackend({ name: 'ptu', apiKey: 'ptu-key-0000000000' });
    payg = await startSimulatedBackend({ name: 'payg', apiKey: 'payg-key-000000000' });
    router = await startRouterProcess({
      ROUTER_API_KEYS: `team-a:${KEY}`,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingestion.url}`,
      NODE_EXTRA_CA_CERTS: certificate.caFile,
      ROUTER_CIRCUIT_FAILURES: '1',
      BACKEND_1_URL: ptu.url,
      BACKEND_1_NAME: 'ptu',
      BACKEND_1_PRIORITY: '1',
      BACKEND_1_APIKEY: 'ptu-key-0000000000',
      BACKEND_2_URL: payg.url,
      BACKEND_2_NAME: 'payg',
      BACKEND_2_PRIORITY: '2',
      BACKEND_2_APIKEY: 'payg-key-000000000',
    });
    answers.set('plain', await ask('plain'));
    answers.set('streamed', await ask('streamed', { stream: true, stream_options: { include_usage: true } }));
    answers.set('estimated', await ask('estimated', { stream: true }));
    ptu.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '30' } }, 1);
    answers.set('spill', await ask('spill'));
    payg.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '20' } }, 1);
    answers.set('exhausted', await ask('spill'));
    ptu.setFault({ kind: 'status', status: 500 }, 1);
    answers.set('broken', await ask('broken'));
    const stopping = Date.now();
    await router.stop(); // SIGTERM: the local host runs appTerminate → runtime.shutdown() → flush
    stopMs = Date.now() - stopping;
  }, 30_000);

  afterAll(async () => {
    await router?.stop();
    await Promise.all([ptu?.close(), payg?.close(), ingestion?.close()]);
    certificate?.remove();
  });

  it('delivers everything in the shutdown flush on SIGTERM, well before the stop would turn into a kill', () => {
    expect(ingestion.requests.length).toBeGreaterThan(0);
    expect(ingestion.requests.every((r) => r.startsWith('POST /v2.1/track'))).toBe(true);
    expect(ingestion.envelopes.every((e) => e.iKey === '00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(stopMs).toBeLessThan(4000); // routerProcess.stop sends SIGKILL after 5 s
    expect(router.output()).not.toMatch(/telemetry call failed|Application Insights disabled/);
  });

  it('reports the usage a non-streamed answer returned, with its backend, deployment, consumer and priority', () => {
    const { usage, backend } = answers.get('plain') ?? {};
    expect(backend).toBe('ptu');
    expect(metric('Prompt Tokens', 'plain')).toMatchObject({
      value: usage?.prompt_tokens,
      count: 1,
      properties: { Backend: 'ptu', Deployment: 'plain', Consumer: 'team-a', Priority: '1', Estimated: 'false' },
    });
    expect(metric('Completion Tokens', 'plain').value).toBe(usage?.completion_tokens);
    expect(metric('Total Tokens', 'plain').value).toBe(usage?.total_tokens);
  });

  it('reports the usage frame of a stream that asked for include_usage as measured', () => {
    const { usage } = answers.get('streamed') ?? {};
    expect(usage?.total_tokens).toBeGreaterThan(0);
    expect(metric('Prompt Tokens', 'streamed')).toMatchObject({ value: usage?.prompt_tokens, properties: { Estimated: 'false' } });
    expect(metric('Completion Tokens', 'streamed').value).toBe(usage?.completion_tokens);
    expect(metric('Total Tokens', 'streamed').value).toBe(usage?.total_tokens);
  });

  it('measures a stream without include_usage exactly (the router asks for it) and hands the caller no usage frame', () => {
    const { usage, contentDeltas } = answers.get('estimated') ?? {};
    expect(usage).toBeUndefined();
    const completion = metric('Completion Tokens', 'estimated');
    expect(completion).toMatchObject({ value: contentDeltas, properties: { Backend: 'ptu', Estimated: 'false' } });
    const prompt = metric('Prompt Tokens', 'estimated').value;
    expect(prompt).toBeGreaterThan(0);
    expect(metric('Total Tokens', 'estimated').value).toBe(prompt + completion.value);
  });

  it('attributes a spilled request to the PAYG backend at priority 2', () => {
    expect(answers.get('spill')).toMatchObject({ status: 200, backend: 'payg' });
    expect(metric('Total Tokens', 'spill')).toMatchObject({ count: 1, properties: { Backend: 'payg', Priority: '2', Estimated: 'false' } });
  });

  it('records backend latency per backend and deployment for every answered request', () => {
    const latency = metric('Backend Latency', 'plain');
    expect(latency.properties).toEqual({ Backend: 'ptu', Deployment: 'plain' });
    expect(latency.count).toBe(1);
    expect(latency.value).toBeGreaterThanOrEqual(0);
    expect(metric('Backend Latency', 'spill').properties.Backend).toBe('payg');
  });

  it('sends WindowOpened for every 429, with the window the backend asked for', () => {
    expect(events('WindowOpened').filter((e) => e.properties.Reason === 'throttled')).toEqual([
      { properties: { Backend: 'ptu', Deployment: 'spill', Reason: 'throttled' }, measurements: { DurationMs: 30_000 } },
      { properties: { Backend: 'payg', Deployment: 'spill', Reason: 'throttled' }, measurements: { DurationMs: 20_000 } },
    ]);
  });

  it('sends Failover only when a request moved on to another backend, not when its last attempt failed', () => {
    expect(events('Failover')).toEqual([
      { properties: { Backend: 'ptu', Reason: 'throttled' }, measurements: {} },
      { properties: { Backend: 'ptu', Reason: 'server-error' }, measurements: {} },
    ]);
  });

  it('sends AllBackendsThrottled when every backend for the alias was throttled', () => {
    expect(answers.get('exhausted')?.status).toBe(429);
    const [event, ...more] = events('AllBackendsThrottled');
    expect(more).toHaveLength(0);
    expect(event?.properties).toEqual({ Deployment: 'spill', Consumer: 'team-a' });
    expect(event?.measurements.RetryAfterMs).toBeGreaterThan(15_000);
  });

  it('sends CircuitOpened when a server error trips the deployment circuit', () => {
    expect(answers.get('broken')).toMatchObject({ status: 200, backend: 'payg' });
    expect(events('CircuitOpened')).toEqual([
      { properties: { Backend: 'ptu', Deployment: 'broken', Reason: 'circuit-open' }, measurements: { DurationMs: 30_000 } },
    ]);
  });
});
