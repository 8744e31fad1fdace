import { FinalFailure } from '../core/finalFailure';
import { ApiShape, HttpMethodName, OperationRow, PathParams } from '../core/operations';

/** A validated caller request, ready to route. Built by the HTTP layer. */
export interface ProxyRequest {
  /** `deployments`: deployment in the path; `v1`: deployment alias in the body's `model`. */
  readonly api: ApiShape;
  readonly operation: OperationRow;
  readonly method: HttpMethodName;
  /** The deployment alias; '' for operations that name none (stored objects, new conversations). */
  readonly alias: string;
  /** The backend's own ids for the path (opened from the sealed ids the caller holds). */
  readonly params: PathParams;
  /** The backend that holds what this request refers to: it goes there or nowhere. */
  readonly boundTo: string | undefined;
  /** The query string the backend receives (the operation's allowed parameters only), including `?`, or ''. */
  readonly search: string;
  /** Undefined for a request without a body (GET, DELETE, an empty POST). */
  readonly body: Buffer | undefined;
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

/** No configured backend serves the alias (or the bound backend does not): a 404, nothing sent. */
export interface Unserved {
  readonly kind: 'unserved';
}

export type RouteResult = RoutedResponse | RoutedFailure | Unserved;
