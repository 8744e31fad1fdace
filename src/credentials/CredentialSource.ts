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
  /**
   * Called when a backend rejects the credential (401/403): fetch it anew (re-read the secret,
   * or a new token). Resolves true when a different value is now cached. Concurrent calls for
   * one backend share one fetch. Optional: literal keys cannot be refreshed.
   */
  refresh?(backend: BackendConfig): Promise<boolean>;
}
