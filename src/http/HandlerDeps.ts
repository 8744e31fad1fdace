import { ResponseCache } from '../cache/ResponseCache';
import { CacheTally } from '../cache/cacheTally';
import { RouterConfig } from '../config/types';
import type { HistoryShare } from '../status/historyShare';
import { CredentialSource } from '../credentials/CredentialSource';
import { Router } from '../router/Router';
import { StateStore } from '../state/StateStore';
import { BackendTally } from '../status/BackendTally';
import { ConsumerKeys } from './ConsumerKeys';

/**
 * What the HTTP handlers use, each taking only its part: the process Runtime satisfies all of
 * them, and a test builds just the pieces one handler touches.
 */
export interface ProxyDeps {
  readonly config: RouterConfig;
  readonly router: Router;
  readonly consumers: ConsumerKeys;
  readonly state: StateStore;
  readonly now: () => number;
  /** The response cache; undefined when ROUTER_CACHE is off. */
  readonly cache?: ResponseCache;
}

export type ModelsDeps = Pick<ProxyDeps, 'config' | 'consumers'>;

export interface StatusDeps extends ProxyDeps {
  readonly credentials: CredentialSource;
  readonly stateHandle: { readonly kind: 'memory' | 'table'; lastSyncAtMs(): number | undefined };
  readonly instanceId: string;
  readonly startedAtMs: number;
  readonly tally?: BackendTally;
  /** The app's request history (every instance's), for `?history=` and the charts; optional for test runtimes. */
  readonly history?: HistoryShare;
  /** This instance's response cache counts per consumer; undefined when ROUTER_CACHE is off. */
  readonly cacheTally?: CacheTally;
}
