import { RouterConfig } from '../config/types';
import { ConsumerKeys } from '../http/ConsumerKeys';
import { Router } from '../router/Router';
import { BackendClient } from '../backend/BackendClient';
import { CredentialSource } from '../credentials/CredentialSource';
import { StateStore } from '../state/StateStore';
import { StateStoreHandle } from '../state/createStateStore';
import { BackendTally } from '../status/BackendTally';
import type { HistoryShare } from '../status/historyShare';
import type { ResponseCache } from '../cache/ResponseCache';
import type { CacheTally } from '../cache/cacheTally';

/** Everything a function needs, built once per process from the settings. */
export interface Runtime {
  readonly config: RouterConfig;
  readonly router: Router;
  readonly consumers: ConsumerKeys;
  readonly state: StateStore;
  readonly stateHandle: StateStoreHandle;
  readonly client: BackendClient;
  readonly credentials: CredentialSource;
  readonly instanceId: string;
  /** Per-backend counts of this instance, for the status page. Optional: test runtimes may leave it out. */
  readonly tally?: BackendTally;
  /** This instance's request history, shared through the state table; optional like the tally. */
  readonly history?: HistoryShare;
  /** The response cache (ROUTER_CACHE) and its per-consumer counts; undefined when off. */
  readonly cache?: ResponseCache;
  readonly cacheTally?: CacheTally;
  readonly startedAtMs: number;
  readonly now: () => number;
  /** Final state sync, telemetry flush, connections closed. Called on appTerminate. */
  shutdown(): Promise<void>;
}
