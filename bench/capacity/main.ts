/**
 * `node dist/bench/capacity/main.js`: runs the capacity bench and writes its section into
 * docs/benchmarks.md between `<!-- capacity:start -->` and `<!-- capacity:end -->` (appended
 * when absent); nothing outside the markers is touched. BENCH_QUICK=1 for a ~1 min run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { withSection } from '../sections';
import { resolve } from 'node:path';
import { runCapacityBench } from './run';

async function main(): Promise<void> {
  const docsDir = resolve(__dirname, '..', '..', '..', 'docs');
  const section = await runCapacityBench({ docsDir });
  const path = resolve(docsDir, 'benchmarks.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, withSection(current, 'capacity', section));
  console.log(`[capacity] wrote ${path} (capacity section) and ${resolve(docsDir, 'capacity.svg')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
