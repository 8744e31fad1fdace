import { Remaining } from './remaining';

/** A call this instance sent to a deployment. */
export interface OwnCall {
  readonly sentAtMs: number;
  /** The newest report of the deployment known when it was sent: a call sent in the report's own millisecond still counts after it. */
  readonly afterReportAtMs: number;
  /** What Azure charged it on arrival, as estimated (prompt + max_tokens). */
  readonly tokens: number;
  /** Answered with anything but a 429: the backend counted it, so it holds a slot of the window until the window passes. */
  admitted: boolean;
}

/**
 * A call's slot returns to its sender this long after one window: the backend counts it from its
 * arrival, a little after we sent it, so a slot taken back exactly one window later could still be held.
 */
export const RECLAIM_MARGIN_MS = 10;

export interface ShareInput {
  /** The deployment's last report (this instance's or another's), fresh. */
  readonly report: Remaining;
  /** Live instances sharing the deployment (at least 1). */
  readonly instances: number;
  /** This instance's calls to the deployment, oldest first; only the last two windows matter. */
  readonly calls: readonly OwnCall[];
  readonly nowMs: number;
  /** The window Azure enforces its limits over (ROUTER_RATE_WINDOW_SECONDS). */
  readonly windowMs: number;
  /** A draw in [0, 1), fixed per report: rounds the report's share to whole requests. */
  readonly draw: number;
}

/** This instance's share of a deployment's capacity, and when it grows next. */
export interface Share extends Remaining {
  /** When one of this instance's calls leaves the window, else when the report goes stale. */
  readonly refillAtMs: number;
}

/**
 * This instance's part of a deployment's capacity, coordination-free:
 * - the report's free capacity divided among the live instances, rounded to whole requests at
 *   random (a fixed draw per report), so a few free requests are not left idle by every
 *   instance holding a fraction of one;
 * - plus the slots of this instance's own admitted calls that have left the window since the
 *   report (they were held when it was made, so no other instance counts them);
 * - less what this instance has sent since the report.
 * Summed over the instances this is the deployment's free capacity now, so near exhaustion
 * each instance stops at its own last request instead of each collecting a 429.
 */
export function capacityShare(input: ShareInput): Share {
  const { report, nowMs, windowMs } = input;
  const instances = Math.max(1, input.instances);
  let sentRequests = 0;
  let sentTokens = 0;
  let backRequests = 0;
  let backTokens = 0;
  let refillAtMs = Math.min(report.atMs + windowMs, report.freshUntilMs ?? Infinity);
  let unitTokens = 0;
  for (const call of input.calls) {
    unitTokens = call.tokens;
    if (call.sentAtMs > report.atMs || call.afterReportAtMs >= report.atMs) {
      sentRequests++;
      sentTokens += call.tokens;
    }
    if (!call.admitted) continue;
    const leftAtMs = call.sentAtMs + windowMs;
    if (leftAtMs <= report.atMs) continue; // free in the report already
    if (leftAtMs + RECLAIM_MARGIN_MS <= nowMs) {
      backRequests++;
      backTokens += call.tokens;
    } else refillAtMs = Math.min(refillAtMs, leftAtMs + RECLAIM_MARGIN_MS);
  }
  const shared = (free: number, unit: number): number => (instances === 1 ? free : roundToUnits(free / instances, unit, input.draw));
  return {
    tokens: report.tokens === undefined ? undefined : shared(report.tokens, unitTokens) + backTokens - sentTokens,
    requests: report.requests === undefined ? undefined : shared(report.requests, 1) + backRequests - sentRequests,
    atMs: report.atMs,
    refillAtMs,
  };
}

/** `value` in whole `unit`s, the fraction of one rounded up when it exceeds `draw`; unchanged without a unit. */
function roundToUnits(value: number, unit: number, draw: number): number {
  if (unit <= 0) return value;
  const units = value / unit;
  const whole = Math.floor(units);
  return unit * (whole + (units - whole > draw ? 1 : 0));
}
