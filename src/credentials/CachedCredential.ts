import { AuthHeader } from './CredentialSource';
import { isUsable, retryDelayMs } from './refreshPolicy';
import { Clock, CredentialStatus, FetchedCredential } from './types';

export interface CachedCredentialOptions {
  /** Names the credential in log lines, e.g. `Key Vault secret "ptu-key"`. Never the value. */
  readonly label: string;
  /** The backends that use this credential, for log lines. */
  readonly backends: readonly string[];
  readonly fetch: (signal: AbortSignal) => Promise<FetchedCredential>;
  /** When to fetch again after a success (see refreshPolicy). */
  readonly refreshAt: (nowMs: number, fetched: FetchedCredential) => number;
  readonly toHeader: (value: string) => AuthHeader;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** Error text with every held value masked (see safeErrorText). */
  readonly describe: (error: unknown) => string;
  readonly fetchTimeoutMs: number;
}

export type CachedState = Omit<CredentialStatus, 'backend' | 'kind' | 'secretName'>;

/** A timer that should have fired this long ago did not (suspended sandbox, clock jump): fetch now. */
const OVERDUE_MS = 5000;

/**
 * One secret or token, cached. Requests read it synchronously; fetches happen at start, on a
 * timer before it goes stale, and on demand after a 401/403, one at a time (single-flight).
 * A failed fetch keeps the old value and retries with backoff.
 */
export class CachedCredential {
  private cached: { readonly fetched: FetchedCredential; readonly header: AuthHeader } | undefined;
  private flight: Promise<boolean> | undefined;
  private failures = 0;
  private lastRefreshAt: number | undefined;
  private lastError: string | undefined;
  private nextRefreshAt: number | undefined;
  private cancelTimer: (() => void) | undefined;
  private stopped = true;
  private expiryLogged = false;

  constructor(private readonly options: CachedCredentialOptions) {}

  /** Preloads and keeps the value fresh in the background. Does not wait. */
  start(): void {
    this.stopped = false;
    void this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** The header to send now; undefined means "skip this backend". Never waits. */
  header(): AuthHeader | undefined {
    const nowMs = this.options.clock.now();
    if (!this.stopped && this.flight === undefined && this.nextRefreshAt !== undefined && nowMs > this.nextRefreshAt + OVERDUE_MS) {
      void this.refresh();
    }
    if (this.cached === undefined) return undefined;
    if (isUsable(nowMs, this.cached.fetched.expiresAt)) return this.cached.header;
    this.logExpiredOnce();
    return undefined;
  }

  /** Fetches now, or joins the fetch under way. True when a value was obtained. */
  refresh(): Promise<boolean> {
    this.flight ??= this.fetchOnce().finally(() => {
      this.flight = undefined;
    });
    return this.flight;
  }

  /** The cached value, for masking in error text only. */
  value(): string | undefined {
    return this.cached?.fetched.value;
  }

  state(): CachedState {
    const usable = this.cached !== undefined && isUsable(this.options.clock.now(), this.cached.fetched.expiresAt);
    const state = usable ? 'ok' : this.cached === undefined && this.failures === 0 ? 'pending' : 'failed';
    return {
      state,
      lastRefreshAt: this.lastRefreshAt,
      expiresAt: this.cached?.fetched.expiresAt,
      nextRefreshAt: this.stopped ? undefined : this.nextRefreshAt,
      lastError: this.lastError,
    };
  }

  private async fetchOnce(): Promise<boolean> {
    const { clock, fetchTimeoutMs, label } = this.options;
    const controller = new AbortController();
    const cancelTimeout = clock.setTimer(fetchTimeoutMs, () => controller.abort(new Error(`${label}: no answer within ${fetchTimeoutMs} ms`)));
    try {
      // The race guards against an SDK call that ignores the abort signal and never settles.
      const fetched = await Promise.race([this.options.fetch(controller.signal), rejectOnAbort(controller.signal)]);
      if (fetched.value.trim() === '') throw new Error(`${label} is empty`);
      this.succeeded(fetched);
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    } finally {
      cancelTimeout();
      this.schedule();
    }
  }

  private succeeded(fetched: FetchedCredential): void {
    const { clock, label, log, refreshAt, toHeader } = this.options;
    const nowMs = clock.now();
    const first = this.lastRefreshAt === undefined;
    const failures = this.failures;
    const changed = this.cached !== undefined && this.cached.fetched.value !== fetched.value;
    this.cached = { fetched, header: toHeader(fetched.value) };
    this.lastRefreshAt = nowMs;
    this.failures = 0;
    this.lastError = undefined;
    this.expiryLogged = false;
    this.nextRefreshAt = refreshAt(nowMs, fetched);
    if (failures > 0) log(`[credentials] ${label} obtained after ${failures} failed attempt(s); ${this.backendNames()} served with it`);
    else if (first) log(`[credentials] ${label} ready for ${this.backendNames()}${validFor(nowMs, fetched.expiresAt)}`);
    // Tokens change at every renewal; a secret changing means a rotation was picked up.
    if (changed && fetched.expiresAt === undefined) log(`[credentials] ${label} has a new value (rotated); ${this.backendNames()} use it from now on`);
  }

  private failed(error: unknown): void {
    const { clock, describe, label, log } = this.options;
    const nowMs = clock.now();
    this.failures++;
    this.lastError = describe(error);
    this.nextRefreshAt = nowMs + retryDelayMs(this.failures);
    if (this.failures > 1) return; // one line per outage, not one per retry
    if (this.cached !== undefined && isUsable(nowMs, this.cached.fetched.expiresAt)) {
      log(`[credentials] could not refresh ${label} (${this.lastError}); ${this.backendNames()} keep the cached value; retrying in the background`);
    } else {
      log(`[credentials] ${this.backendNames()} skipped: ${label} could not be obtained (${this.lastError}); retrying in the background`);
    }
  }

  private schedule(): void {
    if (this.stopped || this.nextRefreshAt === undefined) return;
    this.cancelTimer?.();
    this.cancelTimer = this.options.clock.setTimer(this.nextRefreshAt - this.options.clock.now(), () => {
      this.cancelTimer = undefined;
      void this.refresh();
    });
  }

  private logExpiredOnce(): void {
    if (this.expiryLogged) return;
    this.expiryLogged = true;
    const why = this.lastError === undefined ? '' : ` (${this.lastError})`;
    this.options.log(`[credentials] ${this.options.label} expired and could not be renewed${why}; ${this.backendNames()} skipped until it is`);
  }

  private backendNames(): string {
    return this.options.backends.join(', ');
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
  });
}

function validFor(nowMs: number, expiresAt: number | undefined): string {
  return expiresAt === undefined ? '' : ` (valid for ${Math.round((expiresAt - nowMs) / 60_000)} min)`;
}
