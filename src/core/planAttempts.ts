import { RoutingStrategy } from '../config/types';
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
  const ordered = input.strategy === 'round-robin' ? rotate(open, input.rotation) : preemptive(priorityOrder(open, input.random), input);
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

/** Lowest priority number first; weighted random order within a priority. Input is priority-sorted. */
export function priorityOrder(targets: readonly RouteTarget[], random: () => number): RouteTarget[] {
  const result: RouteTarget[] = [];
  let start = 0;
  while (start < targets.length) {
    let end = start + 1;
    const priority = targets[start]?.backend.priority;
    while (end < targets.length && targets[end]?.backend.priority === priority) end++;
    result.push(...weightedShuffle(targets.slice(start, end), random));
    start = end;
  }
  return result;
}

/**
 * Weighted random permutation (Efraimidis–Spirakis): each target draws u^(1/weight) and the
 * largest goes first, so the first pick is proportional to weight and the rest follow suit.
 */
export function weightedShuffle(group: readonly RouteTarget[], random: () => number): RouteTarget[] {
  if (group.length < 2) return group.slice();
  return group
    .map((target) => ({ target, key: Math.pow(random(), 1 / target.backend.weight) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.target);
}

/** Round robin like the APIM sample: each request starts one further along, priorities ignored. */
function rotate(targets: readonly RouteTarget[], rotation: number): RouteTarget[] {
  if (targets.length < 2) return targets.slice();
  const offset = rotation % targets.length;
  return targets.slice(offset).concat(targets.slice(0, offset));
}
