import { Remaining, RemainingLookup } from '../core/remaining';

interface Sent {
  /** The report these sends are counted against. */
  reportAtMs: number;
  requests: number;
  tokens: number;
}

/**
 * This instance's share of a deployment's last reported capacity: the report (shared by every
 * instance) divided among the live instances, less what this instance has sent since that
 * report. Azure charges prompt + max_tokens on arrival, so without this every instance aims
 * its concurrent requests at the same last few tokens and collects the 429s.
 */
export class RemainingShare {
  private readonly sent = new Map<string, Sent>();

  constructor(
    private readonly reports: RemainingLookup,
    private readonly liveInstances: () => number,
  ) {}

  /** Counts one request sent to `key` against its current report. */
  charge(key: string, tokens: number): void {
    const report = this.reports.getRemaining(key);
    if (report === undefined) return;
    const sent = this.sent.get(key);
    if (sent === undefined || sent.reportAtMs !== report.atMs) {
      this.sent.set(key, { reportAtMs: report.atMs, requests: 1, tokens });
    } else {
      sent.requests++;
      sent.tokens += tokens;
    }
  }

  /** What this instance may still use of `key`'s report. */
  lookup(): RemainingLookup {
    return { getRemaining: (key) => this.share(key) };
  }

  private share(key: string): Remaining | undefined {
    const report = this.reports.getRemaining(key);
    if (report === undefined) return undefined;
    const instances = Math.max(1, this.liveInstances());
    const sent = this.sent.get(key);
    const since = sent !== undefined && sent.reportAtMs === report.atMs ? sent : { requests: 0, tokens: 0 };
    if (instances === 1 && since.requests === 0) return report;
    return {
      tokens: report.tokens === undefined ? undefined : report.tokens / instances - since.tokens,
      requests: report.requests === undefined ? undefined : report.requests / instances - since.requests,
      atMs: report.atMs,
    };
  }
}
