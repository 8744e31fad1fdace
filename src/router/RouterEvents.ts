import { Backend } from '../core/backend';
import { TokenUsage } from '../core/usage';
import { WindowReason } from '../core/windows';
import { StreamEnd } from './relayStream';

/** One request the router answered from a backend (after its stream ended, for streams). */
export interface CompletedRequest {
  readonly consumer: string;
  readonly alias: string;
  readonly backend: Backend;
  readonly deployment: string;
  readonly status: number;
  readonly attempts: number;
  /** Time the backend took to send headers. */
  readonly backendLatencyMs: number;
  readonly stream: boolean;
  readonly usage: TokenUsage | undefined;
  /**
   * Azure spilled the request from a provisioned deployment to a standard one of the same
   * resource (`x-ms-spillover-from-*`, `x-ms-is-spilled-over: true`): pay-as-you-go cost, not PTU.
   */
  readonly spilledOver: boolean;
  /** A PTU deployment's `azure-openai-deployment-utilization` (percent), when it reported one. */
  readonly utilizationPercent: number | undefined;
}

/** What the router reports as it works; logging and telemetry implement it. Never throws. */
export interface RouterEvents {
  /** Whether `completed` needs token usage (measuring it costs a little per request). */
  readonly wantsUsage?: boolean;
  completed?(request: CompletedRequest): void;
  /** Every candidate was throttled: the caller got a 429 (no backend called when all were known). */
  allThrottled?(alias: string, consumer: string, retryAfterMs: number): void;
  /** An attempt failed and the request moved on to another backend. */
  failover?(from: string, reason: WindowReason): void;
  benched?(backend: string, deployment: string, reason: WindowReason, benchMs: number): void;
  credentialUnavailable?(backend: string): void;
  /** The backend refused a freshly fetched credential: an operator must act. */
  credentialRejected?(backend: Backend): void;
  streamEnded?(backend: string, end: StreamEnd, error?: Error): void;
}

export const silentEvents: RouterEvents = {};
