import { RoutingStrategy } from '../config/types';
import { LatencyLookup, LatencyPolicy } from './latency';
import { canCover, RATE_WINDOW_MS, Remaining } from './remaining';
import { STRATEGIES } from './strategies';
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
  /**
   * Per deployment key, what this instance may still send by the last reports (see
   * capacityShare), and when that grows next; for preemptive routing.
   */
  readonly remaining?: { getRemaining(key: string): (Remaining & { readonly refillAtMs?: number }) | undefined };
  /** How long a report stays fresh (ROUTER_RATE_WINDOW_SECONDS); 10 s by default. */
  readonly rateWindowMs?: number;
  /** What Azure will charge this request on arrival (prompt estimate + max_tokens). */
  readonly estimatedTokens?: number;
  /** Shared latency figures and how to weigh them; without them, configured weights only. */
  readonly latency?: { readonly lookup: LatencyLookup; readonly policy: LatencyPolicy };
  /** Prompt-cache affinity key (see affinity.ts): orders each priority by rendezvous hashing instead of at random. */
  readonly affinityKey?: string;
}

/**
 * Orders the targets for one request. Targets inside a 429 window are never called (they
 * asked us to stay away), nor, with a preemptive strategy, targets whose fresh remaining
 * capacity (this instance's share of it) cannot cover the request: Azure would refuse them on
 * arrival. Both make the request's Retry-After. Targets benched for failures are tried only
 * after every open one, since a guess about a failing backend beats failing the request outright.
 */
export function planAttempts(input: PlanInput): AttemptPlan {
  const open: RouteTarget[] = [];
  const benched: { target: RouteTarget; untilMs: number }[] = [];
  let throttledUntilMs: number | undefined;
  const preemptive = STRATEGIES[input.strategy].preemptive;
  for (const target of input.targets) {
    const window = activeWindow(input.windows, target, input.nowMs);
    const exhaustedUntilMs = window === undefined && preemptive ? exhaustedUntil(input, target) : undefined;
    if (exhaustedUntilMs !== undefined) throttledUntilMs = Math.min(throttledUntilMs ?? Infinity, exhaustedUntilMs);
    else if (window === undefined) open.push(target);
    else if (window.reason === 'throttled') throttledUntilMs = Math.min(throttledUntilMs ?? Infinity, window.untilMs);
    else benched.push({ target, untilMs: window.untilMs });
  }
  const ordered = STRATEGIES[input.strategy].order(open, input);
  benched.sort((a, b) => a.untilMs - b.untilMs);
  return { order: ordered.concat(benched.map((b) => b.target)), throttledUntilMs };
}

/** When a target whose share cannot cover the request is expected to have room again; undefined if it has room. */
function exhaustedUntil(input: PlanInput, target: RouteTarget): number | undefined {
  const share = input.remaining?.getRemaining(target.deploymentKey);
  const windowMs = input.rateWindowMs ?? RATE_WINDOW_MS;
  if (share === undefined || canCover(share, input.estimatedTokens ?? 0, input.nowMs, windowMs)) return undefined;
  return Math.max(input.nowMs + 1, share.refillAtMs ?? share.atMs + windowMs);
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

export { freshForRanking, RANKING_FRESH_MS } from './rankTargets';
export { priorityOrder, weightedShuffle } from './strategies/priority';
