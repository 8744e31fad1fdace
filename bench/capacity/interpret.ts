/** Short, computed reading of the results: what differs between the configurations, and by how much. */
import { cpus } from 'node:os';
import type { VariantId } from './configuration';
import type { ConfigMetrics } from './metrics';
import type { CapacitySettings } from './settings';

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const fixed = (v: number): string => v.toFixed(3);

type Finder = (variant: VariantId, instances: number) => ConfigMetrics | undefined;

export function interpretation(metrics: readonly ConfigMetrics[], settings: CapacitySettings): string[] {
  const find: Finder = (variant, instances) => metrics.find((m) => m.variant === variant && m.instances === instances);
  return [served(find), floorNote(metrics, settings), sharing(find), roundRobin(find), refusals(metrics, settings), machineNote(metrics)].filter(
    (s): s is string => s !== undefined,
  );
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
  return (
    `Backend 429s per served request, 1 → 4 routers: per-instance memory ${fixed(memoryOne.wastedPerServed)} → ${fixed(memory.wastedPerServed)}, ` +
    `shared windows → ${fixed(shared.wastedPerServed)}. A router learns that a deployment is full from a 429 (or a remaining count already at zero); at tens of requests per second per instance ` +
    `each instance hits a freshly exhausted deployment itself within milliseconds of the others, long before the next table sync ` +
    `(ROUTER_STATE_SYNC_MS=${shared.syncMs}), so sharing saves only the 429s of instances that would call later than that.`
  );
}

/** The Retry-After floor is the lever behind lost capacity with short rate windows; say so when it applied. */
function floorNote(metrics: readonly ConfigMetrics[], settings: CapacitySettings): string | undefined {
  const short = metrics.filter((m) => m.variant !== 'round-robin' && m.servedRatio < 0.98);
  const floorMs = Number(settings.routerEnv.ROUTER_RETRY_AFTER_MIN_MS ?? 1000);
  if (short.length === 0 || !(floorMs >= 500)) return undefined;
  const floor = settings.routerEnv.ROUTER_RETRY_AFTER_MIN_MS === undefined ? '1000 ms, the default' : `${floorMs} ms`;
  return (
    `Capacity is lost through the Retry-After floor (ROUTER_RETRY_AFTER_MIN_MS, here ${floor}). Near a full sliding window the simulator's ` +
    `retry-after-ms is exact and short (often a few ms: until the next slot frees), yet the router benches the deployment for at least the floor. ` +
    `The PTU's steady trickle of freed slots then turns into bursts: it is benched while its slots free, then takes all traffic for seconds; ` +
    `meanwhile the PAYGs, whose windows have reopened, get nothing (priority), so their next window starts late and their cycle stretches ` +
    `beyond ${settings.windowMs / 1000} s. Compare with \`BENCH_CAPACITY_ROUTER_ENV=ROUTER_RETRY_AFTER_MIN_MS=100\`.`
  );
}

/** A starved router dispatches its backlog against stale state: flag runs where that may have happened. */
function machineNote(metrics: readonly ConfigMetrics[]): string | undefined {
  const cores = cpus().length;
  const busy = metrics.filter((m) => m.loadAverage > cores * 1.5 || m.p99Ms > 1000);
  if (busy.length === 0) return undefined;
  const worst = busy.reduce((a, b) => (b.p99Ms > a.p99Ms ? b : a));
  return (
    `The machine was busy during ${busy.map((m) => m.id).join(', ')} (load average up to ${Math.max(...busy.map((m) => m.loadAverage)).toFixed(1)} on ${cores} cores, ` +
    `client p99 up to ${worst.p99Ms.toFixed(0)} ms): a router that falls behind plans a whole backlog of requests against the same state and sends them to a ` +
    `deployment that has already refused it, which inflates 429s and lost capacity in those rows. Rerun on an idle machine to separate noise from routing.`
  );
}

function roundRobin(find: Finder): string | undefined {
  const lines = [1, 4].flatMap((n) => {
    const rr = find('round-robin', n);
    const shared = find('shared', n);
    if (rr === undefined || shared === undefined) return [];
    return [
      `${n} router${n === 1 ? '' : 's'}: PTU ${pct(rr.ptuBusy)} vs ${pct(shared.ptuBusy)}, 429s per served ${fixed(rr.wastedPerServed)} vs ${fixed(shared.wastedPerServed)}`,
    ];
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
