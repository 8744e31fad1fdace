import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/core/operations';
import { ManagedCredentialSource } from '../../src/credentials/ManagedCredentialSource';
import { proxyHandler } from '../../src/http/proxyHandler';
import { reply } from '../support/FakeBackendClient';
import { backend } from '../support/fixtures';
import { testRuntime } from '../support/runtime';
import { FakeClock, FakeSecrets, settle } from './fakes';

const KEY = 'test-consumer-key-0001';
const DEAD_KEY = 'kv-key-that-was-regenerated-0001';
const ptu = backend({ name: 'ptu', credential: { kind: 'keyVault', secretName: 'ptu-key' } });

async function chat(handler: ReturnType<typeof proxyHandler>): Promise<number> {
  const req = new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
    headers: { 'content-type': 'application/json', 'api-key': KEY },
    body: { string: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) },
    params: { deployment: 'gpt-4o' },
  });
  return new HttpResponse(await handler(req, new InvocationContext())).status;
}

describe('ManagedCredentialSource behind the router, when the vault holds a dead key', () => {
  it('costs one vault read for 30 requests inside the auth bench, and one backend call each after the first', async () => {
    const clock = new FakeClock();
    const secrets = new FakeSecrets();
    secrets.values.set('ptu-key', DEAD_KEY);
    const credentials = new ManagedCredentialSource([ptu], { secrets, secretTtlMs: 3600_000, clock, log: () => undefined, authBenchMs: 300_000 });
    credentials.start();
    await settle();
    const rt = testRuntime([ptu], () => reply(401, { error: { code: '401', message: 'Access denied due to invalid subscription key' } }), {}, credentials);
    const handler = proxyHandler(() => rt, 'deployments', OPERATIONS.chat);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push(await chat(handler));
      rt.advance(1000);
      await clock.advance(1000);
    }
    expect(new Set(statuses)).toEqual(new Set([502]));
    expect(secrets.reads).toBe(2); // start-up, and the first 401
    expect(rt.client.calls).toHaveLength(31); // the first request retried once with the re-read key; the others were not retried
    credentials.stop();
  });
});
