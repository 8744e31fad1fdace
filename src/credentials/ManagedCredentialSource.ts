import { BackendConfig } from '../config/types';
import { Backend } from '../core/backend';
import { CachedCredential, CachedCredentialOptions } from './CachedCredential';
import { AuthHeader, CredentialSource } from './CredentialSource';
import { secretRefreshAt, tokenRefreshAt } from './refreshPolicy';
import { safeErrorText } from './safeErrorText';
import { Clock, CredentialStatus, SecretReader, TokenProvider } from './types';

export interface ManagedCredentialDeps {
  /** Required when a backend names a Key Vault secret. */
  readonly secrets?: SecretReader;
  /** Required when a backend has neither key nor secret (Entra ID). */
  readonly tokens?: TokenProvider;
  readonly secretTtlMs: number;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** Longest a single fetch may take, SDK retries included. */
  readonly fetchTimeoutMs?: number;
  /**
   * ROUTER_AUTH_FAILURE_BENCH_SECONDS: after a refresh on a backend's behalf, further refresh
   * requests for it within this time are answered from memory (see refresh()).
   */
  readonly authBenchMs?: number;
}

const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
/** ROUTER_AUTH_FAILURE_BENCH_SECONDS' default, for sources built by hand (tests). */
export const DEFAULT_AUTH_BENCH_MS = 300_000;

/** The last refresh made because a backend refused its credential. */
interface RefusalRefresh {
  readonly atMs: number;
  /** The value the backend had refused (what was cached when the refresh started). */
  readonly refused: string | undefined;
  /** Set while the fetch runs, so concurrent refusals share it. */
  flight: Promise<boolean> | undefined;
}

/**
 * Every backend credential kind behind one CredentialSource: literal keys, Key Vault secrets
 * (one cache entry per secret, shared by the backends naming it) and one Entra ID token
 * shared by every Entra backend (same scope, same identity).
 */
export class ManagedCredentialSource implements CredentialSource {
  private readonly staticHeaders = new Map<string, AuthHeader>();
  private readonly entries = new Map<string, CachedCredential>();
  private readonly entryOf = new Map<string, CachedCredential>();
  private readonly refusals = new Map<string, RefusalRefresh>();

  constructor(
    private readonly backends: readonly BackendConfig[],
    private readonly deps: ManagedCredentialDeps,
  ) {
    for (const backend of backends) {
      const spec = backend.credential;
      if (spec.kind === 'apiKey') this.staticHeaders.set(backend.name, { name: 'api-key', value: spec.key });
      else this.entryOf.set(backend.name, this.entryFor(backend));
    }
  }

  authHeader(backend: Pick<Backend, 'name'>): AuthHeader | undefined {
    return this.staticHeaders.get(backend.name) ?? this.entryOf.get(backend.name)?.header();
  }

  /**
   * Called when `backend` refused its credential. Literal keys cannot be refreshed: false, so
   * the router does not retry with the same key. Otherwise one fetch per backend per auth bench,
   * however many requests are refused: within the bench after a refresh, the answer comes from
   * memory. True (retry) when the value cached now is not the one that was refused then (a
   * rotation picked up: calls sent with the old key retry with the new one), false when it still
   * is (a dead key, a missing role, a vault that failed): no vault read and no second call.
   */
  async refresh(backend: Pick<Backend, 'name'>): Promise<boolean> {
    const entry = this.entryOf.get(backend.name);
    if (entry === undefined) return false;
    const nowMs = this.deps.clock.now();
    const last = this.refusals.get(backend.name);
    if (last !== undefined && nowMs - last.atMs < (this.deps.authBenchMs ?? DEFAULT_AUTH_BENCH_MS)) {
      if (last.flight !== undefined) return last.flight;
      const current = entry.value();
      return current !== undefined && current !== last.refused && entry.header() !== undefined;
    }
    const refused = entry.value();
    const flight = entry.refresh();
    const refusal: RefusalRefresh = { atMs: nowMs, refused, flight };
    this.refusals.set(backend.name, refusal);
    try {
      return await flight;
    } finally {
      refusal.flight = undefined;
    }
  }

  /** Preloads every secret and token in the background; start-up never waits for them. */
  start(): void {
    for (const entry of this.entries.values()) entry.start();
  }

  stop(): void {
    for (const entry of this.entries.values()) entry.stop();
  }

  /** Per backend, for the status page. Carries no secret or token. */
  status(): CredentialStatus[] {
    return this.backends.map((backend) => {
      const spec = backend.credential;
      if (spec.kind === 'apiKey') return { backend: backend.name, kind: 'apiKey', state: 'ok' };
      const state = this.entryOf.get(backend.name)?.state() ?? { state: 'failed' };
      const secretName = spec.kind === 'keyVault' ? spec.secretName : undefined;
      return { backend: backend.name, kind: spec.kind, ...(secretName === undefined ? {} : { secretName }), ...state };
    });
  }

  private entryFor(backend: BackendConfig): CachedCredential {
    const spec = backend.credential;
    const key = spec.kind === 'keyVault' ? `keyVault:${spec.secretName}` : 'entra';
    const existing = this.entries.get(key);
    if (existing !== undefined) return existing;
    const users = this.backends.filter((b) => this.sameCredential(b, key)).map((b) => b.name);
    const entry = spec.kind === 'keyVault' ? this.secretEntry(spec.secretName, users) : this.tokenEntry(users);
    this.entries.set(key, entry);
    return entry;
  }

  private sameCredential(backend: BackendConfig, key: string): boolean {
    const spec = backend.credential;
    return spec.kind === 'keyVault' ? key === `keyVault:${spec.secretName}` : spec.kind === 'entra' && key === 'entra';
  }

  private secretEntry(secretName: string, backends: string[]): CachedCredential {
    const reader = this.deps.secrets;
    if (reader === undefined) throw new Error(`no Key Vault client for secret "${secretName}" (is KEY_VAULT_URL set?)`);
    const ttlMs = this.deps.secretTtlMs;
    return this.entry(`Key Vault secret "${secretName}"`, backends, {
      fetch: async (signal) => ({ value: await reader.read(secretName, signal) }),
      refreshAt: (nowMs) => secretRefreshAt(nowMs, ttlMs),
      toHeader: (value) => ({ name: 'api-key', value }),
    });
  }

  private tokenEntry(backends: string[]): CachedCredential {
    const tokens = this.deps.tokens;
    if (tokens === undefined) throw new Error('no Entra ID token provider');
    return this.entry('Entra ID token (managed identity)', backends, {
      fetch: (signal) => tokens.token(signal),
      refreshAt: (nowMs, fetched) => tokenRefreshAt(nowMs, fetched.expiresAt ?? nowMs, fetched.refreshAfter),
      toHeader: (value) => ({ name: 'authorization', value: `Bearer ${value}` }),
    });
  }

  private entry(label: string, backends: string[], parts: Pick<CachedCredentialOptions, 'fetch' | 'refreshAt' | 'toHeader'>): CachedCredential {
    const { clock, log } = this.deps;
    return new CachedCredential({
      label,
      backends,
      ...parts,
      clock,
      log,
      describe: (error) => safeErrorText(error, this.heldValues()),
      fetchTimeoutMs: this.deps.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    });
  }

  /** Every value the router holds, so error text can mask any of them. */
  private *heldValues(): Iterable<string> {
    for (const header of this.staticHeaders.values()) yield header.value;
    for (const entry of this.entries.values()) {
      const value = entry.value();
      if (value !== undefined) yield value;
    }
  }
}
