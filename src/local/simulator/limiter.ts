/**
 * Sliding-window RPM/TPM limiter, charged on arrival like Azure OpenAI, over a rolling
 * minute or a shorter rate window.
 *
 * Entries live in a deque (arrays plus a head index) of arrival times and a running
 * cumulative token count, so admitting is amortized O(1) and computing a refusal's
 * wait is O(log n) (binary search over the cumulative counts).
 */

/** Azure states its quotas per minute; by default the simulator evaluates them over a rolling minute. */
export const WINDOW_MS = 60_000;

/**
 * The share of a per-minute quota that fits one rate window: `perMinute × windowMs / 60 000`,
 * rounded down but at least 1 (a non-zero quota always admits something). Azure itself
 * enforces RPM/6 per 10 s, which is `perWindow(rpm, 10_000)`.
 */
export function perWindow(perMinute: number | undefined, windowMs: number): number | undefined {
  if (perMinute === undefined || perMinute === 0 || windowMs === WINDOW_MS) return perMinute;
  return Math.max(1, Math.floor((perMinute * windowMs) / WINDOW_MS));
}

/** Compact the deque only when the dead prefix is large and most of it, so each entry is copied O(1) times. */
const COMPACT_AFTER = 4096;

export type LimitKind = 'requests' | 'tokens';

export class SlidingWindowLimiter {
  private times: number[] = [];
  /** cumulative[i] = tokens charged by all entries up to and including i. */
  private cumulative: number[] = [];
  private head = 0;
  private expiredTokens = 0;
  private chargedTokens = 0;
  /** Which limit refused the last `tryCharge`; meaningful only after a refusal. */
  lastRefusal: LimitKind = 'requests';

  /** `rpm` and `tpm` are the limits per `windowMs` (per minute with the default window). */
  constructor(
    private readonly rpm: number = Infinity,
    private readonly tpm: number = Infinity,
    private readonly windowMs: number = WINDOW_MS,
  ) {}

  /** Charges 1 request and `tokens` tokens. Returns 0 when admitted, else the ms until it would fit (not charged). */
  tryCharge(tokens: number, now: number): number {
    this.evict(now);
    const waitRequests = this.waitForRequests(now);
    const waitTokens = this.waitForTokens(tokens, now);
    if (waitRequests === 0 && waitTokens === 0) {
      this.chargedTokens += tokens;
      this.times.push(now);
      this.cumulative.push(this.chargedTokens);
      return 0;
    }
    this.lastRefusal = waitTokens >= waitRequests ? 'tokens' : 'requests';
    return Math.max(waitRequests, waitTokens);
  }

  remainingRequests(now: number): number {
    this.evict(now);
    return Math.max(0, this.rpm - this.count);
  }

  remainingTokens(now: number): number {
    this.evict(now);
    return Math.max(0, this.tpm - (this.chargedTokens - this.expiredTokens));
  }

  private get count(): number {
    return this.times.length - this.head;
  }

  private evict(now: number): void {
    const cutoff = now - this.windowMs;
    const { times, cumulative } = this;
    while (this.head < times.length && (times[this.head] ?? Infinity) <= cutoff) {
      this.expiredTokens = cumulative[this.head] ?? this.expiredTokens;
      this.head++;
    }
    if (this.head > COMPACT_AFTER && this.head * 2 > times.length) {
      this.times = times.slice(this.head);
      this.cumulative = cumulative.slice(this.head);
      this.head = 0;
    }
  }

  private waitForRequests(now: number): number {
    if (this.count < this.rpm) return 0;
    // One more request fits once the entry that leaves exactly rpm - 1 behind it expires.
    return this.expiryWait(this.head + this.count - this.rpm, now);
  }

  private waitForTokens(tokens: number, now: number): number {
    const excess = this.chargedTokens - this.expiredTokens + tokens - this.tpm;
    if (excess <= 0) return 0;
    return this.expiryWait(this.firstIndexFreeing(excess), now);
  }

  /** Smallest index whose expiry frees at least `excess` tokens; `times.length` if none does. */
  private firstIndexFreeing(excess: number): number {
    let low = this.head;
    let high = this.times.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] ?? Infinity) - this.expiredTokens >= excess) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  private expiryWait(index: number, now: number): number {
    const time = this.times[index];
    // Nothing in the window frees enough (limit 0, or one request above the limit):
    // like Azure, refuse with a full window rather than never.
    if (time === undefined) return this.windowMs;
    return Math.max(1, Math.ceil(time + this.windowMs - now));
  }
}
