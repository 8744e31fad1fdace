/**
 * How quickly the latency-aware router moved traffic off the slowed backend and back: the
 * slowed backend's share among served requests sent in a sliding 1 s window (100 ms steps).
 */
import type { Sample } from './load';
import { sentWithin } from './metrics';
import type { RouterId } from './processes';
import { Phase, SLOWED } from './settings';
import { firstPoint, type FigurePoint } from './statusPoll';

const WINDOW_MS = 1000;
const STEP_MS = 100;
/** "Off" once its share of a 1 s window is below this. */
export const OFF_SHARE = 0.1;
/** "Back" once its share of a 1 s window reaches this fraction of its steady-phase share. */
export const BACK_FRACTION = 0.5;

export interface Shift {
  readonly router: RouterId;
  /** Steady-phase share of the slowed backend. */
  readonly steadyShare: number;
  /** From the slowdown to the first 1 s window with share < OFF_SHARE; undefined: never within the phase. */
  readonly offAfterMs: number | undefined;
  /** Requests the slowed backend served that were sent while it was slow, and how many of them before offAfterMs. */
  readonly slowServed: number;
  readonly slowServedBeforeOff: number;
  /** From the recovery to the first 1 s window with share ≥ BACK_FRACTION × steadyShare. */
  readonly backAfterMs: number | undefined;
  /** Its share over the last 10 s of the recovered phase. */
  readonly finalShare: number;
}

function shareOf(samples: readonly Sample[]): number {
  const served = samples.filter((s) => s.error === undefined);
  return served.length === 0 ? NaN : served.filter((s) => s.backend === SLOWED).length / served.length;
}

/** First window start (relative to fromMs) in [fromMs, toMs − 1 s] whose share passes the test. */
function firstWindow(samples: readonly Sample[], router: RouterId, fromMs: number, toMs: number, test: (share: number) => boolean): number | undefined {
  for (let t = fromMs; t + WINDOW_MS <= toMs; t += STEP_MS) {
    const share = shareOf(sentWithin(samples, router, t, t + WINDOW_MS));
    if (!Number.isNaN(share) && test(share)) return t - fromMs;
  }
  return undefined;
}

const phase = (phases: readonly Phase[], id: Phase['id']): Phase => {
  const found = phases.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no ${id} phase`);
  return found;
};

export function shiftOf(samples: readonly Sample[], phases: readonly Phase[], router: RouterId): Shift {
  const steady = phase(phases, 'steady');
  const slow = phase(phases, 'slow');
  const recovered = phase(phases, 'recovered');
  const steadyShare = shareOf(sentWithin(samples, router, steady.startMs, steady.endMs));
  const offAfterMs = firstWindow(samples, router, slow.startMs, slow.endMs, (share) => share < OFF_SHARE);
  const slowSamples = sentWithin(samples, router, slow.startMs, slow.endMs).filter((s) => s.error === undefined && s.backend === SLOWED);
  const offAt = slow.startMs + (offAfterMs ?? slow.endMs - slow.startMs);
  return {
    router,
    steadyShare,
    offAfterMs,
    slowServed: slowSamples.length,
    slowServedBeforeOff: slowSamples.filter((s) => s.sentMs < offAt).length,
    backAfterMs: firstWindow(samples, router, recovered.startMs, recovered.endMs, (share) => share >= BACK_FRACTION * steadyShare),
    finalShare: shareOf(sentWithin(samples, router, Math.max(recovered.startMs, recovered.endMs - 10_000), recovered.endMs)),
  };
}

/** The slowed backend's figure in (a), from its status page. */
export interface FigureShift {
  /** Slowdown → first status poll showing it demoted. */
  readonly demotedAfterMs: number | undefined;
  /** Its EWMA at the last poll before the recovery. */
  readonly ewmaAtRecoveryMs: number | undefined;
  /** Recovery → first poll showing it no longer demoted. */
  readonly restoredAfterMs: number | undefined;
  /** Samples added to its figure from the recovery to the restoration (probes only: no live request reaches a demoted backend). */
  readonly samplesToRestore: number;
}

export function figureShift(points: readonly FigurePoint[], phases: readonly Phase[]): FigureShift {
  const slow = phase(phases, 'slow');
  const recovered = phase(phases, 'recovered');
  const restoredAfterMs = firstPoint(points, recovered.startMs, recovered.endMs, (p) => !p.demoted);
  const before = [...points].reverse().find((p) => p.atMs < recovered.startMs);
  const restoredAt = recovered.startMs + (restoredAfterMs ?? recovered.endMs - recovered.startMs);
  // The last poll that still showed it demoted, plus the one sample that restored it: live
  // requests that reached it between that sample and the next poll do not count.
  const lastDemoted = [...points].reverse().find((p) => p.atMs < restoredAt && p.demoted);
  const restoring = restoredAfterMs === undefined ? 0 : 1;
  return {
    demotedAfterMs: firstPoint(points, slow.startMs, slow.endMs, (p) => p.demoted),
    ewmaAtRecoveryMs: before?.ewmaMs,
    restoredAfterMs,
    samplesToRestore: before === undefined || lastDemoted === undefined ? 0 : Math.max(0, lastDemoted.samples - before.samples) + restoring,
  };
}
