import { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Azurite } from '../../src/local/azurite';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { startTestAzurite } from '../support/azurite';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';

const KEY = 'shared-cache-key-0123456789';
let azurite: Azurite;
let backend: SimulatedBackend;
let routers: RouterProcess[] = [];

beforeAll(async () => {
  [azurite, backend] = await Promise.all([startTestAzurite(), startSimulatedBackend({ name: 'sim' })]);
  const env = {
    ROUTER_API_KEYS: `team:${KEY}`,
    BACKEND_1_URL: backend.url,
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_APIKEY: 'unused-backend-key',
    ROUTER_STATE_STORE: 'table',
    AzureWebJobsStorage: azurite.connectionString,
    ROUTER_CACHE: 'exact',
    ROUTER_CACHE_SYNC_MS: '200',
  };
  routers = await Promise.all([startRouterProcess(env), startRouterProcess(env)]);
}, 40_000);

afterAll(async () => {
  await Promise.all(routers.map((r) => r.stop()));
  await Promise.all([backend?.close(), azurite?.stop()]);
});

const ask = async (router: RouterProcess) => {
  const client = new OpenAI({ baseURL: `${router.url}/api/openai/v1`, apiKey: KEY, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Shared?' }] }).withResponse();
  return response.headers.get('x-router-cache');
};

describe('two router instances over one storage account (Azurite)', () => {
  it('answer from each other’s entries once the background sync brought them in', async () => {
    const [first, second] = routers as [RouterProcess, RouterProcess];
    expect(await ask(first)).toBe('miss');
    const calls = backend.requests.length;
    // Its first ask must already hit: a miss would store its own entry and prove nothing.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await ask(second)).toBe('hit');
    expect(backend.requests.length).toBe(calls);
  });
});
