/**
 * `node dist/bench/capacity/main.js`: runs the capacity bench and writes its section into
 * docs/benchmarks.md between `<!-- capacity:start -->` and `<!-- capacity:end -->` (appended
 * when absent); nothing outside the markers is touched. BENCH_QUICK=1 for a ~1 min run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCapacityBench } from './run';

const START = '<!-- capacity:start -->';
const END = '<!-- capacity:end -->';

/** Replaces what lies between the markers, or appends both markers with the section. */
export function withSection(document: string, section: string): string {
  const block = `${START}\n${section.trimEnd()}\n${END}`;
  const start = document.indexOf(START);
  const end = start < 0 ? -1 : document.indexOf(END, start);
  if (start < 0 || end < 0) return `${document}${document === '' || document.endsWith('\n') ? '' : '\n'}\n${block}\n`;
  return document.slice(0, start) + block + document.slice(end + END.length);
}

async function main(): Promise<void> {
  const docsDir = resolve(__dirname, '..', '..', '..', 'docs');
  const section = await runCapacityBench({ docsDir });
  const path = resolve(docsDir, 'benchmarks.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, withSection(current, section));
  console.log(`[capacity] wrote ${path} (capacity section) and ${resolve(docsDir, 'capacity.svg')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
