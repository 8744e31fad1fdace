/** The results tables, in markdown: the same text goes to stdout and to docs/benchmarks.md. */
import type { BenchResults, TargetResult, Verdict } from './results';
import { verdicts } from './results';
import type { TargetName } from './scenarios';
import type { LatencySummary } from './stats';

type Row = readonly string[];

function table(header: Row, rows: readonly Row[]): string {
  const line = (cells: Row): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
const signed = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const int = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a');

/** The proxies compared with the direct calls, in column order. */
const PROXIES: ReadonlyArray<[TargetName, string]> = [
  ['router', 'router'],
  ['naive', 'naive fetch proxy'],
  ['floor', 'floor proxy'],
];

interface View {
  readonly direct: TargetResult;
  readonly proxies: ReadonlyArray<[string, TargetResult]>;
}

function view(results: BenchResults, streaming: boolean): View {
  const direct = results.targets.get('direct');
  if (direct === undefined) throw new Error('the direct target is required');
  const proxies = PROXIES.flatMap(([name, label]): Array<[string, TargetResult]> => {
    const t = results.targets.get(name);
    return t === undefined || (streaming && t.ttfb.count === 0) ? [] : [[label, t]];
  });
  return { direct, proxies };
}

/** metric | direct | <proxy> | <proxy> − direct | <proxy> ÷ direct, for every proxy. */
function compareTable(v: View, rows: ReadonlyArray<[string, (t: TargetResult) => number, 'ms' | 'count']>): string {
  const header = ['metric', 'direct', ...v.proxies.flatMap(([label]) => [label, '− direct', '÷ direct'])];
  const body = rows.map(([metric, pick, kind]) => {
    const d = pick(v.direct);
    const fmt = kind === 'ms' ? ms : int;
    const diff = kind === 'ms' ? signed : (x: number): string => int(x);
    return [metric, fmt(d), ...v.proxies.flatMap(([, t]) => [fmt(pick(t)), diff(pick(t) - d), ratio(pick(t), d)])];
  });
  return table(header, body);
}

type Pick = (s: LatencySummary) => number;
const PERCENTILES: ReadonlyArray<[string, Pick]> = [
  ['p50', (s) => s.p50],
  ['p90', (s) => s.p90],
  ['p99', (s) => s.p99],
  ['max', (s) => s.max],
];

function latencyRows(label: string, of: (t: TargetResult) => LatencySummary, count: number): Array<[string, (t: TargetResult) => number, 'ms']> {
  return PERCENTILES.slice(0, count).map(([name, pick]) => [`${label} ${name} (ms)`, (t) => pick(of(t)), 'ms']);
}

function latencyTable(results: BenchResults): string {
  const c = results.config.concurrency;
  return compareTable(view(results, false), [
    ...latencyRows(`c=${c}`, (t) => t.load, 4),
    [`c=${c} requests/s`, (t) => t.requestsPerSecond, 'count'],
    [`c=${c} p50, lowest round (ms)`, (t) => t.roundP50.min, 'ms'],
    [`c=${c} p50, highest round (ms)`, (t) => t.roundP50.max, 'ms'],
    ...latencyRows('c=1', (t) => t.sequential, 3),
  ]);
}

function streamTable(results: BenchResults): string {
  return compareTable(view(results, true), [...latencyRows('first SSE byte', (t) => t.ttfb, 3), ...latencyRows('whole stream', (t) => t.streamTotal, 3)]);
}

function costTable(results: BenchResults): string {
  const v = view(results, false);
  const memory = (t: TargetResult, pick: (m: { idle: { rssMiB: number }; afterLoad: { rssMiB: number; peakMiB: number } }) => number): string => {
    const m = results.memory.get(t.name);
    return m === undefined ? 'n/a' : `${pick(m).toFixed(1)} MiB`;
  };
  const routerCpu = results.targets.get('router')?.proxyCpuUs ?? NaN;
  const rows: Row[] = [
    ['proxy CPU per request (µs, user+system, all threads)', ...v.proxies.map(([, t]) => int(t.proxyCpuUs ?? NaN))],
    ['router CPU ÷ this proxy', ...v.proxies.map(([, t]) => ratio(routerCpu, t.proxyCpuUs ?? NaN))],
    [`simulator CPU per request (µs), for scale; direct: ${int(v.direct.backendCpuUs)}`, ...v.proxies.map(([, t]) => int(t.backendCpuUs))],
    ['RSS idle (after start, before traffic)', ...v.proxies.map(([, t]) => memory(t, (m) => m.idle.rssMiB))],
    ['RSS after load', ...v.proxies.map(([, t]) => memory(t, (m) => m.afterLoad.rssMiB))],
    ['peak RSS (VmHWM)', ...v.proxies.map(([, t]) => memory(t, (m) => m.afterLoad.peakMiB))],
  ];
  return table(['cost', ...v.proxies.map(([label]) => label)], rows);
}

function verdictTable(list: readonly Verdict[]): string {
  const rows = list.map((v) => [
    v.what,
    `${v.unit === 'µs' ? int(v.measured) : signed(v.measured)} ${v.unit}`,
    `≤ ${v.limit} ${v.unit}`,
    v.pass ? '**pass**' : '**FAIL**',
  ]);
  return table(['target', 'measured', 'limit', 'result'], rows);
}

function errorLines(results: BenchResults): string {
  const lines = [...results.targets.values()]
    .filter((t) => t.errors > 0)
    .map((t) => `- **${t.name}: ${t.errors} failed requests**, first: \`${t.firstError ?? ''}\``);
  return lines.length === 0 ? 'Every request answered 200 with a complete body (streams ended with `data: [DONE]`).' : lines.join('\n');
}

/** The Responses API targets against their own direct calls: what sealing ids and binding add. */
function responsesTable(results: BenchResults): string | undefined {
  const direct = results.targets.get('directResponses');
  const router = results.targets.get('routerResponses');
  if (direct === undefined || router === undefined) return undefined;
  const c = results.config.concurrency;
  return compareTable({ direct, proxies: [['router', router]] }, [
    ...latencyRows(`c=${c}`, (t) => t.load, 3),
    ...latencyRows('c=1', (t) => t.sequential, 2),
    ...latencyRows('first SSE event', (t) => t.ttfb, 2),
    ...latencyRows('whole stream', (t) => t.streamTotal, 1),
  ]);
}

export function resultsMarkdown(results: BenchResults): string {
  const responses = responsesTable(results);
  return [
    '### Targets',
    '',
    verdictTable(verdicts(results)),
    '',
    `### Latency, non-stream chat completions (${results.config.concurrency} connections closed loop, and sequential)`,
    '',
    latencyTable(results),
    '',
    '### Streaming (sequential, `stream: true`)',
    '',
    streamTable(results),
    '',
    ...(responses === undefined ? [] : ['### Responses API (`POST /openai/v1/responses`, same conversation, non-stream and streamed)', '', responses, '']),
    '### Cost',
    '',
    costTable(results),
    '',
    errorLines(results),
  ].join('\n');
}
