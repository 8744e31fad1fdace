/**
 * The bench's child processes: the simulated backends (one set per router) and the two routers,
 * latency-aware and ROUTER_LATENCY_ROUTING=off, identical otherwise.
 */
import { join, resolve } from 'node:path';
import { request } from 'undici';
import type { SimulatedBackendStats } from '../../src/local/simulator';
import { startChild, type Child } from '../childProcess';
import { BACKEND_KEY, ROUTER_KEY, type Started } from '../processes';
import { BACKENDS, DEPLOYMENT, LatencySettings } from './settings';
import { ADMIN_KEY } from './statusPoll';

const ROOT = resolve(__dirname, '..', '..', '..');

export type RouterId = 'aware' | 'random';
export const ROUTER_IDS: readonly RouterId[] = ['aware', 'random'];
export const ROUTER_LABELS: Record<RouterId, string> = { aware: '(a) latency-aware', random: '(b) random within priority' };

export interface BackendInfo {
  readonly set: string;
  readonly name: string;
  readonly url: string;
}

export interface BackendStatsRow {
  readonly set: string;
  readonly name: string;
  readonly stats: SimulatedBackendStats;
}

export interface LatencyProcesses {
  readonly control: Child;
  readonly routers: Record<RouterId, Child>;
}

async function getJson<T>(url: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const res = await request(url, { method });
  const body = (await res.body.json()) as T;
  if (res.statusCode !== 200) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${JSON.stringify(body)}`);
  return body;
}

/** The router settings of one backend set; `extra` is the only difference between (a) and (b). */
function routerEnv(set: string, backends: readonly BackendInfo[], settings: LatencySettings, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PORT: '0',
    NODE_ENV: 'production',
    ROUTER_API_KEYS: `bench:${ROUTER_KEY}`,
    ROUTER_STATE_STORE: 'memory',
    ROUTER_ADMIN_KEY: ADMIN_KEY,
    PROBE_SCHEDULE: settings.probeSchedule,
    PROBE_DEPLOYMENT: DEPLOYMENT,
    ...settings.routerEnv,
    ...extra,
  };
  BACKENDS.forEach((spec, i) => {
    const n = i + 1;
    env[`BACKEND_${n}_URL`] = backends.find((b) => b.set === set && b.name === spec.name)?.url ?? '';
    env[`BACKEND_${n}_NAME`] = spec.name;
    env[`BACKEND_${n}_PRIORITY`] = String(spec.priority);
    env[`BACKEND_${n}_APIKEY`] = BACKEND_KEY;
  });
  return env;
}

function startRouter(id: RouterId, env: Record<string, string>): Promise<Child> {
  return startChild({
    name: `router ${id}`,
    script: join(ROOT, 'dist', 'src', 'local', 'main.js'),
    cwd: ROOT,
    ready: /Router listening on (http:\/\/\S+)/,
    env,
  });
}

export async function startLatencyProcesses(settings: LatencySettings, started: Started): Promise<LatencyProcesses> {
  const keep = (child: Child): Child => (started.children.push(child), child);
  const control = keep(
    await startChild({
      name: 'backends',
      script: join(__dirname, 'backendsProcess.js'),
      ready: /Backends control on (http:\/\/\S+)/,
      env: { BENCH_LATENCY_SETS: ROUTER_IDS.join(','), BENCH_LATENCY_BACKEND_KEY: BACKEND_KEY },
    }),
  );
  const backends = await getJson<BackendInfo[]>(`${control.url}/backends`);
  const [aware, random] = await Promise.all([
    startRouter('aware', routerEnv('aware', backends, settings, {})).then(keep),
    startRouter('random', routerEnv('random', backends, settings, { ROUTER_LATENCY_ROUTING: 'off' })).then(keep),
  ]);
  return { control, routers: { aware, random } };
}

/** Sets one backend's time-to-headers in every set at once. */
export async function setLatency(control: Child, name: string, ms: number): Promise<void> {
  await getJson<unknown>(`${control.url}/latency?name=${encodeURIComponent(name)}&ms=${ms}`, 'POST');
}

export function backendStats(control: Child): Promise<BackendStatsRow[]> {
  return getJson<BackendStatsRow[]>(`${control.url}/stats`);
}
