import { TokenUsage } from '../core/usage';

/** What every instance keeps in view of one entry: enough to know it exists and to match it by meaning. */
export interface EntryHead {
  readonly partition: string;
  readonly key: string;
  readonly storedAtMs: number;
  readonly expiresAtMs: number;
  /** Semantic entries: the hash of everything but the last user turn, and that turn's embedding. */
  readonly contextHash?: string;
  readonly vector?: Float32Array;
}

/** A whole cached answer: the head plus what a hit replays. */
export interface CacheEntry extends EntryHead {
  readonly contentType: string;
  readonly body: Buffer;
  /** The original answer's usage: a hit carries it, and it is what the hit saved. */
  readonly usage: TokenUsage | undefined;
}

/**
 * Where entries live, shared by every instance. A handful of calls: the request path only
 * ever calls `get` (on a likely hit, bounded by a timeout); the rest runs in the background.
 */
export interface CacheStore {
  ensureExists(): Promise<void>;
  get(partition: string, key: string, signal: AbortSignal): Promise<CacheEntry | undefined>;
  put(entry: CacheEntry): Promise<void>;
  /** Heads (never bodies) of the entries stored at or after `sinceMs`, every partition. */
  headsSince(sinceMs: number): Promise<EntryHead[]>;
  delete(partition: string, key: string): Promise<void>;
}

/** Table Storage allows 1 MB an entity: a larger answer is served, never stored. */
export const MAX_STORED_BODY_BYTES = 900 * 1024;
