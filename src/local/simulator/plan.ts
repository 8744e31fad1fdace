/** What an inference request will cost and how it will be answered, decided before the limiter runs. */
import type { Exchange } from './state';

export interface InferencePlan {
  /** Azure's operation name, for the 429 wording (e.g. ChatCompletions_Create). */
  readonly operation: string;
  /** Charged against TPM on arrival: prompt + max_tokens (or the default completion). */
  readonly chargeTokens: number;
  /** prompt + completion tokens the answer reports in usage. */
  readonly servedTokens: number;
  /** The prompt trips the simulated content filter. */
  readonly flagged: boolean;
  /** Writes the successful answer (JSON or SSE). */
  respond(ex: Exchange): void;
}

/** A plan, or the serialized body of the 400 that the request deserves. */
export type PlanResult = InferencePlan | string;
