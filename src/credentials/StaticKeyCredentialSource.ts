import { BackendConfig } from '../config/types';
import { Backend } from '../core/backend';
import { AuthHeader, CredentialSource } from './CredentialSource';

/** Literal keys from BACKEND_<N>_APIKEY (dev, or an App Service Key Vault reference resolved by the platform). */
export class StaticKeyCredentialSource implements CredentialSource {
  private readonly headers = new Map<string, AuthHeader>();

  constructor(backends: readonly BackendConfig[]) {
    for (const backend of backends) {
      if (backend.credential.kind === 'apiKey') {
        this.headers.set(backend.name, { name: 'api-key', value: backend.credential.key });
      }
    }
  }

  authHeader(backend: Pick<Backend, 'name'>): AuthHeader | undefined {
    return this.headers.get(backend.name);
  }
}
