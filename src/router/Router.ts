import { BackendClient, BackendResponse, BackendResult } from '../backend/BackendClient';
import { BackendConfig, RouterConfig } from '../config/types';
import { backendKey } from '../core/windows';
import { AttemptOutcome, classifyResponse, classifyTransportFailure, FailureReason } from '../core/classifyAttempt';
import { estimateTokens } from '../core/estimateTokens';
import { finalFailure } from '../core/finalFailure';
import { planAttempts } from '../core/planAttempts';
import { parseRemaining } from '../core/remaining';
import { RouteTarget, TargetIndex } from '../core/targets';
import { CredentialSource } from '../credentials/CredentialSource';
import { StateStore } from '../state/StateStore';
import { CircuitBreakers } from './CircuitBreakers';
import { RouterEvents, silentEvents } from './RouterEvents';
import { backendRequest } from './backendRequest';
import { filterResponseHeaders, headerLookup } from './headers';
import { discard, readAll, relayStream, StreamEnd } from './relayStream';
import { StreamUsageMeter, usageOfBody } from './usageMeter';
import { TokenUsage } from '../core/usage';
import { ProxyRequest, RouteResult } from './types';

export interface RouterDeps {
  readonly config: RouterConfig;
  readonly state: StateStore;
  readonly credentials: CredentialSource;
  readonly client: BackendClient;
  readonly now: () => number;
  readonly random: () => number;
  readonly events?: RouterEvents;
}

type Failover = Extract<AttemptOutcome, { kind: 'failover' }>;

interface Served {
  readonly target: RouteTarget;
  readonly attempt: number;
  readonly latencyMs: number;
}
const CIRCUIT_REASONS: ReadonlySet<FailureReason> = new Set(['server-error', 'timeout', 'network']);

/** Sends a request to the best backend that can take it, failing over at once on 429/5xx/timeouts. */
export class Router {
  private readonly targets: TargetIndex;
  private readonly events: RouterEvents;
  readonly breakers: CircuitBreakers;
  private rotation = 0;

  constructor(private readonly deps: RouterDeps) {
    this.targets = new TargetIndex(deps.config.backends);
    this.events = deps.events ?? silentEvents;
    this.breakers = new CircuitBreakers(deps.config.circuit);
  }

  /** Whether any backend serves this deployment alias (else the caller gets a 404). */
  serves(alias: string): boolean {
    return this.targets.get(alias).length > 0;
  }

  async route(request: ProxyRequest): Promise<RouteResult> {
    const { config, now, state } = this.deps;
    const startMs = now();
    const deadlineMs = startMs + config.totalTimeoutMs;
    const plan = planAttempts({
      targets: this.targets.get(request.alias),
      windows: state,
      nowMs: startMs,
      random: this.deps.random,
      strategy: config.strategy,
      rotation: this.rotation++,
      remaining: state,
      estimatedTokens: estimateTokens(request.json),
      latency: { lookup: state, policy: config.latency },
    });
    let throttledUntilMs = plan.throttledUntilMs;
    const reasons: FailureReason[] = [];
    let attempts = 0;
    let skippedForCredentials = 0;
    // Failover is reported when the next attempt starts: a failed last attempt moved nowhere.
    let movingOn: { from: string; reason: FailureReason } | undefined;
    for (const target of plan.order) {
      const remainingMs = deadlineMs - now();
      if (attempts >= config.maxAttempts || remainingMs <= 0) break;
      const auth = this.deps.credentials.authHeader(target.backend);
      if (auth === undefined) {
        this.events.credentialUnavailable(target.backend.name);
        skippedForCredentials++;
        continue;
      }
      if (!this.breakers.admit(target.backend.name, now())) continue;
      attempts++;
      if (movingOn !== undefined) this.events.failover?.(movingOn.from, movingOn.reason);
      movingOn = undefined;
      const sentAtMs = now();
      const sent = await this.sendWithFreshCredential(request, target, await this.deps.client.send(backendRequest(request, target, auth, config, remainingMs)), deadlineMs);
      const outcome = this.outcomeOf(sent, target);
      if (outcome.kind !== 'failover' && sent.kind === 'response') {
        this.breakers.success(target.backend.name);
        const latencyMs = now() - sentAtMs;
        if (outcome.kind === 'success') state.recordLatency(target.deploymentKey, latencyMs, now());
        const result = await this.deliver(request, { target, attempt: attempts, latencyMs }, sent.response, outcome);
        if (result !== undefined) return result;
        reasons.push(this.fail(target, { kind: 'failover', reason: 'network', benchMs: config.throttle.failureMs, scope: 'backend' }));
        movingOn = { from: target.backend.name, reason: 'network' };
        continue;
      }
      if (sent.kind === 'response') discard(sent.response.body);
      if (outcome.kind !== 'failover') continue;
      reasons.push(this.fail(target, outcome));
      movingOn = { from: target.backend.name, reason: outcome.reason };
      if (outcome.reason === 'throttled') throttledUntilMs = Math.min(throttledUntilMs ?? Infinity, now() + outcome.benchMs);
    }
    const failure = finalFailure({ reasons, throttledUntilMs, nowMs: now(), skippedForCredentials });
    if (failure.status === 429) this.events.allThrottled?.(request.alias, request.consumer, failure.retryAfterMs);
    return { kind: 'failure', failure, attempts };
  }

