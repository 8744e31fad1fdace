import { ConfigError, SettingsReader } from '../config/settingsReader';

export type CacheMode = 'off' | 'exact' | 'semantic';

/** ROUTER_CACHE and its companions, validated once at start-up. */
export interface CacheSettings {
  readonly mode: CacheMode;
  readonly ttlMs: number;
  /** Aliases whose answers may be cached; empty: every alias. */
  readonly aliases: ReadonlySet<string>;
  /** ROUTER_CACHE_SHARED: one partition for every consumer (off: a consumer only ever gets its own answers). */
  readonly shared: boolean;
  /** Entries this instance keeps in view; past it, new answers are not stored until older ones expire. */
  readonly maxEntries: number;
  /** A hit's read from storage gives up after this long and counts as a miss. */
  readonly lookupTimeoutMs: number;
  readonly tableName: string;
  /** How often each instance reads the entries other instances stored (keys and vectors only). */
  readonly syncIntervalMs: number;
  readonly semantic: SemanticSettings | undefined;
}

export interface SemanticSettings {
  /** The alias that embeds the last user turn, routed like any request (failover included). */
  readonly embeddingsAlias: string;
  /** Cosine similarity a cached last turn must reach. */
  readonly threshold: number;
  /** Sent as `dimensions` when set (text-embedding-3 models); unset: the model's own size. */
  readonly dimensions: number | undefined;
  /** The embedding call's budget: slower counts as a miss. */
  readonly embedTimeoutMs: number;
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const CACHE_OFF: CacheSettings = {
  mode: 'off',
  ttlMs: 3_600_000,
  aliases: new Set(),
  shared: false,
  maxEntries: 10_000,
  lookupTimeoutMs: 150,
  tableName: 'routercache',
  syncIntervalMs: 2000,
  semantic: undefined,
};

export function readCacheSettings(settings: SettingsReader): CacheSettings {
  const mode = settings.oneOf('ROUTER_CACHE', ['off', 'exact', 'semantic'] as const, 'off');
  const tableName = settings.string('ROUTER_CACHE_TABLE') ?? 'routercache';
  if (!TABLE_NAME.test(tableName)) throw new ConfigError('ROUTER_CACHE_TABLE', 'a table name is 3-63 letters and digits, starting with a letter');
  const common = {
    mode,
    ttlMs: settings.secondsAsMs('ROUTER_CACHE_TTL_SECONDS', 3600, 1, 30 * 86_400),
    aliases: readAliases(settings.string('ROUTER_CACHE_ALIASES')),
    shared: settings.oneOf('ROUTER_CACHE_SHARED', ['true', 'false'], 'false') === 'true',
    maxEntries: settings.integer('ROUTER_CACHE_MAX_ENTRIES', 10_000, 10, 1_000_000),
    lookupTimeoutMs: settings.integer('ROUTER_CACHE_LOOKUP_TIMEOUT_MS', 150, 5, 10_000),
    tableName,
    syncIntervalMs: settings.integer('ROUTER_CACHE_SYNC_MS', 2000, 100, 600_000),
  };
  const embeddingsAlias = settings.string('ROUTER_SEMANTIC_CACHE_EMBEDDINGS');
  if (mode !== 'semantic') return { ...common, semantic: undefined };
  if (embeddingsAlias === undefined) throw new ConfigError('ROUTER_SEMANTIC_CACHE_EMBEDDINGS', 'required when ROUTER_CACHE=semantic (the embeddings alias)');
  if (!ALIAS.test(embeddingsAlias)) throw new ConfigError('ROUTER_SEMANTIC_CACHE_EMBEDDINGS', `not a deployment alias: "${embeddingsAlias}"`);
  const dimensions =
    settings.string('ROUTER_SEMANTIC_CACHE_DIMENSIONS') === undefined ? undefined : settings.integer('ROUTER_SEMANTIC_CACHE_DIMENSIONS', 0, 1, 16_000);
  return {
    ...common,
    semantic: {
      embeddingsAlias,
      threshold: settings.number('ROUTER_SEMANTIC_CACHE_THRESHOLD', 0.95, 0.5, 1),
      dimensions,
      embedTimeoutMs: settings.integer('ROUTER_SEMANTIC_CACHE_EMBED_TIMEOUT_MS', 1000, 10, 30_000),
    },
  };
}

function readAliases(raw: string | undefined): ReadonlySet<string> {
  if (raw === undefined) return new Set();
  const aliases = raw
    .split(',')
    .map((alias) => alias.trim())
    .filter((alias) => alias !== '');
  const bad = aliases.find((alias) => !ALIAS.test(alias));
  if (bad !== undefined) throw new ConfigError('ROUTER_CACHE_ALIASES', `not a deployment alias: "${bad}" (a comma-separated list of aliases)`);
  return new Set(aliases);
}
