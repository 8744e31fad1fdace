import { describe, expect, it } from 'vitest';
import { probeBackends } from '../src/probe/probeBackends';
import { StaticKeyCredentialSource } from '../src/credentials/StaticKeyCredentialSource';
import { MemoryStateStore } from '../src/state/MemoryStateStore';
import { FakeBackendClient, reply, transportFailure } from './support/FakeBackendClient';
import { backend, routerConfig } from './support/fixtures';

const ptu = backend({ name: 'ptu', priority: 1, deployments: new Map([['gpt-4o', 'gpt-4o-ptu']]) });
const payg = backend({ name: 'payg', priority: 2 });

function setup(script: ConstructorParameters<typeof FakeBackendClient>[0], probeDeployment?: string) {
  const config = routerConfig([ptu, payg], { probe: { schedule: '0 */1 * * * *', deployment: probeDeployment, timeoutMs: 2000, apiVersion: '2024-10-21' } });
  // Probes run concurrently, so each backend takes real (short) time on the real clock.
  const client = new FakeBackendClient(async (req) => {
    await new Promise((r) => setTimeout(r, req.origin.includes('ptu') ? 40 : 90));
    return script(req, req.origin);
  });
  const state = new MemoryStateStore();
  const failed: string[] = [];
  const run = () =>
    probeBackends({
      config,
      client,
      credentials: new StaticKeyCredentialSource(config.backends),
      state,
      now: Date.now,
      probeFailed: (b) => failed.push(b.name),
    });
  return { run, client, state, failed };
}

describe('probeBackends', () => {
  it('lists models on every backend and records each latency', async () => {
    const { run, client, state } = setup(() => reply(200, { data: [] }));
    const results = await run();
    expect(results.map((r) => [r.backend, r.outcome])).toEqual([
      ['ptu', 'ok'],
      ['payg', 'ok'],
    ]);
    expect(results[0]?.latencyMs).toBeGreaterThanOrEqual(39);
    expect(results[1]?.latencyMs).toBeGreaterThanOrEqual(89);
    expect(client.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /openai/models?api-version=2024-10-21',
      'GET /openai/models?api-version=2024-10-21',
    ]);
    expect(state.getLatency('ptu/*')?.ewmaMs).toBe(results[0]?.latencyMs);
  });

  it('sends a one-token chat completion to PROBE_DEPLOYMENT, under each backend own deployment name', async () => {
    const { run, client, state } = setup(() => reply(200, {}), 'gpt-4o');
    const results = await run();
    expect(client.calls[0]?.path).toBe('/openai/deployments/gpt-4o-ptu/chat/completions?api-version=2024-10-21');
    expect(JSON.parse(client.calls[0]?.body?.toString() ?? '')).toMatchObject({ max_tokens: 1 });
    expect(state.getLatency('ptu/gpt-4o-ptu')?.ewmaMs).toBe(results[0]?.latencyMs);
  });

  it('counts a failed probe towards the circuit, but not a throttled one', async () => {
    const { run, failed } = setup((_req, origin) => (origin.includes('ptu') ? transportFailure('timeout') : reply(429)));
    const results = await run();
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'throttled']);
    expect(failed).toEqual(['ptu']);
  });
});
