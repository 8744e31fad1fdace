import { rendezvousOrder } from '../affinity';
import type { PlanInput } from '../planAttempts';
import { LatencyRanking, rankTargets } from '../rankTargets';
import { canCover } from '../remaining';
import { RouteTarget } from '../targets';
import { Strategy } from './Strategy';

/** Priority groups (PTU first), weighted and latency-aware within each, then preemptive. */
export const priorityStrategy: Strategy = {
  order: (open, input) => preemptive(priorityOrder(open, input.random, input.latency && { ...input.latency, nowMs: input.nowMs }, input.affinityKey), input),
};

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

/**
 * Lowest (effective) priority first; weighted random order within a priority. With latency
 * figures, faster backends weigh more and one far slower than its priority's best drops a
 * level; configured priorities are never promoted.
 */
export function priorityOrder(targets: readonly RouteTarget[], random: () => number, latency?: LatencyRanking, affinityKey?: string): RouteTarget[] {
  const ranked = rankTargets(targets, latency);
  ranked.sort((a, b) => a.priority - b.priority);
  const result: RouteTarget[] = [];
  let start = 0;
  while (start < ranked.length) {
    let end = start + 1;
    while (end < ranked.length && ranked[end]?.priority === ranked[start]?.priority) end++;
    const group = ranked.slice(start, end);
    const order = affinityKey === undefined ? weightedShuffle(group, random) : rendezvousOrder(group, affinityKey, (entry) => entry.target.backend.name);
    for (const entry of order) result.push(entry.target);
    start = end;
  }
  return result;
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
