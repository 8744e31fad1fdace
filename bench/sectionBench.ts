/**
 * What the capacity and latency benches share: their options, and the `main.js` that runs one
 * and writes its section of docs/benchmarks.md (see sections.ts) and its chart beside it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withSection, type SectionName } from './sections';

/** The repository's docs/ (from dist/bench/). */
export const DOCS_DIR = resolve(__dirname, '..', '..', 'docs');

export interface SectionBenchOptions {
  /** Settings source (BENCH_QUICK, BENCH_CAPACITY_* / BENCH_LATENCY_*); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the bench's chart (<name>.svg) is written; default the repository's docs/. */
  readonly docsDir?: string;
  readonly log?: (line: string) => void;
}

export interface ResolvedOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly docsDir: string;
  readonly log: (line: string) => void;
}

export function resolveOptions(options: SectionBenchOptions): ResolvedOptions {
  return {
    env: options.env ?? process.env,
    docsDir: options.docsDir ?? DOCS_DIR,
    log: options.log ?? ((line: string) => console.log(line)),
  };
}

/** Runs the bench, writes its section between its markers (appended when absent), exits 1 on failure. */
export function runSectionMain(name: SectionName, run: (options: SectionBenchOptions) => Promise<string>): void {
  main(name, run).catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}

async function main(name: SectionName, run: (options: SectionBenchOptions) => Promise<string>): Promise<void> {
  const section = await run({ docsDir: DOCS_DIR });
  const path = resolve(DOCS_DIR, 'benchmarks.md');
  // Read just before writing: other benches may have rewritten their own sections meanwhile.
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
  writeFileSync(path, withSection(current, name, section));
  console.log(`[${name}] wrote ${path} (${name} section) and ${resolve(DOCS_DIR, `${name}.svg`)}`);
}
