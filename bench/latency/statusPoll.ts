/**
 * Polls the latency-aware router's GET /api/router/status (admin key) about every 250 ms and
 * keeps the slowed backend's figure as the router saw it: EWMA, sample count, demotion.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

export const ADMIN_KEY = 'bench-latency-admin-key-0123456789';
const INTERVAL_MS = 250;

export interface FigurePoint {
  /** ms from the start of the load. */
  readonly atMs: number;
  readonly ewmaMs: number | undefined;
  readonly samples: number;
  readonly demoted: boolean;
}

interface StatusBody {
  readonly backends: readonly { name: string; demoted: boolean; latency: readonly { ewmaMs: number; samples: number }[] }[];
}

async function pollOnce(url: string, backend: string, atMs: number): Promise<FigurePoint | undefined> {
  const res = await request(`${url}/api/router/status`, { headers: { 'api-key': ADMIN_KEY, accept: 'application/json' } });
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  const body = (await res.body.json()) as StatusBody;
  const entry = body.backends.find((b) => b.name === backend);
  if (entry === undefined) return undefined;
  const figure = entry.latency[0];
  return { atMs, ewmaMs: figure?.ewmaMs, samples: figure?.samples ?? 0, demoted: entry.demoted };
}

/** Polls from now until t0 + endMs. */
export async function pollFigures(url: string, backend: string, t0: number, endMs: number): Promise<FigurePoint[]> {
  const points: FigurePoint[] = [];
  while (performance.now() - t0 < endMs) {
    const point = await pollOnce(url, backend, performance.now() - t0).catch(() => undefined);
    if (point !== undefined) points.push(point);
    await sleep(INTERVAL_MS);
  }
  return points;
}

/** First point at or after fromMs (before toMs) that passes the test, as ms after fromMs. */
export function firstPoint(points: readonly FigurePoint[], fromMs: number, toMs: number, test: (p: FigurePoint) => boolean): number | undefined {
  const found = points.find((p) => p.atMs >= fromMs && p.atMs < toMs && test(p));
  return found === undefined ? undefined : found.atMs - fromMs;
}
