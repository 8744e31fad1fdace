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
  return [served(find), lostNote(metrics), sharing(find), roundRobin(find), refusals(metrics, settings), machineNote(metrics)].filter(
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
  const shared = [1, 2, 4].map((n) => find('shared', n));
  const memory = [1, 4].map((n) => find('memory', n));
  if (shared.some((m) => m === undefined)) return undefined;
  const figures = shared.map((m) => fixed(m?.wastedPerServed ?? 0)).join(' / ');
  const memoryLine =
    memory[0] === undefined || memory[1] === undefined
      ? ''
      : ` (per-instance memory, which counts every instance as the only one: ${fixed(memory[0].wastedPerServed)} → ${fixed(memory[1].wastedPerServed)})`;
  return (
    `Backend 429s per served request with shared state at 1 / 2 / 4 routers: ${figures}${memoryLine}. Each instance sends a deployment only its share ` +
    `of the last report (divided among the live instances the table shows, rounded to whole requests at random per report) plus the slots its own ` +
    `admitted calls free when they leave the rate window, and does not call a deployment whose share cannot cover the request: near exhaustion ` +
    `every instance stops at its own last request instead of each collecting a 429 (ROUTER_STATE_SYNC_MS=${shared[0]?.syncMs ?? 0}).`
  );
}

/** Where capacity went unused, per backend, in the configurations under 98 %. */
function lostNote(metrics: readonly ConfigMetrics[]): string | undefined {
  const short = metrics.filter((m) => m.variant !== 'round-robin' && m.servedRatio < 0.98);
  if (short.length === 0) return undefined;
  const rows = short.map((m) => `${m.id}: ${m.busyByBackend.map((b) => `${b.name} ${pct(b.busy)}`).join(', ')}`);
  return `Under 98 % served, per backend busy share: ${rows.join('; ')}.`;
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
