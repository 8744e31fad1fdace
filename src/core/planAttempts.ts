import { RoutingStrategy } from '../config/types';
import { LatencyFigure, LatencyLookup, LatencyPolicy, scoreLatency } from './latency';
import { canCover, RemainingLookup } from './remaining';
import { RouteTarget } from './targets';
import { isActive, Window, WindowLookup } from './windows';

export interface AttemptPlan {
  /** Targets to try, best first: open ones, then failure-benched ones as a last resort. */
  readonly order: readonly RouteTarget[];
  /** Soonest expiry among targets skipped for a 429 window, if any were skipped. */
  readonly throttledUntilMs: number | undefined;
}

export interface PlanInput {
  readonly targets: readonly RouteTarget[];
  readonly windows: WindowLookup;
  readonly nowMs: number;
  readonly random: () => number;
  readonly strategy: RoutingStrategy;
  /** Monotonic counter for round-robin; ignored by the priority strategy. */
  readonly rotation: number;
  /** Last reported remaining tokens/requests per deployment key, for preemptive routing. */
  readonly remaining?: RemainingLookup;
  /** What Azure will charge this request on arrival (prompt estimate + max_tokens). */
  readonly estimatedTokens?: number;
  /** Shared latency figures and how to weigh them; without them, configured weights only. */
  readonly latency?: { readonly lookup: LatencyLookup; readonly policy: LatencyPolicy };
}

/**
 * Orders the targets for one request. Targets inside a 429 window are never called (they
 * asked us to stay away); targets benched for failures are tried only after every open one,
 * since a guess about a failing backend beats failing the request outright.
 */
export function planAttempts(input: PlanInput): AttemptPlan {
  const open: RouteTarget[] = [];
  const benched: { target: RouteTarget; untilMs: number }[] = [];
  let throttledUntilMs: number | undefined;
  for (const target of input.targets) {
    const window = activeWindow(input.windows, target, input.nowMs);
    if (window === undefined) open.push(target);
    else if (window.reason === 'throttled') throttledUntilMs = Math.min(throttledUntilMs ?? Infinity, window.untilMs);
    else benched.push({ target, untilMs: window.untilMs });
  }
  const ordered = input.strategy === 'round-robin' ? rotate(open, input.rotation) : preemptive(priorityOrder(open, input.random, input.latency && { ...input.latency, nowMs: input.nowMs }), input);
  benched.sort((a, b) => a.untilMs - b.untilMs);
  return { order: ordered.concat(benched.map((b) => b.target)), throttledUntilMs };
}

/**
 * Backends whose fresh x-ratelimit-remaining-* cannot cover the request go after those that
 * can (order kept on both sides): Azure would 429 them on arrival, so trying them first only
 * adds a wasted call.
 */
function preemptive(order: RouteTarget[], input: PlanInput): RouteTarget[] {
  const { remaining, estimatedTokens = 0 } = input;
  if (remaining === undefined) return order;
  const able: RouteTarget[] = [];
  const unable: RouteTarget[] = [];
  for (const target of order) {
    (canCover(remaining.getRemaining(target.deploymentKey), estimatedTokens, input.nowMs) ? able : unable).push(target);
  }
  return unable.length === 0 ? order : able.concat(unable);
}

/** The later-expiring of the deployment's and the whole backend's windows. */
function activeWindow(windows: WindowLookup, target: RouteTarget, nowMs: number): Window | undefined {
  const deployment = windows.getWindow(target.deploymentKey);
  const backend = windows.getWindow(target.backendKey);
  const active = [deployment, backend].filter((w): w is Window => isActive(w, nowMs));
  if (active.length === 0) return undefined;
  // A throttle window dominates: the backend told us when to return.
  return active.find((w) => w.reason === 'throttled') ?? active.reduce((a, b) => (b.untilMs > a.untilMs ? b : a));
}

interface Ranked {
  readonly target: RouteTarget;
  readonly priority: number;
  readonly weight: number;
}

/**
 * Lowest (effective) priority first; weighted random order within a priority. With latency
 * figures, faster backends weigh more and one far slower than its priority's best drops a
 * level; configured priorities are never promoted.
 */
export function priorityOrder(targets: readonly RouteTarget[], random: () => number, latency?: LatencyRanking): RouteTarget[] {
  const ranked = latency === undefined ? targets.map(configured) : rankByLatency(targets, latency);
  ranked.sort((a, b) => a.priority - b.priority);
  const result: RouteTarget[] = [];
  let start = 0;
  while (start < ranked.length) {
    let end = start + 1;
    while (end < ranked.length && ranked[end]?.priority === ranked[start]?.priority) end++;
    for (const entry of weightedShuffle(ranked.slice(start, end), random)) result.push(entry.target);
    start = end;
  }
  return result;
}

interface LatencyRanking {
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
 * Weighted random permutation (Efraimidis–Spirakis): each entry draws u^(1/weight) and the
 * largest goes first, so the first pick is proportional to weight and the rest follow suit.
 */
export function weightedShuffle<T extends { readonly weight: number }>(group: readonly T[], random: () => number): T[] {
  if (group.length < 2) return group.slice();
  return group
    .map((entry) => ({ entry, key: Math.pow(random(), 1 / entry.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((keyed) => keyed.entry);
}

/** Round robin like the APIM sample: each request starts one further along, priorities ignored. */
function rotate(targets: readonly RouteTarget[], rotation: number): RouteTarget[] {
  if (targets.length < 2) return targets.slice();
  const offset = rotation % targets.length;
  return targets.slice(offset).concat(targets.slice(0, offset));
}
