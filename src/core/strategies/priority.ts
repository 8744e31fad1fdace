import { rendezvousOrder } from '../affinity';
import { LatencyRanking, rankTargets } from '../rankTargets';
import { RouteTarget } from '../targets';
import { Strategy } from './Strategy';

/** Priority groups (PTU first), weighted and latency-aware within each; preemptive. */
export const priorityStrategy: Strategy = {
  preemptive: true,
  order: (open, input) => priorityOrder(open, input.random, input.latency && { ...input.latency, nowMs: input.nowMs }, input.affinityKey),
};

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
