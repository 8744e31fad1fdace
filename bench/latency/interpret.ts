/** Plain-language findings from the measured numbers. */
import { pct, seconds } from './format';
import type { PhaseRow, Summary } from './metrics';
import { BACKENDS, LatencySettings, SLOWED } from './settings';
import type { FigureShift, Shift } from './shift';

const ms = (v: number): string => `${v.toFixed(0)} ms`;
const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '–');

function compare(row: PhaseRow | undefined, what: string): string | undefined {
  if (row === undefined) return undefined;
  const a = row.byRouter.aware;
  const b = row.byRouter.random;
  return `${what}: (a) mean ${ms(a.mean)} / p95 ${ms(a.p95)} against (b) ${ms(b.mean)} / ${ms(b.p95)}; (a) ÷ (b) = ${ratio(a.mean, b.mean)} on the mean, ${ratio(a.p95, b.p95)} on p95.`;
}

function steadyLine(row: PhaseRow | undefined): string | undefined {
  if (row === undefined) return undefined;
  const shares = (s: Summary): string =>
    BACKENDS.filter((b) => b.priority === 1)
      .map((b) => `${b.name} ${pct(s.shares[b.name] ?? 0)}`)
      .join(', ');
  return `Steady: (a) split the priority ${shares(row.byRouter.aware)}; (b) ${shares(row.byRouter.random)}. ${compare(row, 'Latency') ?? ''}`;
}

function slowLine(row: PhaseRow | undefined, shift: Shift, figure: FigureShift, settings: LatencySettings): string | undefined {
  if (row === undefined) return undefined;
  const a = row.byRouter.aware;
  const b = row.byRouter.random;
  return (
    `${SLOWED} slow (${settings.slowMs} ms): (a) showed it demoted ${seconds(figure.demotedAfterMs)} after the slowdown: the figure learns from completed answers only, so nothing changed before the first ${settings.slowMs} ms answer, and three such samples pushed the EWMA past the threshold. ` +
    `(a) sent it ${shift.slowServed} requests in the whole phase (${pct(a.shares[SLOWED] ?? 0)}), ${shift.slowServedBeforeOff} of them in the first ${seconds(shift.offAfterMs)} (then every closed-loop worker of (a) was waiting on one of them); ` +
    `(b) kept sending it ${pct(b.shares[SLOWED] ?? 0)}. ${compare(row, 'Latency') ?? ''}`
  );
}

function recoveredLine(row: PhaseRow | undefined, shift: Shift, figure: FigureShift, settings: LatencySettings): string | undefined {
  if (row === undefined) return undefined;
  const ewma = figure.ewmaAtRecoveryMs === undefined ? 'its slow figure' : `an EWMA of ${figure.ewmaAtRecoveryMs} ms`;
  return (
    `Recovered: ${SLOWED} left the slow phase with ${ewma} and stayed demoted for ${seconds(figure.restoredAfterMs)} after it was fast again; ` +
    `it was back at half its steady share of (a) after ${seconds(shift.backAfterMs)} and held ${pct(shift.finalShare)} over the last 10 s (steady: ${pct(shift.steadyShare)}). ` +
    `A demoted backend is ordered after every backend of its configured priority, so only the probes (\`PROBE_SCHEDULE=${settings.probeSchedule}\`) can lower its figure: it took ${figure.samplesToRestore} probe samples (EWMA α 0.2) to bring it back within the demotion threshold. ` +
    'The way off took under a second of live traffic; the way back takes several probe intervals, during which (a) spreads over the slower backends only. ' +
    (compare(row, 'Latency over the whole phase') ?? '')
  );
}

function errorLine(rows: readonly PhaseRow[], settings: LatencySettings): string {
  const all = rows.filter((r) => settings.phases.some((p) => p.id === r.id));
  const errors = (id: 'aware' | 'random'): number => all.reduce((n, r) => n + r.byRouter[id].errors, 0);
  const retried = (id: 'aware' | 'random'): number => all.reduce((n, r) => n + r.byRouter[id].retried, 0);
  const spill = BACKENDS.filter((b) => b.priority > 1).map((b) => b.name);
  const spilled = all.reduce((n, r) => n + spill.reduce((m, name) => m + Math.round((r.byRouter.aware.shares[name] ?? 0) * r.byRouter.aware.served), 0), 0);
  const first = all.map((r) => r.byRouter.aware.firstError ?? r.byRouter.random.firstError).find((e) => e !== undefined);
  return (
    `Errors: (a) ${errors('aware')}, (b) ${errors('random')}${first === undefined ? '' : ` (first: ${first})`}; requests that needed a second attempt: (a) ${retried('aware')}, (b) ${retried('random')}; ` +
    `requests (a) served from the priority-2 spill: ${spilled}.`
  );
}

export function interpretation(rows: readonly PhaseRow[], shift: Shift, figure: FigureShift, settings: LatencySettings): string[] {
  const by = (id: string): PhaseRow | undefined => rows.find((r) => r.id === id);
  return [
    compare(by('overall'), 'Overall (steady + slow + recovered)'),
    steadyLine(by('steady')),
    slowLine(by('slow'), shift, figure, settings),
    recoveredLine(by('recovered'), shift, figure, settings),
    compare(by('recovered-demoted'), `Recovered, while ${SLOWED} was still demoted in (a)`),
    compare(by('recovered-restored'), `Recovered, after ${SLOWED} was restored in (a)`),
    errorLine(rows, settings),
  ].filter((line): line is string => line !== undefined);
}
