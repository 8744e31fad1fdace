import { RoutingStrategy } from '../../config/types';
import { priorityStrategy } from './priority';
import { roundRobinStrategy } from './roundRobin';
import { Strategy } from './Strategy';

export const STRATEGIES: Readonly<Record<RoutingStrategy, Strategy>> = {
  priority: priorityStrategy,
  'round-robin': roundRobinStrategy,
};
