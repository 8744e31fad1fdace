import { randomUUID } from 'node:crypto';
import { UndiciBackendClient } from '../backend/UndiciBackendClient';
import { readConfig } from '../config/readConfig';
import { Env } from '../config/settingsReader';
import { createCredentialSource } from '../credentials/createCredentialSource';
import { ConsumerKeys } from '../http/ConsumerKeys';
import { Router } from '../router/Router';
import { RouterEvents } from '../router/RouterEvents';
import { createStateStore } from '../state/createStateStore';
import { createTelemetry } from '../telemetry/createTelemetry';
import { composeEvents } from './composeEvents';
import { consoleEvents } from './consoleEvents';
import { Runtime } from './Runtime';
import { BackendTally } from '../status/BackendTally';
import { createHistoryShare } from '../status/createHistoryShare';
import { createResponseCache } from '../cache/createResponseCache';

const log = (line: string): void => console.warn(line);

/** Wires the real parts together. Throws ConfigError (naming the setting) on bad configuration. */
export function createRuntime(env: Env): Runtime {
  const config = readConfig(env);
  const instanceId = env.WEBSITE_INSTANCE_ID?.slice(0, 12) ?? randomUUID().slice(0, 8);
  const countUsage = config.consumerLimits.size > 0;
  const stateHandle = createStateStore(config.state, { instanceId, now: Date.now, log, countUsage });
  stateHandle.start();
  const state = stateHandle.store;
  const client = new UndiciBackendClient({ connectTimeoutMs: Math.min(config.backendTimeoutMs, 10_000) });
  // Preloads Key Vault secrets and Entra tokens in the background and keeps them fresh; start-up never waits.
  const credentials = createCredentialSource(config, log);
  credentials.start();
  const telemetry = createTelemetry(config.telemetryConnectionString, env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING, log);
  const usageCounter: RouterEvents | undefined = countUsage
    ? { wantsUsage: true, completed: (r) => r.usage && state.addUsage(r.consumer, r.usage.totalTokens, Date.now()) }
    : undefined;
  const tally = new BackendTally();
  const history = createHistoryShare(config.state, { instanceId, now: Date.now, log });
  history.start();
  const events = composeEvents([
    consoleEvents(Date.now, config.backends),
    tally.events,
    history.history.events,
    ...(telemetry ? [telemetry] : []),
    ...(usageCounter ? [usageCounter] : []),
  ]);
  const router = new Router({ config, state, credentials, client, now: Date.now, random: Math.random, events });
  const cacheHandle =
    config.cache &&
    createResponseCache(config.cache, config.state, {
      now: Date.now,
      log,
      route: (request) => router.route(request),
      listeners: telemetry ? [(outcome) => telemetry.cacheOutcome(outcome)] : [],
    });
  cacheHandle?.start();
  return {
    config,
    router,
    consumers: new ConsumerKeys(config.consumerKeys),
    state,
    stateHandle,
    credentials,
    client,
    instanceId,
    tally,
    history,
    cache: cacheHandle?.cache,
    cacheTally: cacheHandle?.tally,
    startedAtMs: Date.now(),
    now: Date.now,
    shutdown: async () => {
      await Promise.allSettled([stateHandle.stop(), history.stop(), telemetry?.flush(), client.close(), cacheHandle?.stop()]);
      credentials.stop?.();
    },
  };
}
