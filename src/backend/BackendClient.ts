import { Readable } from 'node:stream';

export type BackendHeaders = Record<string, string | string[] | undefined>;

export interface BackendRequest {
  /** scheme://host:port of the backend. */
  readonly origin: string;
  /** Path and query, e.g. /openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21 */
  readonly path: string;
  readonly method: 'POST' | 'GET' | 'DELETE';
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  /** Time the backend may take to send response headers. */
  readonly headersTimeoutMs: number;
  /** Longest silence allowed between body chunks. */
  readonly bodyTimeoutMs: number;
}

export interface BackendResponse {
  readonly status: number;
  readonly headers: BackendHeaders;
  readonly body: Readable;
}

/** Transport outcome of one call. A response of any status is `response`; the rest never reached one. */
export type BackendResult = { readonly kind: 'response'; readonly response: BackendResponse } | { readonly kind: 'timeout' | 'network'; readonly error: Error };

/** Sends one request to a backend. Implementations keep connections alive and reuse them. */
export interface BackendClient {
  send(request: BackendRequest): Promise<BackendResult>;
  close(): Promise<void>;
}
