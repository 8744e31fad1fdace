import { Clock, FetchedCredential, SecretReader, TokenProvider } from '../../src/credentials/types';
import { NOW } from '../support/fixtures';

interface Timer {
  readonly at: number;
  readonly fn: () => void;
}

/** Manual time with a realistic epoch; advance() fires due timers in order and lets promises settle. */
export class FakeClock implements Clock {
  private timers: Timer[] = [];
  nowMs = NOW;

  now = (): number => this.nowMs;

  setTimer = (ms: number, fn: () => void): (() => void) => {
    const timer = { at: this.nowMs + Math.max(ms, 0), fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };

  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = target;
    await settle();
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets every queued promise callback run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A Key Vault stand-in: secrets by name, a failure switch, a read counter, and optional holding. */
export class FakeSecrets implements SecretReader {
  readonly values = new Map<string, string>();
  reads = 0;
  failWith: Error | undefined;
  /** While set, reads wait for release(). */
  private held: Array<() => void> | undefined;

  async read(name: string): Promise<string> {
    this.reads++;
    if (this.held !== undefined) await new Promise<void>((resolve) => this.held?.push(resolve));
    if (this.failWith !== undefined) throw this.failWith;
    const value = this.values.get(name);
    if (value === undefined)
      throw Object.assign(new Error(`A secret with (name/id) ${name} was not found in this key vault.`), { name: 'RestError', statusCode: 404 });
    return value;
  }

  hold(): void {
    this.held = [];
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const resolve of waiting) resolve();
  }
}

/** An Entra ID stand-in issuing numbered tokens with a given lifetime. */
export class FakeTokens implements TokenProvider {
  calls = 0;
  lifetimeMs = 60 * 60_000;
  refreshAfterMs: number | undefined;
  failWith: Error | undefined;
  /** Return this token instead of a new one (a credential's own cache answering). */
  repeat: FetchedCredential | undefined;
  last: FetchedCredential | undefined;

  constructor(private readonly clock: FakeClock) {}

  async token(): Promise<FetchedCredential> {
    this.calls++;
    if (this.failWith !== undefined) throw this.failWith;
    if (this.repeat !== undefined) return this.repeat;
    const now = this.clock.now();
    this.last = {
      value: `eyJhbGciOiJSUzI1NiJ9.fake-token-${this.calls}.sig${this.calls}`,
      expiresAt: now + this.lifetimeMs,
      ...(this.refreshAfterMs === undefined ? {} : { refreshAfter: now + this.refreshAfterMs }),
    };
    return this.last;
  }
}
