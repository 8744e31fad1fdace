import { BackendClient, BackendResponse } from '../backend/BackendClient';
import { RouterConfig } from '../config/types';
import { AttemptOutcome, classifyResponse, classifyTransportFailure, FailureReason } from '../core/classifyAttempt';
import { finalFailure } from '../core/finalFailure';
import { planAttempts } from '../core/planAttempts';
import { RouteTarget, TargetIndex } from '../core/targets';
import { CredentialSource } from '../credentials/CredentialSource';
import { StateStore } from '../state/StateStore';
import { RouterEvents, silentEvents } from './RouterEvents';
import { backendRequest } from './backendRequest';
import { filterResponseHeaders, headerLookup } from './headers';
import { discard, readAll, relayStream } from './relayStream';
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

interface Attempt {
  readonly target: RouteTarget;
  readonly number: number;
}

/** Sends a request to the best backend that can take it, failing over at once on 429/5xx/timeouts. */
export class Router {
  private readonly targets: TargetIndex;
  private readonly events: RouterEvents;
  private rotation = 0;

  constructor(private readonly deps: RouterDeps) {
    this.targets = new TargetIndex(deps.config.backends);
    this.events = deps.events ?? silentEvents;
  }

  /** Whether any backend serves this deployment alias (else the caller gets a 404). */
  serves(alias: string): boolean {
    return this.targets.get(alias).length > 0;
  }

  async route(request: ProxyRequest): Promise<RouteResult> {
    const { config, now } = this.deps;
    const startMs = now();
    const deadlineMs = startMs + config.totalTimeoutMs;
    const plan = planAttempts({
      targets: this.targets.get(request.alias),
      windows: this.deps.state,
      nowMs: startMs,
      random: this.deps.random,
      strategy: config.strategy,
      rotation: this.rotation++,
    });
    let throttledUntilMs = plan.throttledUntilMs;
    const reasons: FailureReason[] = [];
    let attempts = 0;
    for (const target of plan.order) {
      if (attempts >= config.maxAttempts) break;
      const remainingMs = deadlineMs - now();
      if (remainingMs <= 0) break;
      const auth = this.deps.credentials.authHeader(target.backend);
      if (auth === undefined) {
        this.events.credentialUnavailable(target.backend.name);
        continue;
      }
      attempts++;
      const sent = await this.deps.client.send(backendRequest(request, target, auth, config, remainingMs));
      const attempt = { target, number: attempts };
      const outcome = sent.kind === 'response' ? this.classify(sent.response) : classifyTransportFailure(sent.kind === 'timeout' ? 'timeout' : 'network', config.throttle);
      if (sent.kind === 'response' && outcome.kind !== 'failover') {
        const result = await this.deliver(request, attempt, sent.response, outcome);
        if (result !== undefined) return result;
        reasons.push('network');
        this.bench(target, { kind: 'failover', reason: 'network', benchMs: config.throttle.failureMs, scope: 'backend' });
        continue;
      }
      if (sent.kind === 'response') discard(sent.response.body);
      if (outcome.kind !== 'failover') continue;
      const untilMs = this.bench(target, outcome);
      if (outcome.reason === 'throttled') throttledUntilMs = Math.min(throttledUntilMs ?? Infinity, untilMs);
      reasons.push(outcome.reason);
    }
    return { kind: 'failure', failure: finalFailure({ reasons, throttledUntilMs, nowMs: now() }), attempts };
  }

  private classify(response: BackendResponse): AttemptOutcome {
    return classifyResponse(response.status, headerLookup(response.headers), this.deps.now(), this.deps.config.throttle);
  }

  private bench(target: RouteTarget, outcome: Extract<AttemptOutcome, { kind: 'failover' }>): number {
    const untilMs = this.deps.now() + outcome.benchMs;
    const key = outcome.scope === 'backend' ? target.backendKey : target.deploymentKey;
    this.deps.state.openWindow(key, { untilMs, reason: outcome.reason });
    this.events.benched(target.backend.name, target.deployment, outcome.reason, outcome.benchMs);
    return untilMs;
  }

  /** Builds the caller's response; undefined when a JSON body dropped before it was complete. */
  private async deliver(request: ProxyRequest, attempt: Attempt, response: BackendResponse, outcome: AttemptOutcome): Promise<RouteResult | undefined> {
    const headers = filterResponseHeaders(response.headers);
    headers['x-router-backend'] = attempt.target.backend.name;
    headers['x-router-attempts'] = String(attempt.number);
    const base = { kind: 'response', status: response.status, headers, backend: attempt.target.backend.name, attempts: attempt.number } as const;
    const isSse = outcome.kind === 'success' && request.stream && (headers['content-type'] ?? '').startsWith('text/event-stream');
    if (isSse) {
      const body = relayStream(response.body, (end, error) => this.events.streamEnded(attempt.target.backend.name, end, error));
      return { ...base, body };
    }
    try {
      return { ...base, body: await readAll(response.body) };
    } catch {
      return undefined;
    }
  }
}
