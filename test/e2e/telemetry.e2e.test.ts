import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { IngestionEndpoint, startIngestionEndpoint } from '../support/ingestionEndpoint';
import { startRouterProcess } from '../support/routerProcess';
import { createTestCertificate, TestCertificate } from '../support/selfSignedCert';
import { writeFileSync } from 'node:fs';

const KEY = 'telemetry-consumer-key-0001';
let cert: TestCertificate; let ingest: IngestionEndpoint; let ptu: SimulatedBackend; let payg: SimulatedBackend;

beforeAll(async () => {
  cert = createTestCertificate();
  ingest = await startIngestionEndpoint(cert);
  ptu = await startSimulatedBackend({ name: 'ptu', apiKey: 'ptu-key-0000000000' });
  payg = await startSimulatedBackend({ name: 'payg', apiKey: 'payg-key-000000000' });
});
afterAll(async () => { await Promise.all([ptu?.close(), payg?.close(), ingest?.close()]); cert?.remove(); });

describe('explore', () => {
  it('dumps', async () => {
    const t0 = Date.now();
    const router = await startRouterProcess({
      ROUTER_API_KEYS: `team-a:${KEY}`,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${ingest.url}`,
      NODE_EXTRA_CA_CERTS: cert.caFile,
      BACKEND_1_URL: ptu.url, BACKEND_1_NAME: 'ptu', BACKEND_1_PRIORITY: '1', BACKEND_1_APIKEY: 'ptu-key-0000000000',
      BACKEND_2_URL: payg.url, BACKEND_2_NAME: 'payg', BACKEND_2_PRIORITY: '2', BACKEND_2_APIKEY: 'payg-key-000000000',
    });
    const t1 = Date.now();
    const r = await fetch(`${router.url}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, { method: 'POST', headers: { 'api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'hello there' }] }) });
    console.log(await r.text());
    ptu.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '30' } }, 1);
    const r2 = await fetch(`${router.url}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, { method: 'POST', headers: { 'api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hello there' }] }) });
    console.log(await r2.text());
    const t2 = Date.now();
    await router.stop();
    const t3 = Date.now();
    console.log(router.output());
    console.log({ start: t1 - t0, req: t2 - t1, stop: t3 - t2 });
    writeFileSync('/tmp/explore/envelopes.json', JSON.stringify({ requests: ingest.requests, envelopes: ingest.envelopes }, null, 1));
    expect(1).toBe(1);
  });
});
