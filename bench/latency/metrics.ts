/** Summaries of the recorded requests: per phase and router, and per second for the chart. */
import { percentile } from '../stats';
import type { Sample } from './load';
import { ROUTER_IDS, type RouterId } from './processes';
import { BACKENDS, Phase, SLOWED } from './settings';

export interface Summary {
  /** Requests sent in the interval (served and failed). */
  readonly count: number;
  readonly served: number;
  /** Over served requests, ms. */
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  /** Backend name → share of the served requests. */
  readonly shares: Readonly<Record<string, number>>;
  /** Served requests that needed more than one backend attempt. */
  readonly retried: number;
}

export interface PhaseRow {
  readonly id: string;
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly byRouter: Readonly<Record<RouterId, Summary>>;
}

export function summarize(samples: readonly Sample[]): Summary {
  const served = samples.filter((s) => s.error === undefined);
  const sorted = served.map((s) => s.latencyMs).sort((a, b) => a - b);
  const shares: Record<string, number> = {};
  for (const b of BACKENDS) shares[b.name] = served.length === 0 ? 0 : served.filter((s) => s.backend === b.name).length / served.length;
  const failed = samples.filter((s) => s.error !== undefined);
  return {
    count: samples.length,
    served: served.length,
    mean: sorted.length === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    errors: failed.length,
    firstError: failed[0]?.error,
    shares,
    retried: served.filter((s) => s.attempts > 1).length,
  };
}

/** Requests of one router sent in [fromMs, toMs). */
export function sentWithin(samples: readonly Sample[], router: RouterId, fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.router === router && s.sentMs >= fromMs && s.sentMs < toMs);
}

export function intervalRow(samples: readonly Sample[], id: string, label: string, startMs: number, endMs: number): PhaseRow {
  const byRouter = {} as Record<RouterId, Summary>;
  for (const router of ROUTER_IDS) byRouter[router] = summarize(sentWithin(samples, router, startMs, endMs));
  return { id, label, startMs, endMs, byRouter };
}

/** One row per phase, then "overall" over every phase but the warm-up. */
export function phaseRows(samples: readonly Sample[], phases: readonly Phase[]): PhaseRow[] {
  const rows = phases.map((p) => intervalRow(samples, p.id, p.label, p.startMs, p.endMs));
  const measured = phases.filter((p) => p.id !== 'warm-up');
  const start = measured[0]?.startMs ?? 0;
  const end = measured[measured.length - 1]?.endMs ?? 0;
  return [...rows, intervalRow(samples, 'overall', 'overall (steady + slow + recovered)', start, end)];
}

/**
 * The recovered phase split where the slowed backend stopped being demoted in (a): before,
 * (a) ranks without it; after, it ranks as it did in the steady phase.
 */
export function splitAt(rows: readonly PhaseRow[], samples: readonly Sample[], id: string, afterMs: number | undefined): PhaseRow[] {
  const at = rows.findIndex((r) => r.id === id);
  const whole = rows[at];
  if (whole === undefined || afterMs === undefined) return [...rows];
  const cut = whole.startMs + afterMs;
  const parts = [
    intervalRow(samples, `${id}-demoted`, `${whole.label}, ${SLOWED} still demoted in (a) (first ${(afterMs / 1000).toFixed(1)} s)`, whole.startMs, cut),
    intervalRow(samples, `${id}-restored`, `${whole.label}, ${SLOWED} restored in (a)`, cut, whole.endMs),
  ];
  return [...rows.slice(0, at + 1), ...parts, ...rows.slice(at + 1)];
}

export interface Second {
  readonly startMs: number;
  readonly byRouter: Readonly<Record<RouterId, Summary>>;
}

/** Per-interval summaries (by send time) over the whole run, for the chart. */
export function timeline(samples: readonly Sample[], endMs: number, stepMs = 1000): Second[] {
  const seconds: Second[] = [];
  for (let start = 0; start < endMs; start += stepMs) {
    const byRouter = {} as Record<RouterId, Summary>;
    for (const router of ROUTER_IDS) byRouter[router] = summarize(sentWithin(samples, router, start, start + stepMs));
    seconds.push({ startMs: start, byRouter });
  }
  return seconds;
}