  /**
   * A 401/403 may mean the key rotated or the token expired: refresh that backend's
   * credential once and retry the same backend once. Only failing requests pay for this.
   */
  private async sendWithFreshCredential(request: ProxyRequest, target: RouteTarget, sent: BackendResult, deadlineMs: number): Promise<BackendResult> {
    const { credentials, client, config, now } = this.deps;
    const rejected = sent.kind === 'response' && (sent.response.status === 401 || sent.response.status === 403);
    if (!rejected || credentials.refresh === undefined) return sent;
    discard(sent.response.body);
    const refreshed = await credentials.refresh(target.backend).catch(() => false);
    const auth = credentials.authHeader(target.backend);
    const remainingMs = deadlineMs - now();
    if (!refreshed || auth === undefined || remainingMs <= 0) return sent;
    const retried = await client.send(backendRequest(request, target, auth, config, remainingMs));
    if (retried.kind === 'response' && (retried.response.status === 401 || retried.response.status === 403)) {
      this.events.credentialRejected(target.backend);
    }
    return retried;
  }

  /** A failed probe counts towards the backend's circuit like a failed request. */
  probeFailed(backend: BackendConfig): void {
    const nowMs = this.deps.now();
    const openedUntilMs = this.breakers.failure(backend.name, nowMs);
    if (openedUntilMs === undefined) return;
    this.deps.state.openWindow(backendKey(backend.name), { untilMs: openedUntilMs, reason: 'circuit-open' });
    this.events.benched(backend.name, '*', 'circuit-open', openedUntilMs - nowMs);
  }

  private outcomeOf(sent: BackendResult, target: RouteTarget): AttemptOutcome {
    const { config, now } = this.deps;
    if (sent.kind !== 'response') return classifyTransportFailure(sent.kind === 'timeout' ? 'timeout' : 'network', config.throttle);
    const header = headerLookup(sent.response.headers);
    const remaining = parseRemaining(header, now());
    if (remaining !== undefined) this.deps.state.recordRemaining(target.deploymentKey, remaining);
    return classifyResponse(sent.response.status, header, now(), config.throttle);
  }

  /** Benches the target, counts the failure towards its circuit, and returns the reason. */
  private fail(target: RouteTarget, outcome: Failover): FailureReason {
    const nowMs = this.deps.now();
    const key = outcome.scope === 'backend' ? target.backendKey : target.deploymentKey;
    this.deps.state.openWindow(key, { untilMs: nowMs + outcome.benchMs, reason: outcome.reason });
    this.events.benched(target.backend.name, target.deployment, outcome.reason, outcome.benchMs);
    const openedUntilMs = CIRCUIT_REASONS.has(outcome.reason) ? this.breakers.failure(target.backend.name, nowMs) : undefined;
    if (openedUntilMs !== undefined) {
      this.deps.state.openWindow(target.backendKey, { untilMs: openedUntilMs, reason: 'circuit-open' });
      this.events.benched(target.backend.name, '*', 'circuit-open', openedUntilMs - nowMs);
    }
    return outcome.reason;
  }

  /** Builds the caller's response; undefined when a JSON body dropped before it was complete. */
  private async deliver(request: ProxyRequest, served: Served, response: BackendResponse, outcome: AttemptOutcome): Promise<RouteResult | undefined> {
    const backend = served.target.backend.name;
    const headers = filterResponseHeaders(response.headers);
    headers['x-router-backend'] = backend;
    headers['x-router-attempts'] = String(served.attempt);
    const base = { kind: 'response', status: response.status, headers, backend, attempts: served.attempt } as const;
    const wantsUsage = this.events.wantsUsage === true && outcome.kind === 'success';
    const isSse = outcome.kind === 'success' && request.stream && (headers['content-type'] ?? '').startsWith('text/event-stream');
    if (isSse) {
      const meter = wantsUsage ? new StreamUsageMeter(estimateTokens({ ...request.json, max_tokens: 0, max_completion_tokens: 0 })) : undefined;
      const onEnd = (end: StreamEnd, error?: Error): void => {
        this.events.streamEnded(backend, end, error);
        this.complete(request, served, response.status, meter?.usage());
      };
      return { ...base, body: relayStream(response.body, onEnd, meter && ((chunk) => meter.observe(chunk))) };
    }
    let body: Buffer;
    try {
      body = await readAll(response.body);
    } catch {
      return undefined;
    }
    this.complete(request, served, response.status, wantsUsage ? usageOfBody(body) : undefined);
    return { ...base, body };
  }

  private complete(request: ProxyRequest, served: Served, status: number, usage: TokenUsage | undefined): void {
    this.events.completed?.({
      consumer: request.consumer, alias: request.alias, backend: served.target.backend, deployment: served.target.deployment,
      status, attempts: served.attempt, backendLatencyMs: served.latencyMs, stream: request.stream, usage,
    });
  }
}
