import type { PlanInput } from '../planAttempts';
import type { RouteTarget } from '../targets';

/**
 * A routing strategy orders the targets a request may try now (none throttled or benched: the
 * plan handles those). One file per strategy; ROUTER_STRATEGY picks one by name.
 */
export interface Strategy {
  /** Keeps out targets whose remaining capacity cannot cover the request (see planAttempts). */
  readonly preemptive: boolean;
  order(open: readonly RouteTarget[], input: PlanInput): RouteTarget[];
}
