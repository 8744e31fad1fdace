import { FinalFailure } from '../core/finalFailure';
import { ApiShape, OperationRow } from '../core/operations';

/** A validated caller request, ready to route. Built by the HTTP layer. */
export interface ProxyRequest {
  /** `deployments`: deployment in the path; `v1`: deployment alias in the body's `model`. */
  readonly api: ApiShape;
  readonly operation: OperationRow;
  readonly alias: string;
  /** The caller's query string including `?`, or ''. */
  readonly search: string;
  readonly body: Buffer;
  readonly json: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  /** Caller headers allowed through (never credentials). */
  readonly forwardHeaders: Readonly<Record<string, string>>;
  readonly consumer: string;
}

export interface RoutedResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Buffered for JSON answers (so a mid-body drop can still fail over); a stream for SSE. */
  readonly body: Buffer | ReadableStream<Uint8Array>;
  readonly backend: string;
  readonly attempts: number;
}

export interface RoutedFailure {
  readonly kind: 'failure';
  readonly failure: FinalFailure;
  readonly attempts: number;
}

export type RouteResult = RoutedResponse | RoutedFailure;
