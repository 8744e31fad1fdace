import { BackendConfig, RouterConfig } from '../../src/config/types';
import { CredentialSource } from '../../src/credentials/CredentialSource';
import { StaticKeyCredentialSource } from '../../src/credentials/StaticKeyCredentialSource';
import { ConsumerKeys } from '../../src/http/ConsumerKeys';
import { Router } from '../../src/router/Router';
import { RouterEvents } from '../../src/router/RouterEvents';
import { Runtime } from '../../src/runtime/Runtime';
import { MemoryStateStore } from '../../src/state/MemoryStateStore';
import { FakeBackendClient, Script } from './FakeBackendClient';
import { NOW, routerConfig } from './fixtures';

export interface TestRuntime extends Runtime {
  readonly client: FakeBackendClient;
  readonly state: MemoryStateStore;
  advance(ms: number): void;
}

/** The real Router and HTTP layer over a scripted backend client and a fake clock. */
export function testRuntime(
  backends: BackendConfig[],
  script: Script,
  overrides: Partial<RouterConfig> = {},
  credentials: CredentialSource = new StaticKeyCredentialSource(backends),
  events?: RouterEvents,
): TestRuntime {
  const config = routerConfig(backends, overrides);
  const client = new FakeBackendClient(script);
  const state = new MemoryStateStore();
  let now = NOW;
  const router = new Router({ config, state, credentials, client, now: () => now, random: () => 0.5, events, sleep: async (ms) => void (now += ms) });
  return {
    config,
    router,
    client,
    state,
    credentials,
    stateHandle: {
      store: state,
      kind: 'memory',
      start: () => undefined,
      stop: async () => undefined,
      claimLease: async () => true,
      lastSyncAtMs: () => undefined,
    },
    consumers: new ConsumerKeys(config.consumerKeys),
    instanceId: 'test',
    startedAtMs: NOW,
    shutdown: async () => undefined,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}
