/** The names the cache shows under, in one place: header, telemetry event and metric, status field. */
export const CACHE_NAMES = {
  header: 'x-router-cache',
  event: 'ResponseCache',
  tokensSavedMetric: 'Cache Tokens Saved',
  statusField: 'responseCache',
} as const;

export type CacheStatus = 'hit' | 'miss' | 'bypass';

/** One cacheable request's outcome: a hit says how it matched and the tokens it did not spend. */
export interface CacheOutcome {
  readonly consumer: string;
  readonly alias: string;
  readonly status: CacheStatus;
  readonly match?: 'exact' | 'semantic';
  readonly tokensSaved: number;
}

/** Listeners (the status tally, telemetry); never throw into a request. */
export type CacheListener = (outcome: CacheOutcome) => void;

interface ConsumerCounts {
  hits: number;
  semanticHits: number;
  misses: number;
  bypasses: number;
  tokensSaved: number;
}

/** This instance's cache counts per consumer, for the status page. */
export class CacheTally {
  private readonly byConsumer = new Map<string, ConsumerCounts>();

  readonly listener: CacheListener = (outcome) => {
    let counts = this.byConsumer.get(outcome.consumer);
    if (counts === undefined) {
      counts = { hits: 0, semanticHits: 0, misses: 0, bypasses: 0, tokensSaved: 0 };
      this.byConsumer.set(outcome.consumer, counts);
    }
    if (outcome.status === 'hit') counts.hits++;
    if (outcome.match === 'semantic') counts.semanticHits++;
    if (outcome.status === 'miss') counts.misses++;
    if (outcome.status === 'bypass') counts.bypasses++;
    counts.tokensSaved += outcome.tokensSaved;
  };

  snapshot(): Record<string, Readonly<ConsumerCounts>> {
    return Object.fromEntries([...this.byConsumer].map(([consumer, counts]) => [consumer, { ...counts }]));
  }
}
