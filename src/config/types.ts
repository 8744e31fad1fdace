import type { CacheSettings } from '../cache/CacheSettings';
import type { AffinitySettings } from '../core/affinity';
import type { CircuitPolicy } from '../core/circuitBreaker';
import type { ConsumerLimit } from '../core/consumerLimits';
import type { LatencyPolicy } from '../core/latency';
import type { BenchBounds } from '../core/retryAfter';
import type { WindowCaps } from '../core/windows';

/** How the router authenticates to one backend. Resolved to a header by a CredentialSource. */
export type BackendCredentialSpec = { kind: 'apiKey'; key: string } | { kind: 'keyVault'; secretName: string } | { kind: 'entra' };

export type BackendType = 'ptu' | 'paygo';

export interface BackendConfig {
  /** 1-based position in the BACKEND_<N>_* settings. */
  readonly index: number;
  /** Shown in headers, status and telemetry; never the URL. */
  readonly name: string;
  /** The BACKEND_<N>_URL split once: scheme://host:port, and the path before `/openai` (usually ''). */
  readonly origin: string;
  readonly basePath: string;
  readonly priority: number;
  readonly weight: number;
  readonly type: BackendType | undefined;
  /** alias → deployment. Undefined: serves any deployment name unchanged. */
  readonly deployments: ReadonlyMap<string, string> | undefined;
  /** BACKEND_<N>_SPILLOVER_DEPLOYMENT: Azure's own PTU spillover target, for every alias or per alias. */
  readonly spillover?: { readonly all: string } | { readonly byAlias: ReadonlyMap<string, string> };
  readonly credential: BackendCredentialSpec;
}

export type RoutingStrategy = 'priority' | 'round-robin';

/** The 429 bounds (default, floors, cap: see BenchBounds) plus the benches for other failures. */
export interface ThrottlePolicy extends BenchBounds {
  /** Bench length after a 5xx, timeout or connection error. */
  readonly failureMs: number;
  /** Bench length when a backend still rejects the router's credential after a refresh. */
  readonly authFailureMs: number;
}

export type StorageConnection =
  | { readonly kind: 'connection-string'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly tableServiceUri: string; readonly clientId: string | undefined };

export type StateSettings =
  | { readonly kind: 'memory'; readonly why: string }
  | {
      readonly kind: 'table';
      readonly connection: StorageConnection;
      readonly tableName: string;
      readonly syncIntervalMs: number;
      /** The longest each kind of window can rightly last (the bench settings): windows pulled from other instances are held to it. */
      readonly windowCaps?: WindowCaps;
    };

export interface LatencySettings extends LatencyPolicy {
  /** ROUTER_LATENCY_ROUTING=off: configured weights only (random within a priority). */
  readonly enabled: boolean;
}

export interface ProbeSettings {
  /** NCRONTAB; read by the timer registration. */
  readonly schedule: string;
  /** Probe with a one-token chat completion to this alias; unset: list models (no tokens spent). */
  readonly deployment: string | undefined;
  readonly timeoutMs: number;
  readonly apiVersion: string;
}

/** How the router obtains Key Vault secrets and Entra ID tokens for its backends. */
export interface CredentialSettings {
  /** ROUTER_SECRET_TTL_SECONDS: a Key Vault secret is read again (in the background) this often. */
  readonly secretTtlMs: number;
  /** AZURE_CLIENT_ID: the user-assigned managed identity; undefined = system-assigned. */
  readonly managedIdentityClientId: string | undefined;
}

export interface RouterConfig {
  readonly backends: readonly BackendConfig[];
  /** router key → consumer name */
  readonly consumerKeys: ReadonlyMap<string, string>;
  /** consumer → token limits (ROUTER_CONSUMER_LIMITS / ROUTER_CONSUMER_QUOTAS) */
  readonly consumerLimits: ReadonlyMap<string, ConsumerLimit>;
  readonly telemetryConnectionString: string | undefined;
  readonly adminKey: string | undefined;
  /**
   * ROUTER_ID_SECRET: signs the ids of stored objects (responses, conversations, reasoning
   * items) so any instance knows their backend and owner. Unset: the stateful routes answer 503.
   */
  readonly idSecret: string | undefined;
  readonly strategy: RoutingStrategy;
  /** Time a backend may take to send response headers (a stream's first event). */
  readonly backendTimeoutMs: number;
  /**
   * Added to a non-stream call's header budget per output token it may generate: Azure sends
   * those headers only once generation ends.
   */
  readonly timeoutPerOutputTokenMs: number;
  /** How many more backends a request that timed out may be sent to (each one pays for the generation). */
  readonly timeoutRetries: number;
  /** Whole-request budget across attempts; well under Azure's 230 s HTTP limit. */
  readonly totalTimeoutMs: number;
  readonly maxAttempts: number;
  readonly maxBodyBytes: number;
  /** ROUTER_MAX_RESPONSE_BYTES: a non-stream backend answer larger than this is cut off and fails over. */
  readonly maxResponseBytes: number;
  readonly throttle: ThrottlePolicy;
  /**
   * ROUTER_RATE_WINDOW_SECONDS: the window Azure enforces RPM/TPM over. A remaining report is
   * fresh for one window, and a call's slot returns to its sender one window after it was sent.
   * Optional so hand-built configs (tests) get Azure's 10 s.
   */
  readonly rateWindowMs?: number;
  readonly circuit: CircuitPolicy;
  readonly state: StateSettings;
  readonly latency: LatencySettings;
  /** Prompt-cache affinity (ROUTER_PROMPT_CACHE_AFFINITY, ROUTER_PROMPT_CACHE_MIN_TOKENS). */
  readonly affinity: AffinitySettings;
  readonly probe: ProbeSettings;
  readonly keyVaultUrl: string | undefined;
  /** Optional so hand-built configs (tests) get the defaults; readConfig always sets it. */
  readonly credentials?: CredentialSettings;
  /** ROUTER_CACHE and its settings; optional so hand-built configs (tests) leave the cache off. */
  readonly cache?: CacheSettings;
}
