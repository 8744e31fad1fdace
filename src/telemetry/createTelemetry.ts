import { CACHE_NAMES, CacheOutcome } from '../cache/cacheTally';
import { CompletedRequest, RouterEvents } from '../router/RouterEvents';
import { WindowReason } from '../core/windows';

/** The part of applicationinsights 3.x's TelemetryClient we use. */
interface AiClient {
  trackMetric(metric: { name: string; value: number; properties?: Record<string, string> }): void;
  trackEvent(event: { name: string; properties?: Record<string, string>; measurements?: Record<string, number> }): void;
  flush(): Promise<void> | void;
}

interface AiConfiguration {
  setAutoCollectRequests(on: boolean): AiConfiguration;
  setAutoCollectDependencies(on: boolean): AiConfiguration;
  setAutoCollectPerformance(on: boolean, extended: boolean): AiConfiguration;
  setAutoCollectConsole(on: boolean): AiConfiguration;
}

interface AiModule {
  setup(connectionString: string): AiConfiguration;
  start(): unknown;
  defaultClient: AiClient & { config: { aadTokenCredential?: unknown } };
}

/**
 * APPLICATIONINSIGHTS_AUTHENTICATION_STRING=`Authorization=AAD;ClientId=<uami>`: send with the
 * managed identity, for resources that accept Entra ID ingestion only (as the Bicep deploys).
 */
function entraCredential(authentication: string | undefined): unknown {
  if (authentication === undefined || !/Authorization=AAD/i.test(authentication)) return undefined;
  const clientId = /ClientId=([^;]+)/i.exec(authentication)?.[1]?.trim();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- only with telemetry on
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return clientId === undefined ? new ManagedIdentityCredential() : new ManagedIdentityCredential({ clientId });
}

export interface Telemetry extends RouterEvents {
  /** A cacheable request's cache outcome (the response cache's listener). */
  cacheOutcome(outcome: CacheOutcome): void;
  flush(): Promise<void>;
}

/**
 * Application Insights, loaded only when a connection string is set: the package costs about
 * a second to load and throws on first use without one. Metric names and dimensions follow
 * APIM's token metric policy ("Prompt Tokens", "Completion Tokens", "Total Tokens") so existing
 * workbooks keep working. Telemetry never blocks or fails a request: every call is guarded.
 */
export function createTelemetry(connectionString: string | undefined, authentication: string | undefined, log: (line: string) => void): Telemetry | undefined {
  if (connectionString === undefined) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
    const ai = require('applicationinsights') as AiModule;
    const config = ai.setup(connectionString);
    // The Functions host records requests itself; the router sends only its own telemetry.
    config.setAutoCollectRequests(false).setAutoCollectDependencies(false).setAutoCollectPerformance(false, false).setAutoCollectConsole(false);
    const credential = entraCredential(authentication);
    if (credential !== undefined) ai.defaultClient.config.aadTokenCredential = credential;
    ai.start();
    return telemetryOver(ai.defaultClient, log);
  } catch (err) {
    log(`[router] Application Insights disabled: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export function telemetryOver(client: AiClient, log: (line: string) => void): Telemetry {
  let failures = 0;
  const guard = (what: () => void): void => {
    try {
      what();
    } catch (err) {
      if (failures++ === 0) log(`[router] telemetry call failed (further failures are not logged): ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return {
    wantsUsage: true,
    completed: (r) => guard(() => trackCompleted(client, r)),
    cacheOutcome: (o) =>
      guard(() => {
        const properties = { Consumer: o.consumer, Deployment: o.alias, Status: o.status, ...(o.match === undefined ? {} : { Match: o.match }) };
        client.trackEvent({ name: CACHE_NAMES.event, properties, measurements: { TokensSaved: o.tokensSaved } });
        if (o.status === 'hit')
          client.trackMetric({ name: CACHE_NAMES.tokensSavedMetric, value: o.tokensSaved, properties: { Consumer: o.consumer, Deployment: o.alias } });
      }),
    failover: (from, reason) => guard(() => client.trackEvent({ name: 'Failover', properties: { Backend: from, Reason: reason } })),
    allThrottled: (alias, consumer, retryAfterMs) =>
      guard(() =>
        client.trackEvent({
          name: 'AllBackendsThrottled',
          properties: { Deployment: alias, Consumer: consumer },
          measurements: { RetryAfterMs: retryAfterMs },
        }),
      ),
    benched: (backend, deployment, reason, benchMs) => guard(() => trackBench(client, backend, deployment, reason, benchMs)),
    credentialRejected: (backend) => guard(() => client.trackEvent({ name: 'CredentialRejected', properties: { Backend: backend.name } })),
    streamEnded: (backend, end) => guard(() => end === 'interrupted' && client.trackEvent({ name: 'StreamInterrupted', properties: { Backend: backend } })),
    flush: async () => {
      try {
        await client.flush();
      } catch {
        // shutting down: nothing more to do
      }
    },
  };
}

function trackCompleted(client: AiClient, r: CompletedRequest): void {
  const dims = { Backend: r.backend.name, Deployment: r.alias, Consumer: r.consumer, Priority: String(r.backend.priority), Spillover: String(r.spilledOver) };
  if (r.utilizationPercent !== undefined)
    client.trackMetric({ name: 'Deployment Utilization', value: r.utilizationPercent, properties: { Backend: r.backend.name, Deployment: r.alias } });
  client.trackMetric({ name: 'Backend Latency', value: r.backendLatencyMs, properties: { Backend: r.backend.name, Deployment: r.alias } });
  if (r.usage === undefined) return;
  const properties = { ...dims, Estimated: String(r.usage.estimated) };
  client.trackMetric({ name: 'Prompt Tokens', value: r.usage.promptTokens, properties });
  client.trackMetric({ name: 'Completion Tokens', value: r.usage.completionTokens, properties });
  client.trackMetric({ name: 'Total Tokens', value: r.usage.totalTokens, properties });
  if (r.usage.cachedTokens !== undefined) client.trackMetric({ name: 'Cached Tokens', value: r.usage.cachedTokens, properties });
  if (r.usage.reasoningTokens !== undefined) client.trackMetric({ name: 'Reasoning Tokens', value: r.usage.reasoningTokens, properties });
}

function trackBench(client: AiClient, backend: string, deployment: string, reason: WindowReason, benchMs: number): void {
  const name = reason === 'circuit-open' ? 'CircuitOpened' : 'WindowOpened';
  client.trackEvent({ name, properties: { Backend: backend, Deployment: deployment, Reason: reason }, measurements: { DurationMs: benchMs } });
}
