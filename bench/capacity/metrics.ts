/** What one configuration achieved, as ratios against the pooled capacity of the measured interval. */
import type { ConfigResult, VariantId } from './configuration';
import { BACKENDS, capacityOver, CapacitySettings } from './settings';

export interface ConfigMetrics {
  readonly id: string;
  readonly variant: VariantId;
  readonly label: string;
  readonly instances: number;
  readonly offeredPerSecond: number;
  /** Requests the backends admitted (and so served) ÷ what their limits admit over the interval. */
  readonly servedRatio: number;
  /** PTU served ÷ PTU capacity over the interval. */
  readonly ptuBusy: number;
  /** Each backend's served ÷ its own capacity over the interval, in BACKENDS order. */
  readonly busyByBackend: readonly { readonly name: string; readonly busy: number }[];
  /** Backend 429s (all backends) ÷ requests served. */
  readonly wastedPerServed: number;
  /** Router-answered 429s ÷ requests sent. */
  readonly clientThrottledShare: number;
  readonly sent: number;
  readonly served: number;
  readonly backendThrottled: number;
  readonly clientThrottled: number;
  /** Backend calls per client request (1 = never a second attempt). */
  readonly callsPerRequest: number;
  /** Client-observed time to the whole answer (any status), ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly otherErrors: number;
  readonly firstOther: string | undefined;
  readonly notes: readonly string[];
  readonly loadAverage: number;
  /** ROUTER_STATE_SYNC_MS of the shared configurations. */
  readonly syncMs: number;
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export function metricsOf(result: ConfigResult, settings: CapacitySettings): ConfigMetrics {
  const capacity = sum(BACKENDS.map((spec) => capacityOver(spec, settings, result.measuredMs)));
  const ptuIndex = BACKENDS.findIndex((spec) => spec.type === 'ptu');
  const ptuSpec = BACKENDS[ptuIndex];
  const ptuCapacity = ptuSpec === undefined ? 0 : capacityOver(ptuSpec, settings, result.measuredMs);
  const served = sum(result.backends.map((b) => b.admitted));
  const backendThrottled = sum(result.backends.map((b) => b.throttled));
  const { client } = result;
  return {
    id: result.id,
    variant: result.variant.id,
    label: result.variant.label,
    instances: result.instances,
    offeredPerSecond: result.offeredPerSecond,
    servedRatio: ratio(served, capacity),
    ptuBusy: ratio(result.backends[ptuIndex]?.admitted ?? 0, ptuCapacity),
    busyByBackend: BACKENDS.map((spec, i) => ({
      name: spec.name,
      busy: ratio(result.backends[i]?.admitted ?? 0, capacityOver(spec, settings, result.measuredMs)),
    })),
    wastedPerServed: ratio(backendThrottled, served),
    clientThrottledShare: ratio(client.throttled, client.sent),
    sent: client.sent,
    served,
    backendThrottled,
    clientThrottled: client.throttled,
    callsPerRequest: ratio(sum(result.backends.map((b) => b.received)), client.sent),
    p50Ms: quantile(client.latenciesMs, 0.5),
    p99Ms: quantile(client.latenciesMs, 0.99),
    otherErrors: client.other,
    firstOther: client.firstOther,
    notes: result.notes,
    loadAverage: result.loadAverage,
    syncMs: Number(settings.routerEnv.ROUTER_STATE_SYNC_MS ?? settings.syncMs),
  };
}
