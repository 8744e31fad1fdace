/** The results tables, in markdown: the same text goes to stdout and to docs/benchmarks.md. */
import type { BenchResults, TargetResult, Verdict } from './results';
import { verdicts } from './results';
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

function verdictTable(list: readonly Verdict[]): string {
  const rows = list.map((v) => [v.what, `${v.unit === 'µs' ? int(v.measured) : signed(v.measured)} ${v.unit}`, `≤ ${v.limit} ${v.unit}`, v.pass ? '**pass**' : '**FAIL**']);
  return table(['target', 'measured', 'limit', 'result'], rows);
}

type Pick = (s: LatencySummary) => number;
const PERCENTILES: ReadonlyArray<[string, Pick]> = [['p50', (s) => s.p50], ['p90', (s) => s.p90], ['p99', (s) => s.p99], ['max', (s) => s.max]];

/** Rows of percentiles: direct, router, added, ratio, and the naive proxy when measured. */
function latencyRows(label: string, of: (t: TargetResult) => LatencySummary, direct: TargetResult, router: TargetResult, naive: TargetResult | undefined): Row[] {
  return PERCENTILES.map(([name, pick]) => {
    const d = pick(of(direct));
    const r = pick(of(router));
    const n = naive === undefined ? NaN : pick(of(naive));
    return [`${label} ${name} (ms)`, ms(d), ms(r), signed(r - d), ratio(r, d), ms(n), signed(n - d)];
  });
}

const COMPARE_HEADER = ['metric', 'direct', 'router', 'router − direct', 'router ÷ direct', 'naive proxy', 'naive − direct'];

function latencyTable(results: BenchResults, direct: TargetResult, router: TargetResult, naive: TargetResult | undefined): string {
  const c = results.config.concurrency;
  const rps = (t: TargetResult | undefined): number => t?.requestsPerSecond ?? NaN;
  const spread = (t: TargetResult | undefined): string => (t === undefined ? 'n/a' : `${ms(t.roundP50.min)}–${ms(t.roundP50.max)}`);
  const rows: Row[] = [
    ...latencyRows(`c=${c}`, (t) => t.load, direct, router, naive),
    [`c=${c} requests/s`, int(rps(direct)), int(rps(router)), int(rps(router) - rps(direct)), ratio(rps(router), rps(direct)), int(rps(naive)), int(rps(naive) - rps(direct))],
    [`c=${c} p50 per round, min–max (ms)`, spread(direct), spread(router), '', '', spread(naive), ''],
    ...latencyRows('c=1', (t) => t.sequential, direct, router, naive).slice(0, 3),
  ];
  return table(COMPARE_HEADER, rows);
}

function streamTable(direct: TargetResult, router: TargetResult): string {
  const rows: Row[] = [];
  for (const [label, of] of [['first SSE byte', (t: TargetResult) => t.ttfb], ['whole stream', (t: TargetResult) => t.streamTotal]] as const) {
    for (const [name, pick] of PERCENTILES.slice(0, 3)) {
      const d = pick(of(direct));
      const r = pick(of(router));
      rows.push([`${label} ${name} (ms)`, ms(d), ms(r), signed(r - d), ratio(r, d)]);
    }
  }
  return table(COMPARE_HEADER.slice(0, 5), rows);
}

function costTable(results: BenchResults, direct: TargetResult, router: TargetResult, naive: TargetResult | undefined): string {
  const rCpu = router.proxyCpuUs ?? NaN;
  const nCpu = naive?.proxyCpuUs ?? NaN;
  const mem = (m: { rssMiB: number }): string => `${m.rssMiB.toFixed(1)} MiB`;
  return table(['cost', 'router', 'naive fetch proxy', 'router ÷ naive'], [
    ['CPU per proxied request (µs, user+system, all threads)', int(rCpu), int(nCpu), ratio(rCpu, nCpu)],
    ['simulated backend CPU per request (µs), for scale', int(router.backendCpuUs), int(naive?.backendCpuUs ?? NaN), `direct: ${int(direct.backendCpuUs)}`],
    ['RSS idle (after start, before traffic)', mem(results.routerMemory.idle), mem(results.naiveMemory.idle), ''],
    ['RSS after load', mem(results.routerMemory.afterLoad), mem(results.naiveMemory.afterLoad), ''],
    ['peak RSS (VmHWM)', `${results.routerMemory.afterLoad.peakMiB.toFixed(1)} MiB`, `${results.naiveMemory.afterLoad.peakMiB.toFixed(1)} MiB`, ''],
  ]);
}

function errorLines(results: BenchResults): string {
  const lines = [...results.targets.values()].filter((t) => t.errors > 0).map((t) => `- **${t.name}: ${t.errors} failed requests**, first: \`${t.firstError ?? ''}\``);
  return lines.length === 0 ? 'Every request answered 200 with a complete body (streams ended with `data: [DONE]`).' : lines.join('\n');
}

export function resultsMarkdown(results: BenchResults): string {
  const direct = results.targets.get('direct');
  const router = results.targets.get('router');
  const naive = results.targets.get('naive');
  if (direct === undefined || router === undefined) throw new Error('the direct and router targets are required');
  return [
    '### Targets', '', verdictTable(verdicts(results)), '',
    `### Latency, non-stream chat completions (${results.config.concurrency} connections closed loop, and sequential)`, '',
    latencyTable(results, direct, router, naive), '',
    '### Streaming (sequential, `stream: true`)', '', streamTable(direct, router), '',
    '### Cost', '', costTable(results, direct, router, naive), '',
    errorLines(results),
  ].join('\n');
}
