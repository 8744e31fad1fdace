import { BackendConfig, RouterConfig } from '../config/types';
import { CircuitState } from '../core/circuitBreaker';
import { windowKeys } from '../core/consumerLimits';
import { LatencyFigure, scoreLatency } from '../core/latency';
import { freshForRanking } from '../core/planAttempts';
import { Remaining } from '../core/remaining';
import { backendKey, isActive, Window } from '../core/windows';
import { StateStore } from '../state/StateStore';
import { HistoryView } from './historyView';

export interface StatusInput {
  readonly config: RouterConfig;
  readonly state: StateStore;
  readonly circuit: (backend: string) => CircuitState;
  /** This instance's per-backend counts (served, cached share, spillover, PTU utilization); optional for callers without one. */
  readonly tally?: (backend: string) => Record<string, number | null>;
  readonly credentialState: (backend: BackendConfig) => Record<string, unknown> & { state: string };
  readonly instanceId: string;
  readonly stateKind: 'memory' | 'table';
  readonly lastSyncAtMs: number | undefined;
  readonly startedAtMs: number;
  readonly nowMs: number;
  /** Response cache counts per consumer (hits, misses, bypasses, tokens saved); absent when ROUTER_CACHE is off. */
  readonly responseCache?: () => Record<string, unknown>;
  /** The app's history (`?history=1h`): included only when asked for. */
  readonly history?: HistoryView;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** What operators see: names and figures only, never a URL, key or token. */
export function buildStatus(input: StatusInput) {
  const backends = input.config.backends.map((backend) => backendStatus(backend, input));
  const order = [...backends]
    .sort((a, b) => a.effectivePriority - b.effectivePriority || (a.latencyMs ?? Infinity) - (b.latencyMs ?? Infinity))
    .map((b) => b.name);
  return {
    instance: input.instanceId,
    generatedAt: iso(input.nowMs),
    uptimeSeconds: Math.round((input.nowMs - input.startedAtMs) / 1000),
    ...(input.responseCache === undefined ? {} : { responseCache: input.responseCache() }),
    strategy: input.config.strategy,
    sharedState: {
      store: input.stateKind,
      lastSyncAt: input.lastSyncAtMs === undefined ? null : iso(input.lastSyncAtMs),
      dataAgeMs: input.lastSyncAtMs === undefined ? null : input.nowMs - input.lastSyncAtMs,
      liveInstances: input.state.liveInstances(),
    },
    order,
    backends,
    consumers: consumerStatus(input),
    ...(input.history === undefined ? {} : { history: input.history }),
  };
}

/** Tokens each consumer used in the current windows, across instances, against its limits (counted only when limits are set). */
function consumerStatus({ config, state, nowMs }: StatusInput) {
  const keys = windowKeys(nowMs);
  const counted = config.consumerLimits.size > 0;
  return [...new Set(config.consumerKeys.values())].map((name) => {
    const limit = config.consumerLimits.get(name);
    const used = (windowKey: string): number | null => (counted ? state.usage(name, windowKey) : null);
    return {
      name,
      tokensThisMinute: used(keys.minute),
      tokensToday: used(keys.day),
      tokensThisMonth: used(keys.month),
      tokensPerMinuteLimit: limit?.tokensPerMinute ?? null,
      quota: limit?.quota ?? null,
    };
  });
}

function backendStatus(backend: BackendConfig, input: StatusInput) {
  const { state, nowMs, config } = input;
  const prefix = `${backend.name}/`;
  const own = figureOf(state, backend.name, nowMs);
  const peers = config.backends.filter((b) => b.priority === backend.priority).map((b) => figureOf(state, b.name, nowMs)?.ewmaMs);
  const best = peers.reduce<number | undefined>((min, v) => (typeof v === 'number' ? Math.min(min ?? v, v) : min), undefined);
  const score = scoreLatency(backend.priority, own, best, config.latency);
  const whole = backendKey(backend.name);
  // The whole backend's entry (its bench, its probe figure) first; then the longest windows, the freshest figures and reports.
  const rank =
    <T>(by: (value: T) => number) =>
    ([ka, a]: [string, T], [kb, b]: [string, T]) =>
      Number(kb === whole) - Number(ka === whole) || by(b) - by(a);
  const windows = summarise(
    state.windows(),
    prefix,
    (w) => isActive(w, nowMs),
    rank<Window>((w) => w.untilMs),
  );
  const latency = summarise(
    state.latencies(),
    prefix,
    () => true,
    rank<LatencyFigure>((f) => f.atMs),
  );
  const remaining = summarise(
    state.remainings(),
    prefix,
    () => true,
    rank<Remaining>((r) => r.atMs),
  );
  return {
    name: backend.name,
    type: backend.type ?? null,
    priority: backend.priority,
    effectivePriority: score.effectivePriority,
    demoted: score.demoted,
    weight: backend.weight,
    speedFactor: Number(score.speedFactor.toFixed(3)),
    latencyMs: own === undefined ? null : Math.round(own.ewmaMs),
    credential: { kind: backend.credential.kind, ...input.credentialState(backend) },
    circuit: input.circuit(backend.name),
    /** Since this instance started: served answers, cached share of prompt tokens, spilled answers, last PTU utilization. */
    served: input.tally?.(backend.name) ?? null,
    windows: windows.shown.map(([key, w]) => ({
      deployment: key.slice(prefix.length),
      reason: w.reason,
      until: iso(w.untilMs),
      remainingMs: w.untilMs - nowMs,
    })),
    latency: latency.shown.map(([key, f]) => ({
      deployment: key.slice(prefix.length),
      ewmaMs: Math.round(f.ewmaMs),
      samples: f.samples,
      ageMs: nowMs - f.atMs,
    })),
    remaining: remaining.shown.map(([key, r]) => ({
      deployment: key.slice(prefix.length),
      tokens: r.tokens ?? null,
      requests: r.requests ?? null,
      ageMs: nowMs - r.atMs,
    })),
    /** How many more of each the lists leave out (see STATUS_LIST_MAX). */
    omitted: { windows: windows.omitted, latency: latency.omitted, remaining: remaining.omitted },
  };
}

/**
 * Entries per list and backend at most. With BACKEND_<N>_DEPLOYMENTS unset, callers can make up
 * deployment names by the thousand; the status stays small and says how many it left out.
 */
export const STATUS_LIST_MAX = 20;

/** The first STATUS_LIST_MAX of a backend's entries in `rank` order, and how many more there are. */
function summarise<T>(entries: Iterable<[string, T]>, prefix: string, keep: (value: T) => boolean, rank: (a: [string, T], b: [string, T]) => number) {
  const mine = [...entries].filter(([key, value]) => key.startsWith(prefix) && keep(value)).sort(rank);
  return { shown: mine.slice(0, STATUS_LIST_MAX), omitted: Math.max(0, mine.length - STATUS_LIST_MAX) };
}

/** As routing sees a backend: its best fresh deployment figure, else its fresh probe figure. */
function figureOf(state: StateStore, backend: string, nowMs: number): LatencyFigure | undefined {
  const whole = backendKey(backend);
  let best: LatencyFigure | undefined;
  for (const [key, figure] of state.latencies()) {
    if (!key.startsWith(`${backend}/`) || key === whole || freshForRanking(figure, nowMs) === undefined) continue;
    if (best === undefined || figure.ewmaMs < best.ewmaMs) best = figure;
  }
  return best ?? freshForRanking(state.getLatency(whole), nowMs);
}

export type RouterStatus = ReturnType<typeof buildStatus>;
