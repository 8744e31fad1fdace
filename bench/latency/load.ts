/**
 * Closed-loop load on both routers at once: N workers per router, each sending its next
 * non-stream chat completion as soon as the last one ends, until the run's end. Every request
 * is recorded with its send time, client-side latency and the backend that served it.
 */
import type { Pool } from 'undici';
import { createPool } from '../load';
import { ROUTER_KEY } from '../processes';
import type { RouterId } from './processes';
import { DEPLOYMENT, MAX_TOKENS, MESSAGES } from './settings';

export interface Sample {
  readonly router: RouterId;
  /** When it was sent, ms from the start of the load. */
  readonly sentMs: number;
  /** Send to the last body byte, ms. */
  readonly latencyMs: number;
  /** `x-router-backend`, or '' when the request failed. */
  readonly backend: string;
  readonly attempts: number;
  readonly error: string | undefined;
}

export interface LoadPlan {
  readonly urls: Readonly<Record<RouterId, string>>;
  readonly concurrency: number;
  /** performance.now() at the start of the load. */
  readonly t0: number;
  /** No request is sent after this, ms from t0. */
  readonly endMs: number;
}

const PATH = `/api/openai/deployments/${DEPLOYMENT}/chat/completions?api-version=2024-10-21`;
const HEADERS = { 'content-type': 'application/json', 'api-key': ROUTER_KEY };
const BODY = Buffer.from(JSON.stringify({ messages: MESSAGES, max_tokens: MAX_TOKENS }));

const header = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));

async function once(pool: Pool, router: RouterId, t0: number): Promise<Sample> {
  const start = performance.now();
  const sentMs = start - t0;
  try {
    const res = await pool.request({ path: PATH, method: 'POST', headers: HEADERS, body: BODY });
    const text = await res.body.text();
    const latencyMs = performance.now() - start;
    const attempts = Number(header(res.headers['x-router-attempts'])) || 0;
    const error = res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}: ${text.slice(0, 160)}`;
    return { router, sentMs, latencyMs, backend: error === undefined ? header(res.headers['x-router-backend']) : '', attempts, error };
  } catch (err) {
    return { router, sentMs, latencyMs: performance.now() - start, backend: '', attempts: 0, error: String(err) };
  }
}

async function worker(pool: Pool, router: RouterId, plan: LoadPlan, out: Sample[]): Promise<void> {
  while (performance.now() - plan.t0 < plan.endMs) out.push(await once(pool, router, plan.t0));
}

/** Runs the load on every router until plan.endMs; returns every request, in completion order. */
export async function runLoad(plan: LoadPlan): Promise<Sample[]> {
  const samples: Sample[] = [];
  const routers = Object.keys(plan.urls) as RouterId[];
  const pools = routers.map((router) => ({ router, pool: createPool(plan.urls[router], plan.concurrency) }));
  try {
    await Promise.all(pools.flatMap(({ router, pool }) => Array.from({ length: plan.concurrency }, () => worker(pool, router, plan, samples))));
  } finally {
    await Promise.all(pools.map(({ pool }) => pool.close()));
  }
  return samples;
}
