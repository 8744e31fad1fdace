import { BackendClient, BackendResult } from '../backend/BackendClient';
import { BackendConfig, RouterConfig } from '../config/types';
import { backendKey } from '../core/windows';
import { AttemptOutcome, classifyResponse, classifyTransportFailure, FailureReason } from '../core/classifyAttempt';
import { affinityKey } from '../core/affinity';
import { estimateTokens } from '../core/estimateTokens';
import { finalFailure } from '../core/finalFailure';
import { AttemptPlan, planAttempts } from '../core/planAttempts';
import { parseRemaining, RATE_WINDOW_MS } from '../core/remaining';
import { RouteTarget, TargetIndex } from '../core/targets';
import { CredentialSource } from '../credentials/CredentialSource';
import { StateStore } from '../state/StateStore';
import { CircuitBreakers } from './CircuitBreakers';
import { RouterEvents, silentEvents } from './RouterEvents';
import { backendRequest } from './backendRequest';
import { deliver, Served } from './deliver';
import { Redactor, secretOf } from './redact';
import { withStreamUsage } from './streamUsage';
import { InFlight } from './InFlight';
import { RemainingShare, ShareLookup } from './RemainingShare';
import { headerLookup } from './headers';
import { discard, readAll } from './relayStream';
import { ProxyRequest, RouteResult } from './types';
import { Readable } from 'node:stream';
import { StoredIds } from '../core/storedIds';

/** How long Azure needs, in practice, before a just-completed response can be chained. */
export const RACE_RETRY_MS = 300;

export interface RouterDeps {
  readonly config: RouterConfig;
  readonly state: StateStore;
  readonly credentials: CredentialSource;
  readonly client: BackendClient;
  readonly now: () => number;
  readonly random: () => number;
  readonly events?: RouterEvents;
  /** Waits before a same-backend retry (Azure's previous_response_not_found race); setTimeout by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Failover = Extract<AttemptOutcome, { kind: 'failover' }>;

/** What one request has learned so far, across its attempts. */
/** A backend call and when it was sent. */
interface SentCall {
  readonly sent: BackendResult;
  readonly sentAtMs: number;
}

interface Progress {
  attempts: number;
  readonly reasons: FailureReason[];
  skippedForCredentials: number;
  throttledUntilMs: number | undefined;
  movingOn: { from: string; reason: FailureReason } | undefined;
  readonly estimatedTokens: number;
  /** Attempts that timed out: a slow generation is re-sent to at most ROUTER_TIMEOUT_RETRIES more backends. */
  timeouts: number;
  readonly addedStreamUsage: boolean;
}

/** Sends a request to the best backend that can take it, failing over at once on 429/5xx/timeouts. */
export class Router {
  private readonly targets: TargetIndex;
  private readonly events: RouterEvents;
  readonly breakers: CircuitBreakers;
  private rotation = 0;
  private readonly inFlight = new InFlight();
  private readonly share: RemainingShare;
  private readonly shareLookup: ShareLookup;

  constructor(private readonly deps: RouterDeps) {
    this.targets = new TargetIndex(deps.config.backends);
    this.events = deps.events ?? silentEvents;
    this.breakers = new CircuitBreakers(deps.config.circuit);
    this.share = new RemainingShare(deps.state, () => deps.state.liveInstances(), {
      now: deps.now,
      random: deps.random,
      windowMs: deps.config.rateWindowMs ?? RATE_WINDOW_MS,
    });
    this.shareLookup = this.share.lookup();
    this.storedIds = deps.config.idSecret === undefined ? undefined : new StoredIds(deps.config.idSecret);
  }

  /** Seals and opens the ids of stored objects; undefined without ROUTER_ID_SECRET. */
  readonly storedIds: StoredIds | undefined;

