import { randomBytes } from 'node:crypto';
import { SimulatedBackend, startSimulatedBackend } from './simulator';

export interface Demo {
  readonly backends: SimulatedBackend[];
  /** Set only when the demo chose the caller key (ROUTER_API_KEYS was unset). */
  readonly devKey: string | undefined;
  readonly adminKey: string | undefined;
  /** True when the demo generated ROUTER_ID_SECRET (it was unset). */
  readonly generatedIdSecret: boolean;
  close(): Promise<void>;
}

/**
 * With no BACKEND_1_URL: three simulated Azure OpenAI backends in-process, wired through the
 * same settings a real deployment uses. The PTU-like one is small (it answers 429 with
 * Retry-After within a few requests), so failover to the PAYG-like pair shows at once.
 */
export async function startDemo(env: NodeJS.ProcessEnv): Promise<Demo> {
  const specs = [
    { name: 'ptu-eastus', type: 'ptu', priority: '1', options: { rpm: 6, tpm: 4_000, latencyMs: 15, chunkIntervalMs: 20, region: 'East US' } },
    { name: 'paygo-swedencentral', type: 'paygo', priority: '2', options: { latencyMs: 120, chunkIntervalMs: 30, region: 'Sweden Central' } },
    { name: 'paygo-westus3', type: 'paygo', priority: '2', options: { latencyMs: 180, chunkIntervalMs: 30, region: 'West US 3' } },
  ];
  const backends: SimulatedBackend[] = [];
  for (const [i, spec] of specs.entries()) {
    const apiKey = randomBytes(16).toString('hex');
    const backend = await startSimulatedBackend({ name: spec.name, apiKey, ...spec.options });
    backends.push(backend);
    const n = i + 1;
    Object.assign(env, {
      [`BACKEND_${n}_URL`]: backend.url,
      [`BACKEND_${n}_NAME`]: spec.name,
      [`BACKEND_${n}_PRIORITY`]: spec.priority,
      [`BACKEND_${n}_TYPE`]: spec.type,
      [`BACKEND_${n}_APIKEY`]: apiKey,
    });
  }
  const devKey = env.ROUTER_API_KEYS === undefined ? `dev-${randomBytes(12).toString('hex')}` : undefined;
  if (devKey !== undefined) env.ROUTER_API_KEYS = `demo:${devKey}`;
  const adminKey = env.ROUTER_ADMIN_KEY === undefined ? `admin-${randomBytes(12).toString('hex')}` : undefined;
  if (adminKey !== undefined) env.ROUTER_ADMIN_KEY = adminKey;
  // The simulated backends forget everything when the demo stops, so a per-run secret loses nothing.
  const generatedIdSecret = env.ROUTER_ID_SECRET === undefined;
  if (generatedIdSecret) env.ROUTER_ID_SECRET = randomBytes(32).toString('base64');
  return { backends, devKey, adminKey, generatedIdSecret, close: async () => void (await Promise.all(backends.map((b) => b.close()))) };
}

export function demoBanner(baseUrl: string, devKey: string | undefined, adminKey: string | undefined, generatedIdSecret = false): string {
  return [
    '',
    'Demo mode: no BACKEND_1_URL, so three simulated Azure OpenAI backends run in-process:',
    '  ptu-eastus (priority 1, 6 requests/min)  →  paygo-swedencentral, paygo-westus3 (priority 2)',
    `Dev key: ${devKey ?? '(one of your ROUTER_API_KEYS)'}`,
    'Try it a few times: after 6 requests the PTU is out of capacity and x-router-backend moves to PAYG:',
    `  curl -si ${baseUrl}/api/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21 \\`,
    `    -H "api-key: ${devKey ?? '<your router key>'}" -H "content-type: application/json" \\`,
    `    -d '{"messages":[{"role":"user","content":"Hello"}]}' | grep -i -e "^HTTP" -e "^x-router"`,
    'The Responses API too (a follow-up with previous_response_id goes to the backend that holds it):',
    `  curl -s ${baseUrl}/api/openai/v1/responses -H "authorization: Bearer ${devKey ?? '<your router key>'}" \\`,
    `    -H "content-type: application/json" -d '{"model":"gpt-4o","input":"Hello"}'`,
    ...(generatedIdSecret
      ? ['ROUTER_ID_SECRET was unset: this run signs response ids with a secret of its own (set it to keep ids valid across restarts).']
      : []),
    ...(adminKey === undefined ? [] : [`Status page: ${baseUrl}/api/router/status (admin key: ${adminKey})`]),
    '',
  ].join('\n');
}
