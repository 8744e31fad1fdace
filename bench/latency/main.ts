/**
 * `node dist/bench/latency/main.js`: runs the latency bench and writes its section into
 * docs/benchmarks.md between `<!-- latency:start -->` and `<!-- latency:end -->` (appended
 * when absent; nothing outside the markers is touched) and the chart to docs/latency.svg.
 * BENCH_QUICK=1 for a ~45 s run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { withSection } from '../sections';
import { resolve } from 'node:path';
import { runLatencyBench } from './run';

async function main(): Promise<void> {
  const docsDir = resolve(__dirname, '..', '..', '..', 'docs');
  const section = await runLatencyBench({ docsDir });
  const path = resolve(docsDir, 'benchmarks.md');
  // Read just before writing: other benches may have rewritten their own sections meanwhile.
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, withSection(current, 'latency', section));
  console.log(`[latency] wrote ${path} (latency section) and ${resolve(docsDir, 'latency.svg')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