  async route(caller: ProxyRequest): Promise<RouteResult> {
    const { config, now } = this.deps;
    const usageBody = this.meterStream(caller);
    const request = usageBody === undefined ? caller : { ...caller, body: usageBody };
    const candidates = this.targets.candidates(request.alias, request.boundTo);
    if (candidates.length === 0) return { kind: 'unserved' };
    const deadlineMs = now() + config.totalTimeoutMs;
    const promptTokens = request.operation.estimatePrompt(request.json);
    const estimatedTokens = estimateTokens(() => promptTokens, request.json);
    const plan = this.plan(candidates, estimatedTokens, affinityKey(request.json, promptTokens, config.affinity));
    const progress: Progress = {
      attempts: 0,
      reasons: [],
      skippedForCredentials: 0,
      throttledUntilMs: plan.throttledUntilMs,
      movingOn: undefined,
      estimatedTokens,
      timeouts: 0,
      addedStreamUsage: usageBody !== undefined,
    };
    for (const target of plan.order) {
      if (progress.attempts >= config.maxAttempts || deadlineMs - now() <= 0) break;
      // Every backend pays for a generation it was sent: a slow one is not re-sent to all of them.
      if (progress.timeouts > config.timeoutRetries) break;
      const result = await this.tryTarget(request, target, progress, deadlineMs);
      if (result !== undefined) return result;
    }
    const bound = request.boundTo === undefined ? undefined : candidates[0];
    const failure = finalFailure({
      reasons: progress.reasons,
      throttledUntilMs: progress.throttledUntilMs,
      nowMs: now(),
      skippedForCredentials: progress.skippedForCredentials,
      boundRetryAfterMs: bound && this.unavailableForMs(bound),
    });
    if (failure.status === 429) this.events.allThrottled?.(request.alias, request.consumer, failure.retryAfterMs);
    return { kind: 'failure', failure, attempts: progress.attempts };
  }

  /** A metered chat stream that did not ask for usage gets the body that asks for it (see withStreamUsage). */
  private meterStream(request: ProxyRequest): Buffer | undefined {
    if (this.events.wantsUsage !== true || !request.stream || request.operation.stream?.kind !== 'chat' || request.body === undefined) return undefined;
    return withStreamUsage(request.body, request.json);
  }

  /** How long a bound backend is out of reach by what is known: its window or circuit, else one failure bench. */
  private unavailableForMs(target: RouteTarget): number {
    const nowMs = this.deps.now();
    const until = Math.max(this.deps.state.getWindow(target.deploymentKey)?.untilMs ?? 0, this.deps.state.getWindow(target.backendKey)?.untilMs ?? 0);
    return Math.max(1000, until - nowMs, Math.min(this.deps.config.throttle.failureMs, 30_000));
  }

  private plan(targets: readonly RouteTarget[], estimatedTokens: number, affinityKey: string | undefined): AttemptPlan {
    const { config, state } = this.deps;
    return planAttempts({
      targets,
      windows: state,
      nowMs: this.deps.now(),
      random: this.deps.random,
      strategy: config.strategy,
      rotation: this.rotation++,
      remaining: this.shareLookup,
      rateWindowMs: config.rateWindowMs,
      estimatedTokens,
      affinityKey,
      latency: config.latency.enabled ? { lookup: this.inFlight.over(state, this.deps.now()), policy: config.latency } : undefined,
    });
  }

