/**
 * `node dist/bench/capacity/main.js`: runs the capacity bench and writes its section into
 * docs/benchmarks.md between `<!-- capacity:start -->` and `<!-- capacity:end -->` (appended
 * when absent); nothing outside the markers is touched. BENCH_QUICK=1 for a ~1 min run.
 */
import { runSectionMain } from '../sectionBench';
import { runCapacityBench } from './run';

runSectionMain('capacity', runCapacityBench);
