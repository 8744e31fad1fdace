/** The targets, checked on the router with shared state at 1 and 4 instances. */
import type { ConfigMetrics } from './metrics';

export interface TargetRow {
  readonly target: string;
  readonly one: string;
  readonly four: string;
  /** undefined when the configurations it needs did not run. */
  readonly pass: boolean | undefined;
}

/** Growth of backend 429s per served from 1 to 4 instances still counted as "not growing" (run-to-run noise). */
export const GROWTH_TOLERANCE = 0.005;

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
const fixed = (v: number): string => v.toFixed(3);

function check(
  target: string,
  metrics: readonly (ConfigMetrics | undefined)[],
  value: (m: ConfigMetrics) => number,
  format: (v: number) => string,
  ok: (v: number) => boolean,
): TargetRow {
  const [one, four] = metrics;
  const present = metrics.filter((m): m is ConfigMetrics => m !== undefined);
  return {
    target,
    one: one === undefined ? '–' : format(value(one)),
    four: four === undefined ? '–' : format(value(four)),
    pass: present.length === 0 ? undefined : present.every((m) => ok(value(m))),
  };
}

export function targetRows(all: readonly ConfigMetrics[]): TargetRow[] {
  const one = all.find((m) => m.variant === 'shared' && m.instances === 1);
  const four = all.find((m) => m.variant === 'shared' && m.instances === 4);
  const pair = [one, four];
  const growth = one !== undefined && four !== undefined ? four.wastedPerServed - one.wastedPerServed : undefined;
  return [
    check(
      'served ÷ pooled capacity ≥ 98 %',
      pair,
      (m) => m.servedRatio,
      pct,
      (v) => v >= 0.98,
    ),
    check(
      'PTU busy ≥ 95 %',
      pair,
      (m) => m.ptuBusy,
      pct,
      (v) => v >= 0.95,
    ),
    check(
      'backend 429s per served request ≤ 0.02',
      pair,
      (m) => m.wastedPerServed,
      fixed,
      (v) => v <= 0.02,
    ),
    {
      target: `backend 429s per served not growing with instances (4 − 1 ≤ ${GROWTH_TOLERANCE})`,
      one: one === undefined ? '–' : fixed(one.wastedPerServed),
      four: growth === undefined ? '–' : `${four === undefined ? '' : fixed(four.wastedPerServed)} (${growth >= 0 ? '+' : ''}${fixed(growth)})`,
      pass: growth === undefined ? undefined : growth <= GROWTH_TOLERANCE,
    },
  ];
}
