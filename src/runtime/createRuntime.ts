import { randomUUID } from 'node:crypto';
import { UndiciBackendClient } from '../backend/UndiciBackendClient';
import { readConfig } from '../config/readConfig';
import { Env } from '../config/settingsReader';
import { createCredentialSource } from '../credentials/createCredentialSource';
import { ConsumerKeys } from '../http/ConsumerKeys';
import { Router } from '../router/Router';
import { createStateStore } from '../state/createStateStore';
import { consoleEvents } from './consoleEvents';
import { Runtime } from './Runtime';

/** Wires the real parts together. Throws ConfigError (naming the setting) on bad configuration. */
export function createRuntime(env: Env): Runtime {
  const config = readConfig(env);
  const instanceId = env.WEBSITE_INSTANCE_ID?.slice(0, 12) ?? randomUUID().slice(0, 8);
  const stateHandle = createStateStore(config.state, { instanceId, now: Date.now, log: (line) => console.warn(line) });
  stateHandle.start();
  const state = stateHandle.store;
  const client = new UndiciBackendClient({ connectTimeoutMs: Math.min(config.backendTimeoutMs, 10_000) });
  // Preloads Key Vault secrets and Entra tokens in the background and keeps them fresh; start-up never waits.
  const credentials = createCredentialSource(config, (line) => console.warn(line));
  credentials.start();
  const router = new Router({
    config,
    state,
    credentials,
    client,
    now: Date.now,
    random: Math.random,
    events: consoleEvents(Date.now),
  });
  return {
    config,
    router,
    consumers: new ConsumerKeys(config.consumerKeys),
    state,
    stateHandle,
    credentials,
    client,
    instanceId,
    startedAtMs: Date.now(),
  };
}
