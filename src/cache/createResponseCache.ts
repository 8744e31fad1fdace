import { StateSettings } from '../config/types';
import { ProxyRequest, RouteResult } from '../router/types';
import { tableClient } from '../state/createStateStore';
import { CacheSettings } from './CacheSettings';
import { CacheStore } from './CacheStore';
import { CacheSync } from './CacheSync';
import { CacheView } from './CacheView';
import { CacheListener, CacheTally } from './cacheTally';
import { routerEmbedder } from './Embedder';
import { MemoryCacheStore } from './MemoryCacheStore';
import { ResponseCache } from './ResponseCache';
import { SemanticIndex } from './SemanticIndex';
import { TableCacheStore } from './TableCacheStore';

export interface ResponseCacheHandle {
  readonly cache: ResponseCache;
  readonly tally: CacheTally;
  readonly sync: CacheSync;
  readonly store: 'memory' | 'table';
  start(): void;
  stop(): Promise<void>;
}

export interface CacheWiring {
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** The router's own routing, for the embedding call. */
  readonly route: (request: ProxyRequest) => Promise<RouteResult>;
  readonly listeners?: readonly CacheListener[];
  /** Tests and benches hand in their own store. */
  readonly store?: CacheStore;
}

/**
 * The response cache when ROUTER_CACHE is on, else undefined. Entries live in the table
 * ROUTER_CACHE_TABLE of the state's storage account; with state in memory, in memory too.
 */
export function createResponseCache(settings: CacheSettings, state: StateSettings, wiring: CacheWiring): ResponseCacheHandle | undefined {
  if (settings.mode === 'off') return undefined;
  const kind = wiring.store !== undefined || state.kind === 'table' ? 'table' : 'memory';
  const store = wiring.store ?? (state.kind === 'table' ? new TableCacheStore(tableClient(state.connection, settings.tableName)) : new MemoryCacheStore());
  const view = new CacheView(settings.semantic === undefined ? undefined : new SemanticIndex());
  const tally = new CacheTally();
  const cache = new ResponseCache({
    settings,
    store,
    view,
    embedder: settings.semantic === undefined ? undefined : routerEmbedder(wiring.route, settings.semantic),
    now: wiring.now,
    log: wiring.log,
    listeners: [tally.listener, ...(wiring.listeners ?? [])],
  });
  const sync = new CacheSync(store, view, cache.health, { intervalMs: settings.syncIntervalMs, now: wiring.now });
  return {
    cache,
    tally,
    sync,
    store: kind,
    start: () => {
      const where = kind === 'table' ? `table ${settings.tableName}` : 'memory (state is per instance)';
      wiring.log(`[router] response cache ${settings.mode}, ttl ${settings.ttlMs / 1000} s, ${settings.shared ? 'shared' : 'per consumer'}, in ${where}`);
      sync.start();
    },
    stop: () => sync.stop(),
  };
}
