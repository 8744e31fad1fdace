import { ProxyRequest, RouteResult } from '../router/types';
import { CacheSettings } from './CacheSettings';
import { CacheEntry, CacheStore, EntryHead } from './CacheStore';
import { CacheView } from './CacheView';
import { cacheKeys, CacheKeys } from './cacheKey';
import { CacheListener, CacheStatus } from './cacheTally';
import { captureAnswer, Captured } from './captureAnswer';
import { Embedder } from './Embedder';
import { replay } from './replay';
import { StoreHealth } from './StoreHealth';

/** The operations whose answers are cached: chat completions and Responses creates. */
const CACHEABLE: ReadonlySet<string> = new Set(['chatCompletions', 'responses']);

export interface ResponseCacheDeps {
  readonly settings: CacheSettings;
  readonly store: CacheStore;
  readonly view: CacheView;
  /** Semantic mode only. */
  readonly embedder: Embedder | undefined;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly listeners: readonly CacheListener[];
}

/** The routed answer, and what the cache did (undefined for a route the cache never applies to). */
export interface CachedAnswer {
  readonly result: RouteResult;
  readonly status: CacheStatus | undefined;
}

type Decision = { readonly kind: 'skip' } | { readonly kind: 'bypass'; readonly store: boolean } | { readonly kind: 'use' };

/**
 * Looks a request up before routing and stores a complete success after it. A miss is decided
 * in memory (the view); only a likely hit reads the store, within the lookup timeout, and a
 * store that fails or is slow makes it a miss: the answer is always served.
 */
export class ResponseCache {
  readonly health: StoreHealth;

  constructor(private readonly deps: ResponseCacheDeps) {
    this.health = new StoreHealth(deps.log);
  }

  async route(request: ProxyRequest, cacheControl: string | null, route: () => Promise<RouteResult>): Promise<CachedAnswer> {
    const decision = this.decide(request, cacheControl);
    if (decision.kind === 'skip') return { result: await route(), status: undefined };
    const keys = cacheKeys(request, this.deps.settings.shared);
    if (decision.kind === 'bypass') {
      this.report(request, 'bypass');
      const result = await route();
      return { result: decision.store ? this.storing(request, keys, undefined, result) : result, status: 'bypass' };
    }
    const exact = await this.exactHit(keys);
    if (exact !== undefined) return this.hit(request, exact, 'exact');
    const vector = keys.semantic === undefined ? undefined : await this.deps.embedder?.embed(keys.semantic.text, request.consumer);
    const similar = vector === undefined ? undefined : await this.semanticHit(keys, vector);
    if (similar !== undefined) return this.hit(request, similar, 'semantic');
    this.report(request, 'miss');
    return { result: this.storing(request, keys, vector, await route()), status: 'miss' };
  }

  private decide(request: ProxyRequest, cacheControl: string | null): Decision {
    const { settings } = this.deps;
    if (settings.mode === 'off' || request.method !== 'POST' || !CACHEABLE.has(request.operation.name)) return { kind: 'skip' };
    // Bound to a stored object (previous_response_id, a conversation): its answer depends on state the key cannot see.
    if (request.boundTo !== undefined || request.json.background === true) return { kind: 'bypass', store: false };
    if (settings.aliases.size > 0 && !settings.aliases.has(request.alias)) return { kind: 'bypass', store: false };
    const directives = (cacheControl ?? '').toLowerCase();
    if (/\bno-store\b/.test(directives)) return { kind: 'bypass', store: false };
    // no-cache: a fresh answer is wanted, and it refreshes the entry.
    if (/\bno-cache\b/.test(directives)) return { kind: 'bypass', store: true };
    return { kind: 'use' };
  }

  private async exactHit(keys: CacheKeys): Promise<CacheEntry | undefined> {
    if (!this.deps.view.has(keys.partition, keys.key, this.deps.now())) return undefined;
    return this.read(keys.partition, keys.key);
  }

  private async semanticHit(keys: CacheKeys, vector: Float32Array): Promise<CacheEntry | undefined> {
    const { semantic } = this.deps.settings;
    if (keys.semantic === undefined || semantic === undefined) return undefined;
    const head = this.deps.view.nearest(keys.semantic.contextHash, vector, semantic.threshold, this.deps.now());
    return head === undefined ? undefined : this.read(head.partition, head.key);
  }

  /** The one read on the request path: bounded, and any failure is a miss. */
  private async read(partition: string, key: string): Promise<CacheEntry | undefined> {
    try {
      const entry = await this.deps.store.get(partition, key, AbortSignal.timeout(this.deps.settings.lookupTimeoutMs));
      this.health.ok('read');
      if (entry === undefined) this.deps.view.remove(partition, key);
      return entry !== undefined && entry.expiresAtMs > this.deps.now() ? entry : undefined;
    } catch (err) {
      this.health.failed('read', err);
      return undefined;
    }
  }

  private hit(request: ProxyRequest, entry: CacheEntry, match: 'exact' | 'semantic'): CachedAnswer {
    this.report(request, 'hit', match, entry.usage?.totalTokens ?? 0);
    return { result: replay(entry, request.stream), status: 'hit' };
  }

  private storing(request: ProxyRequest, keys: CacheKeys, vector: Float32Array | undefined, result: RouteResult): RouteResult {
    if (result.kind !== 'response') return result;
    return captureAnswer(result, request.operation, request.json, request.stream, (captured) => this.store(keys, vector, captured));
  }

  private store(keys: CacheKeys, vector: Float32Array | undefined, captured: Captured): void {
    const { view, settings, now } = this.deps;
    // Bounded: a full view stores nothing new until entries expire.
    if (view.size >= settings.maxEntries) return;
    const storedAtMs = now();
    const semantic = keys.semantic !== undefined && vector !== undefined ? { contextHash: keys.semantic.contextHash, vector } : {};
    const head: EntryHead = { partition: keys.partition, key: keys.key, storedAtMs, expiresAtMs: storedAtMs + settings.ttlMs, ...semantic };
    const entry: CacheEntry = { ...head, ...captured };
    this.deps.store.put(entry).then(
      () => {
        this.health.ok('write');
        view.add(head, now());
      },
      (err: unknown) => this.health.failed('write', err),
    );
  }

  private report(request: ProxyRequest, status: CacheStatus, match?: 'exact' | 'semantic', tokensSaved = 0): void {
    const outcome = { consumer: request.consumer, alias: request.alias, status, tokensSaved, ...(match === undefined ? {} : { match }) };
    for (const listener of this.deps.listeners) {
      try {
        listener(outcome);
      } catch {
        // a listener's failure never reaches the request
      }
    }
  }
}
