import { Backend } from '../core/backend';
import { CredentialStatus } from './types';

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
  authHeader(backend: Pick<Backend, 'name'>): AuthHeader | undefined;
  /**
   * Called when a backend rejects the credential (401/403): fetch it anew (re-read the secret,
   * or a new token). Resolves true when a value was obtained (it may equal the old one: the
   * identity's token cache can return the same token, and a role assignment may just have
   * arrived), so the router retries once. Concurrent calls for one backend share one fetch.
   * Optional: literal keys cannot be refreshed.
   */
  refresh?(backend: Pick<Backend, 'name'>): Promise<boolean>;
  /** Per backend: kind, state, last refresh, expiry, last error. Never a secret. For the status page. */
  status?(): CredentialStatus[];
}