  /** One attempt: the caller's response when this target settles the request, else undefined (move on). */
  private async tryTarget(request: ProxyRequest, target: RouteTarget, progress: Progress, deadlineMs: number): Promise<RouteResult | undefined> {
    const { config, now, state } = this.deps;
    const auth = this.deps.credentials.authHeader(target.backend);
    if (auth === undefined) {
      this.events.credentialUnavailable?.(target.backend.name);
      progress.skippedForCredentials++;
      return undefined;
    }
    if (!this.breakers.admit(target.deploymentKey, now()) || !this.breakers.admit(target.backendKey, now())) return undefined;
    // Checked again here: time passes between the loop's check and the send, and a timeout of 0 means none to undici.
    if (deadlineMs - now() < 1) return undefined;
    progress.attempts++;
    // Failover is reported when the next attempt starts: a failed last attempt moved nowhere.
    if (progress.movingOn !== undefined) this.events.failover?.(progress.movingOn.from, progress.movingOn.reason);
    const sentAtMs = now();
    const charged = this.share.charge(target.deploymentKey, progress.estimatedTokens, state.getRemaining(target.deploymentKey)?.atMs);
    this.inFlight.begin(target.deploymentKey, sentAtMs);
    let sent: BackendResult;
    let answeredCallAtMs: number;
    try {
      const first = await this.deps.client.send(backendRequest(request, target, auth, config, deadlineMs - sentAtMs));
      const call = await this.sendWithFreshCredential(request, target, { sent: first, sentAtMs }, deadlineMs);
      ({ sent, sentAtMs: answeredCallAtMs } = await this.retryPreviousResponseRace(request, target, call, deadlineMs));
    } finally {
      this.inFlight.end(target.deploymentKey, sentAtMs);
    }
    // Azure counted it (only a 429 is refused uncounted): its slot is this instance's again one window on.
    if (sent.kind === 'response' && sent.response.status !== 429) charged.admitted = true;
    const outcome = this.outcomeOf(sent, target, request);
    if (outcome.kind === 'failover' || sent.kind !== 'response') {
      if (sent.kind === 'response') discard(sent.response.body);
      if (outcome.kind === 'failover') this.recordFailure(progress, target, outcome);
      return undefined;
    }
    this.breakers.success(target.deploymentKey);
    this.breakers.success(target.backendKey);
    // The call that answered, not a refused first call plus a credential refresh.
    const latencyMs = now() - answeredCallAtMs;
    if (outcome.kind === 'success') state.recordLatency(target.deploymentKey, latencyMs, now());
    const current = this.deps.credentials.authHeader(target.backend);
    const served: Served = {
      target,
      attempt: progress.attempts,
      latencyMs,
      storedIds: this.storedIds,
      remainingMs: deadlineMs - now(),
      maxResponseBytes: config.maxResponseBytes,
      redactor: new Redactor([secretOf(auth.value), ...(current === undefined ? [] : [secretOf(current.value)])]),
      addedStreamUsage: progress.addedStreamUsage,
    };
    const delivery = await deliver(request, served, sent.response, outcome.kind === 'success', this.events);
    if (delivery.kind === 'response') return delivery;
    // A drop mid-body, or a stream whose first event is an error: this deployment's answer failed, not the backend.
    this.recordFailure(progress, target, {
      kind: 'failover',
      reason: delivery.reason,
      benchMs: config.throttle.failureMs,
      scope: 'deployment',
      circuit: 'failure',
    });
    return undefined;
  }

  private recordFailure(progress: Progress, target: RouteTarget, outcome: Failover): void {
    progress.reasons.push(this.fail(target, outcome));
    progress.movingOn = { from: target.backend.name, reason: outcome.reason };
    if (outcome.reason === 'timeout') progress.timeouts++;
    if (outcome.reason === 'throttled') progress.throttledUntilMs = Math.min(progress.throttledUntilMs ?? Infinity, this.deps.now() + outcome.benchMs);
  }

  /**
   * A 401/403 may mean the key rotated or the token expired: refresh that backend's
   * credential once and retry the same backend once. Only failing requests pay for this.
   */
  private async sendWithFreshCredential(request: ProxyRequest, target: RouteTarget, call: SentCall, deadlineMs: number): Promise<SentCall> {
    const { credentials, client, config, now } = this.deps;
    const { sent } = call;
    const rejected = sent.kind === 'response' && (sent.response.status === 401 || sent.response.status === 403);
    if (!rejected || credentials.refresh === undefined) return call;
    discard(sent.response.body);
    const refreshed = await credentials.refresh(target.backend).catch(() => false);
    const auth = credentials.authHeader(target.backend);
    const sentAtMs = now();
    if (!refreshed || auth === undefined || deadlineMs - sentAtMs < 1) return call;
    const retried = await client.send(backendRequest(request, target, auth, config, deadlineMs - sentAtMs));
    if (retried.kind === 'response' && (retried.response.status === 401 || retried.response.status === 403)) {
      this.events.credentialRejected?.(target.backend);
    }
    return { sent: retried, sentAtMs };
  }

