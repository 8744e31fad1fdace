import { BackendConfig } from '../config/types';

export interface AuthHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * Supplies the header that authenticates the router to a backend. Synchronous: values are
 * cached and refreshed off the request path. Undefined means "not available yet": the
 * router skips that backend rather than wait.
 */
export interface CredentialSource {
  authHeader(backend: BackendConfig): AuthHeader | undefined;
}
