/** What one simulated backend remembers between requests, and what one request carries through the pipeline. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createAuthCheck, type AuthCheck } from './auth';
import { FaultSchedule } from './faults';
import { perWindow, SlidingWindowLimiter, WINDOW_MS } from './limiter';
import { createMemory, stopRuns, type ResourceMemory } from './memory';
import { PromptCache } from './promptCache';
import type { RecordedRequest, SimulatedBackendOptions, SimulatedBackendStats } from './types';

export interface BackendState {
  readonly name: string;
  readonly region: string;
  /** `azureml-model-session` value, sanitized once so it is always a legal header. */
  readonly modelSession: string;
  /** Requests per rate window (per minute by default); undefined = unlimited. */
  readonly rpm: number | undefined;
  /** Tokens per rate window (per minute by default); undefined = unlimited. */
  readonly tpm: number | undefined;
  readonly rateWindowMs: number;
  readonly configuredLatencyMs: number;
  latencyMs: number;
  readonly chunkIntervalMs: number;
  readonly completionTokens: number;
  readonly auth: AuthCheck | undefined;
  readonly deployments: ReadonlySet<string> | undefined;
  readonly now: () => number;
  readonly requests: RecordedRequest[];
  readonly stats: SimulatedBackendStats;
  readonly faults: FaultSchedule;
  /** Azure limits each deployment separately, so each gets its own window. */
  readonly limiters: Map<string, SlidingWindowLimiter>;
  /** Stored responses, items and conversations: the resource's own, never another's. */
  readonly memory: ResourceMemory;
  /** Azure's prompt cache, per deployment of this resource. */
  readonly promptCache: PromptCache;
}

export interface Exchange {
  readonly state: BackendState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly query: string;
  readonly body: string;
  /** Known once routed; picks the limiter whose remaining counts the headers report. */
  deployment: string | undefined;
  /** From a `delay` fault: added before the headers of any answer. */
  extraDelayMs: number;
  /** A prompt-cache hit answers sooner: the success latency is scaled by this (1 = no hit). */
  latencyScale: number;
  /** From a `dropMidStream` fault: cut the successful answer after this many chunks. */
  dropAfterChunks: number | undefined;
  /** Counted into stats.tokensServed when the success answer goes out. */
  servedTokens: number;
}

export const MAX_RECORDED_REQUESTS = 10_000;

export function createState(options: SimulatedBackendOptions): BackendState {
  const latencyMs = options.latencyMs ?? 0;
  const rateWindowMs = options.rateWindowMs ?? WINDOW_MS;
  return {
    name: options.name,
    region: options.region ?? 'East US',
    modelSession: `d001-${options.name.replace(/[^\w.-]/g, '_')}`,
    rpm: perWindow(options.rpm, rateWindowMs),
    tpm: perWindow(options.tpm, rateWindowMs),
    rateWindowMs,
    configuredLatencyMs: latencyMs,
    latencyMs,
    chunkIntervalMs: options.chunkIntervalMs ?? 0,
    completionTokens: options.completionTokens ?? 16,
    auth: createAuthCheck(options.apiKey, options.acceptBearer),
    deployments: options.deployments === undefined ? undefined : new Set(options.deployments),
    now: options.now ?? Date.now,
    requests: [],
    stats: { received: 0, served: 0, throttled: 0, failed: 0, tokensServed: 0 },
    faults: new FaultSchedule(),
    limiters: new Map(),
    memory: createMemory(),
    promptCache: new PromptCache(options.promptCacheIdleMs),
  };
}

/** Mutates in place: callers hold references to `requests` and `stats`. */
export function resetState(state: BackendState): void {
  state.requests.length = 0;
  Object.assign(state.stats, { received: 0, served: 0, throttled: 0, failed: 0, tokensServed: 0 });
  state.faults.clear();
  state.limiters.clear();
  stopRuns(state.memory, true);
  state.promptCache.clear();
  state.latencyMs = state.configuredLatencyMs;
}

export function limiterFor(state: BackendState, deployment: string): SlidingWindowLimiter {
  let limiter = state.limiters.get(deployment);
  if (limiter === undefined) {
    limiter = new SlidingWindowLimiter(state.rpm, state.tpm, state.rateWindowMs);
    state.limiters.set(deployment, limiter);
  }
  return limiter;
}

/** Keeps the last MAX_RECORDED_REQUESTS; V8 left-trims on shift, so this stays O(1). */
export function recordRequest(state: BackendState, request: RecordedRequest): void {
  const requests = state.requests;
  requests.push(request);
  if (requests.length > MAX_RECORDED_REQUESTS) requests.shift();
}
