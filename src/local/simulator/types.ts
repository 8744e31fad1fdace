/** Public types of the simulated Azure OpenAI backend. */

export interface SimulatedBackendOptions {
  /** Used in logs and in the `azureml-model-session` header. */
  name: string;
  /** Default 0 (ephemeral). The server always binds 127.0.0.1. */
  port?: number;
  /** Requests per minute per deployment; undefined = unlimited. */
  rpm?: number;
  /** Tokens per minute per deployment; undefined = unlimited. */
  tpm?: number;
  /**
   * The window the limits are enforced over, in ms (default 60 000: a rolling minute). Shorter
   * windows scale the limits: `rpm × rateWindowMs / 60 000` requests (and likewise tokens) per
   * window, rounded down, at least 1; Azure enforces RPM/6 per 10 s. Retry-after and the
   * x-ratelimit-remaining-* headers then refer to this window.
   */
  rateWindowMs?: number;
  /** Time before the headers of a successful answer (default 0). */
  latencyMs?: number;
  /** How long an unused prompt prefix stays cached (default 5 minutes, like Azure). */
  promptCacheIdleMs?: number;
  /** Time between SSE chunks (default 0); a background response also generates at this pace. */
  chunkIntervalMs?: number;
  /** Completion length in tokens when max_tokens (Responses: max_output_tokens) is absent (default 16). */
  completionTokens?: number;
  /** `x-ms-region` header value (default 'East US'). */
  region?: string;
  /** If set, requests must carry `api-key: <apiKey>` or `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** Optional: accept Entra bearer tokens. */
  acceptBearer?: (token: string) => boolean;
  /** If set, other deployment names answer 404 DeploymentNotFound. */
  deployments?: string[];
  /** Clock for the limiter, default Date.now. */
  now?: () => number;
}

export type SimulatedFault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'dropMidStream'; afterChunks: number }
  | { kind: 'delay'; ms: number };

export interface RecordedRequest {
  method: string;
  path: string;
  /** The raw query string, without the leading `?`. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SimulatedBackendStats {
  /** Every request that arrived. */
  received: number;
  /** 2xx answers sent in full. */
  served: number;
  /** 429s, from the limiter or from a 429 fault. */
  throttled: number;
  /** Fault outcomes other than 2xx/429: fault statuses, hangs, resets, dropped streams. */
  failed: number;
  /** prompt + completion (input + output) tokens of the served inference answers; a background response's when it completes. */
  tokensServed: number;
}

export interface SimulatedBackend {
  /** e.g. http://127.0.0.1:43123 (no trailing slash). */
  readonly url: string;
  readonly name: string;
  /** Every request received, in order (the last 10 000). */
  readonly requests: RecordedRequest[];
  readonly stats: SimulatedBackendStats;
  /** Applies to the next `times` requests (default: until cleared). */
  setFault(fault: SimulatedFault | undefined, times?: number): void;
  setLatency(ms: number): void;
  /**
   * Whether this resource stores a response, conversation or item with that id (Responses and
   * Conversations APIs): which instance a follow-up must reach.
   */
  holds(id: string): boolean;
  /**
   * Clears requests, stats, limiter windows and faults, and restores the configured latency;
   * stops background responses and forgets stored responses, items and conversations.
   */
  reset(): void;
  /** Closes the server and all sockets (hanging ones included) promptly, and stops background responses. */
  close(): Promise<void>;
}
