/** Fresh fakes for each ManagedCredentialSource test, and the three backends those tests use. */
import { beforeEach } from 'vitest';
import { BackendConfig } from '../../src/config/types';
import { ManagedCredentialSource } from '../../src/credentials/ManagedCredentialSource';
import { backend } from '../support/fixtures';
import { FakeClock, FakeSecrets, FakeTokens } from './fakes';

export const HOUR = 3600_000;
export const vaultBackend = backend({ name: 'ptu', credential: { kind: 'keyVault', secretName: 'ptu-key' } });
export const entraBackend = backend({ name: 'payg', credential: { kind: 'entra' } });
export const literalBackend = backend({ name: 'dev', credential: { kind: 'apiKey', key: 'literal-dev-key-0001' } });

export interface SourceFakes {
  clock: FakeClock;
  secrets: FakeSecrets;
  tokens: FakeTokens;
  logs: string[];
  /** A source over the current fakes (secret TTL one hour, log lines into `logs`, auth bench 300 s unless given). */
  source(backends?: BackendConfig[], fetchTimeoutMs?: number, authBenchMs?: number): ManagedCredentialSource;
}

function freshFakes(vaultKey: string): Omit<SourceFakes, 'source'> {
  const clock = new FakeClock();
  const secrets = new FakeSecrets();
  secrets.values.set('ptu-key', vaultKey);
  return { clock, secrets, tokens: new FakeTokens(clock), logs: [] };
}

/** Fakes renewed before each test, with the Key Vault secret "ptu-key" set to `vaultKey`. */
export function useSourceFakes(vaultKey: string): SourceFakes {
  const fakes: SourceFakes = {
    ...freshFakes(vaultKey),
    source(backends = [vaultBackend, entraBackend, literalBackend], fetchTimeoutMs, authBenchMs) {
      const { secrets, tokens, clock, logs } = fakes;
      return new ManagedCredentialSource(backends, {
        secrets,
        tokens,
        secretTtlMs: HOUR,
        clock,
        log: (line) => logs.push(line),
        ...(fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs }),
        ...(authBenchMs === undefined ? {} : { authBenchMs }),
      });
    },
  };
  beforeEach(() => {
    Object.assign(fakes, freshFakes(vaultKey));
  });
  return fakes;
}
