import { capacityShare, OwnCall, RECLAIM_MARGIN_MS, Share } from '../core/capacityShare';
import { Remaining, RemainingLookup, isFresh } from '../core/remaining';

/** Deployments this instance keeps calls for; past this the least recently called goes first. */
const MAX_KEYS = 5000;

interface Ledger {
  readonly calls: OwnCall[];
  /** The report the draw was made for, and the draw (see capacityShare). */
  drawAtMs: number;
  draw: number;
}

export interface ShareLookup extends RemainingLookup {
  getRemaining(key: string): Share | undefined;
}

/**
 * This instance's calls per deployment over the last two rate windows, and its share of each
 * deployment's last reported capacity (see capacityShare). In memory only: nothing here is
 * shared or awaited.
 */
export class RemainingShare {
  private readonly ledgers = new Map<string, Ledger>();

  constructor(
    private readonly reports: RemainingLookup,
    private readonly liveInstances: () => number,
    private readonly options: { readonly now: () => number; readonly random: () => number; readonly windowMs: number },
  ) {}

  /**
   * Counts a call about to be sent to `key` when the newest report known is `newestReportAtMs`;
   * set `admitted` on the result once the backend answers.
   */
  charge(key: string, tokens: number, newestReportAtMs = -Infinity): OwnCall {
    const nowMs = this.options.now();
    const call: OwnCall = { sentAtMs: nowMs, afterReportAtMs: newestReportAtMs, tokens, admitted: false };
    const ledger = this.ledgerOf(key);
    this.ledgers.delete(key);
    this.ledgers.set(key, ledger); // most recently called last
    ledger.calls.push(call);
    const cutoffMs = nowMs - 2 * this.options.windowMs - RECLAIM_MARGIN_MS;
    let stale = 0;
    while (stale < ledger.calls.length && (ledger.calls[stale]?.sentAtMs ?? Infinity) < cutoffMs) stale++;
    if (stale > 0) ledger.calls.splice(0, stale);
    return call;
  }

  /** What this instance may still use of each deployment's report; undefined without a fresh one. */
  lookup(): ShareLookup {
    return { getRemaining: (key) => this.share(key) };
  }

  private share(key: string): Share | undefined {
    const { now, windowMs } = this.options;
    const report: Remaining | undefined = this.reports.getRemaining(key);
    const nowMs = now();
    if (report === undefined || !isFresh(report, nowMs, windowMs)) return undefined;
    // One draw per report, also for a deployment this instance has not called yet.
    const ledger = this.ledgerOf(key);
    if (ledger.drawAtMs !== report.atMs) {
      ledger.drawAtMs = report.atMs;
      ledger.draw = this.options.random();
    }
    return capacityShare({ report, instances: this.liveInstances(), calls: ledger.calls, nowMs, windowMs, draw: ledger.draw });
  }

  private ledgerOf(key: string): Ledger {
    const known = this.ledgers.get(key);
    if (known !== undefined) return known;
    const ledger: Ledger = { calls: [], drawAtMs: NaN, draw: 0 };
    this.ledgers.set(key, ledger);
    if (this.ledgers.size > MAX_KEYS) this.ledgers.delete(this.ledgers.keys().next().value as string);
    return ledger;
  }
}
