/** Short, computed reading of the results: what differs between the configurations, and by how much. */
import type { VariantId } from './configuration';
import type { ConfigMetrics } from './metrics';
import type { CapacitySettings } from './settings';

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const fixed = (v: number): string => v.toFixed(3);

type Finder = (variant: VariantId, instances: number) => ConfigMetrics | undefined;

export function interpretation(metrics: readonly ConfigMetrics[], settings: CapacitySettings): string[] {
  const find: Finder = (variant, instances) => metrics.find((m) => m.variant === variant && m.instances === instances);
  return [served(find), sharing(find), roundRobin(find), refusals(metrics, settings)].filter((s): s is string => s !== undefined);
}

function served(find: Finder): string | undefined {
  const one = find('shared', 1);
  const four = find('shared', 4);
  if (one === undefined || four === undefined) return undefined;
  return (
    `With shared state the backends served ${pct(one.servedRatio)} (1 router) and ${pct(four.servedRatio)} (4 routers) of their pooled capacity, ` +
    `the PTU was busy ${pct(one.ptuBusy)} and ${pct(four.ptuBusy)} of the time.`
  );
}

function sharing(find: Finder): string | undefined {
  const shared = find('shared', 4);
  const memory = find('memory', 4);
  const memoryOne = find('memory', 1);
  if (shared === undefined || memory === undefined || memoryOne === undefined) return undefined;
  const ratio = shared.wastedPerServed > 0 ? ` (${(memory.wastedPerServed / shared.wastedPerServed).toFixed(1)}×)` : '';
  return (
    `Per-instance memory wastes ${fixed(memoryOne.wastedPerServed)} backend 429s per served request with 1 router and ${fixed(memory.wastedPerServed)} with 4: ` +
    `each instance discovers every throttle window itself. Sharing the windows through Table Storage brings 4 routers to ${fixed(shared.wastedPerServed)}${ratio}.`
  );
}

function roundRobin(find: Finder): string | undefined {
  const lines = [1, 4].flatMap((n) => {
    const rr = find('round-robin', n);
    const shared = find('shared', n);
    if (rr === undefined || shared === undefined) return [];
    return [`${n} router${n === 1 ? '' : 's'}: PTU ${pct(rr.ptuBusy)} vs ${pct(shared.ptuBusy)}, 429s per served ${fixed(rr.wastedPerServed)} vs ${fixed(shared.wastedPerServed)}`];
  });
  if (lines.length === 0) return undefined;
  return `Round robin (which also honours Retry-After here) against the router with shared state: ${lines.join('; ')}.`;
}

function refusals(metrics: readonly ConfigMetrics[], settings: CapacitySettings): string | undefined {
  if (metrics.length === 0) return undefined;
  const floor = 1 - 1 / settings.loadFactor;
  const shares = metrics.map((m) => m.clientThrottledShare);
  return (
    `At ${settings.loadFactor}× load at least ${pct(floor)} of the requests cannot be served; the routers answered ` +
    `${pct(Math.min(...shares))}–${pct(Math.max(...shares))} with 429 (Retry-After set), most of them without calling a backend ` +
    `(${Math.min(...metrics.map((m) => m.callsPerRequest)).toFixed(2)}–${Math.max(...metrics.map((m) => m.callsPerRequest)).toFixed(2)} backend calls per request).`
  );
}
