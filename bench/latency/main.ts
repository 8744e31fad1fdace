/**
 * `node dist/bench/latency/main.js`: runs the latency bench and writes its section into
 * docs/benchmarks.md between `<!-- latency:start -->` and `<!-- latency:end -->` (appended
 * when absent; nothing outside the markers is touched) and the chart to docs/latency.svg.
 * BENCH_QUICK=1 for a ~45 s run.
 */
import { runSectionMain } from '../sectionBench';
import { runLatencyBench } from './run';

runSectionMain('latency', runLatencyBench);
