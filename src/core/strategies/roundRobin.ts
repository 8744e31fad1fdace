import { RouteTarget } from '../targets';
import { Strategy } from './Strategy';

/** ROUTER_STRATEGY=round-robin: every healthy backend in turn, priorities ignored. */
export const roundRobinStrategy: Strategy = {
  preemptive: false,
  order: (open, input) => rotate(open, input.rotation),
};

/** Round robin like the APIM sample: each request starts one further along, priorities ignored. */
function rotate(targets: readonly RouteTarget[], rotation: number): RouteTarget[] {
  if (targets.length < 2) return targets.slice();
  const offset = rotation % targets.length;
  return targets.slice(offset).concat(targets.slice(0, offset));
}
