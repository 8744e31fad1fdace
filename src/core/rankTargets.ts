import { LatencyFigure, LatencyLookup, LatencyPolicy, scoreLatency } from './latency';
import { RouteTarget } from './targets';

/** A target as routing ranks it: its effective priority and its weight within that priority. */
export interface Ranked {
  readonly target: RouteTarget;
  readonly priority: number;
  readonly weight: number;
}

export interface LatencyRanking {
  readonly lookup: LatencyLookup;
  readonly policy: LatencyPolicy;
  readonly nowMs: number;
}

/**
 * Figures older than this stop ranking a backend: a demoted backend that gets no traffic is
 * then tried again, so it recovers even without probes to its deployment.
 */
export const RANKING_FRESH_MS = 120_000;

/** The figure if it still ranks a backend (see RANKING_FRESH_MS), else undefined. */
export function freshForRanking(figure: LatencyFigure | undefined, nowMs: number): LatencyFigure | undefined {
  return figure !== undefined && nowMs - figure.atMs <= RANKING_FRESH_MS ? figure : undefined;
}

/** The deployment's own figure (live traffic), else the backend's (probes). */
function rankingFigure(latency: LatencyRanking, target: RouteTarget): LatencyFigure | undefined {
  const { lookup, nowMs } = latency;
  return freshForRanking(lookup.getLatency(target.deploymentKey), nowMs) ?? freshForRanking(lookup.getLatency(target.backendKey), nowMs);
}

const configured = (target: RouteTarget): Ranked => ({ target, priority: target.backend.priority, weight: target.backend.weight });

function rankByLatency(targets: readonly RouteTarget[], latency: LatencyRanking): Ranked[] {
  const figures = targets.map((t) => rankingFigure(latency, t));
  const best = new Map<number, number>();
  figures.forEach((figure, i) => {
    const priority = targets[i]?.backend.priority ?? 0;
    if (figure !== undefined) best.set(priority, Math.min(best.get(priority) ?? Infinity, figure.ewmaMs));
  });
  return targets.map((target, i) => {
    const score = scoreLatency(target.backend.priority, figures[i], best.get(target.backend.priority), latency.policy);
    return { target, priority: score.effectivePriority, weight: target.backend.weight * score.speedFactor };
  });
}

/**
 * The one ranking routing and the status page share: configured priority and weight, adjusted
 * by latency when figures are given (faster weighs more, one far slower drops a level).
 */
export function rankTargets(targets: readonly RouteTarget[], latency?: LatencyRanking): Ranked[] {
  return latency === undefined ? targets.map(configured) : rankByLatency(targets, latency);
}
