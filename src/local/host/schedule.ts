// Timer schedules as the Functions timer trigger reads them: a six-field NCRONTAB expression
// `{second} {minute} {hour} {day} {month} {day-of-week}` or a TimeSpan `[d.]hh:mm:ss`, after
// `%SETTING%` binding expressions are replaced from app settings. Pure: no clock, no env access
// except through the arguments. Times are evaluated in UTC, the Functions default on Azure
// (WEBSITE_TIME_ZONE unset), so local runs fire when the deployed app would.

export type Schedule = { kind: 'cron'; expression: string; fields: CronFields } | { kind: 'interval'; expression: string; milliseconds: number };

/** For each field, `allowed[v]` is true when value `v` is allowed. */
export interface CronFields {
  seconds: boolean[];
  minutes: boolean[];
  hours: boolean[];
  days: boolean[];
  months: boolean[];
  daysOfWeek: boolean[];
}

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const SPECS: FieldSpec[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { label: 'day-of-week', min: 0, max: 6, names: DAY_NAMES },
];

/** Replaces every `%NAME%` with `env.NAME`; an unset name is an error that names it. */
export function resolveBindingExpressions(text: string, env: NodeJS.ProcessEnv, what = 'value'): string {
  return text.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined) throw new Error(`The ${what} "${text}" refers to app setting ${name}, which is not set.`);
    return value;
  });
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new Error(`Schedule "${expression}": ${spec.label} "${text}" is not in ${spec.min}-${spec.max}.`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, expression: string): boolean[] {
  const allowed: boolean[] = new Array<boolean>(spec.max + 1).fill(false);
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`Schedule "${expression}": bad step in ${spec.label} "${item}".`);
    let from = spec.min;
    let to = spec.max;
    if (range !== '*') {
      const [a = '', b] = range.split('-');
      from = parseValue(a, spec, expression);
      // `5/15` means "from 5, every 15" (as in NCrontab); a bare `5` means just 5.
      to = b !== undefined ? parseValue(b, spec, expression) : stepText !== undefined ? spec.max : from;
      if (to < from) throw new Error(`Schedule "${expression}": empty range "${range}" in ${spec.label}.`);
    }
    for (let v = from; v <= to; v += step) allowed[v] = true;
  }
  return allowed;
}

function parseTimeSpan(expression: string): number | undefined {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(expression);
  if (!m) return undefined;
  const [days, hours, minutes, seconds] = [m[1] ?? '0', m[2]!, m[3]!, m[4]!].map(Number) as [number, number, number, number];
  if (hours > 23 || minutes > 59 || seconds > 59) throw new Error(`Schedule "${expression}": bad TimeSpan.`);
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** Parses an already resolved schedule (see {@link resolveBindingExpressions}). */
export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  const interval = parseTimeSpan(text);
  if (interval !== undefined) {
    if (interval <= 0) throw new Error(`Schedule "${expression}": the interval must be positive.`);
    return { kind: 'interval', expression: text, milliseconds: interval };
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 6) {
    throw new Error(`Schedule "${expression}": expected six NCRONTAB fields "{second} {minute} {hour} {day} {month} {day-of-week}".`);
  }
  const [seconds, minutes, hours, days, months, daysOfWeek] = parts.map((p, i) => parseField(p, SPECS[i]!, expression)) as [
    boolean[],
    boolean[],
    boolean[],
    boolean[],
    boolean[],
    boolean[],
  ];
  const schedule: Schedule = { kind: 'cron', expression: text, fields: { seconds, minutes, hours, days, months, daysOfWeek } };
  nextOccurrence(schedule, new Date(Date.UTC(2000, 0, 1))); // Throws now for "30 February" rather than at run time.
  return schedule;
}

// Far enough for "29 February on a Monday" (28-year cycle), near enough to stop quickly.
const SEARCH_YEARS = 50;

/**
 * The first occurrence strictly after `after` (to the second, as NCrontab). Day and
 * day-of-week must both match: NCrontab ANDs them, unlike Vixie cron.
 */
export function nextOccurrence(schedule: Schedule | string, after: Date): Date {
  const parsed = typeof schedule === 'string' ? parseSchedule(schedule) : schedule;
  if (parsed.kind === 'interval') return new Date(after.getTime() + parsed.milliseconds);
  const f = parsed.fields;
  let t = Math.floor(after.getTime() / 1000) * 1000 + 1000;
  const limit = Date.UTC(new Date(t).getUTCFullYear() + SEARCH_YEARS, 0, 1);
  while (t < limit) {
    const d = new Date(t);
    const [y, mo, day, h, mi, s] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
    // Each failed field jumps to the start of the next unit of that field; Date.UTC carries.
    if (!f.months[mo + 1]) t = Date.UTC(y, mo + 1, 1);
    else if (!f.days[day] || !f.daysOfWeek[d.getUTCDay()]) t = Date.UTC(y, mo, day + 1);
    else if (!f.hours[h]) t = Date.UTC(y, mo, day, h + 1);
    else if (!f.minutes[mi]) t = Date.UTC(y, mo, day, h, mi + 1);
    else if (!f.seconds[s]) t = Date.UTC(y, mo, day, h, mi, s + 1);
    else return d;
  }
  throw new Error(`Schedule "${parsed.expression}" never occurs.`);
}