  /**
   * Azure answers `400 previous_response_not_found` now and then on the very backend that holds
   * the previous response, right after it completed. The only cure is patience on that same
   * backend: once, after RACE_RETRY_MS, within the deadline. Never another backend.
   */
  private async retryPreviousResponseRace(request: ProxyRequest, target: RouteTarget, call: SentCall, deadlineMs: number): Promise<SentCall> {
    const { sent } = call;
    if (sent.kind !== 'response' || sent.response.status !== 400 || request.boundTo === undefined || request.json.previous_response_id === undefined)
      return call;
    const text = await readAll(sent.response.body, { maxBytes: 1 << 20, remainingMs: deadlineMs - this.deps.now() }).catch(() => undefined);
    const replay = (body: Buffer): SentCall => ({ ...call, sent: { kind: 'response', response: { ...sent.response, body: Readable.from([body]) } } });
    if (text === undefined) return replay(Buffer.alloc(0));
    if (!text.includes('previous_response_not_found') || deadlineMs - this.deps.now() < RACE_RETRY_MS + 1) return replay(text);
    await (this.deps.sleep ?? sleep)(RACE_RETRY_MS);
    const auth = this.deps.credentials.authHeader(target.backend);
    if (auth === undefined) return replay(text);
    const sentAtMs = this.deps.now();
    return { sent: await this.deps.client.send(backendRequest(request, target, auth, this.deps.config, deadlineMs - sentAtMs)), sentAtMs };
  }

  /** A failed probe counts towards the backend's circuit like a failed connection. */
  probeFailed(backend: BackendConfig): void {
    this.countFailure(backend.name, '*', backendKey(backend.name));
  }

  private outcomeOf(sent: BackendResult, target: RouteTarget, request: ProxyRequest): AttemptOutcome {
    const { config, now } = this.deps;
    if (sent.kind !== 'response') return classifyTransportFailure(sent.kind, config.throttle, request.stream);
    const header = headerLookup(sent.response.headers);
    // Only an answer from the deployment itself says what it has left; a 404 names one that does not exist.
    const status = sent.response.status;
    const outcome = classifyResponse(status, header, now(), config.throttle);
    const remaining = status < 300 || status === 429 ? parseRemaining(header, now()) : undefined;
    // A 429's report holds only until its Retry-After: the backend said when it has room again.
    const freshUntilMs = outcome.kind === 'failover' && outcome.reason === 'throttled' ? now() + outcome.benchMs : undefined;
    if (remaining !== undefined) this.deps.state.recordRemaining(target.deploymentKey, freshUntilMs === undefined ? remaining : { ...remaining, freshUntilMs });
    return outcome;
  }

  /**
   * Benches the target and tells the circuit of the benched key: a deployment's failures open
   * that deployment's circuit, only connection failures the backend's, so one broken deployment
   * (or one consumer's requests to it) never takes the backend's other deployments down.
   */
  private fail(target: RouteTarget, outcome: Failover): FailureReason {
    const nowMs = this.deps.now();
    const key = outcome.scope === 'backend' ? target.backendKey : target.deploymentKey;
    this.deps.state.openWindow(key, { untilMs: nowMs + outcome.benchMs, reason: outcome.reason });
    this.events.benched?.(target.backend.name, target.deployment, outcome.reason, outcome.benchMs);
    if (outcome.circuit === 'answered') {
      this.breakers.success(target.deploymentKey);
      this.breakers.success(target.backendKey);
    }
    if (outcome.circuit === 'failure') this.countFailure(target.backend.name, outcome.scope === 'backend' ? '*' : target.deployment, key);
    return outcome.reason;
  }

  private countFailure(backendName: string, deployment: string, key: string): void {
    const nowMs = this.deps.now();
    const openedUntilMs = this.breakers.failure(key, nowMs);
    if (openedUntilMs === undefined) return;
    this.deps.state.openWindow(key, { untilMs: openedUntilMs, reason: 'circuit-open' });
    this.events.benched?.(backendName, deployment, 'circuit-open', openedUntilMs - nowMs);
  }
}
