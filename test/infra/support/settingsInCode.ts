import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './bicep';

const READER_CALL = /\.(?:string|required|integer|secondsAsMs|number|oneOf)\(\s*(?:'([A-Za-z0-9_]+)'|([A-Z][A-Z0-9_]*)\s*[,)])/g;
/** Helpers handed the reader and a setting name, e.g. `pairs(settings, 'ROUTER_CONSUMER_LIMITS', …)`. */
const HELPER_CALL = /\b\w+\(\s*settings\s*,\s*'([A-Za-z][A-Za-z0-9_]*)'/g;
const NAMED_CONSTANT = /const ([A-Z][A-Z0-9_]*) = '([A-Za-z0-9_]+)'/g;
const BACKEND_TEMPLATE = /`(?:BACKEND_\$\{n\}_|\$\{prefix\})([A-Z][A-Z0-9_]*)`/g;
const PREFIX_DECLARATION = /const prefix = `BACKEND_\$\{n\}_`/;
const ENV_READ = /\benv(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*'([A-Za-z0-9_]+)'\s*\])/g;

export interface SettingRead {
  readonly name: string;
  readonly file: string;
}

function sourceFiles(): string[] {
  const src = join(REPO, 'src');
  return readdirSync(src, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .filter((file) => !file.startsWith('src/local/'));
}

/**
 * Every setting src/ (outside src/local) reads: SettingsReader calls with a literal name or a
 * named constant, helpers called as `helper(settings, 'NAME', …)`, `BACKEND_${n}_X` / `${prefix}X`
 * names (reported as `BACKEND_<N>_X`), and `env.X` / `process.env.X` reads.
 */
export function settingsReadByCode(): SettingRead[] {
  const reads: SettingRead[] = [];
  for (const file of sourceFiles()) {
    const text = readFileSync(join(REPO, file), 'utf8');
    const constants = new Map([...text.matchAll(NAMED_CONSTANT)].map((m) => [m[1] ?? '', m[2] ?? '']));
    for (const m of text.matchAll(READER_CALL)) {
      const name = m[1] ?? constants.get(m[2] ?? '');
      if (name !== undefined) reads.push({ name, file });
    }
    for (const m of text.matchAll(HELPER_CALL)) reads.push({ name: m[1] ?? '', file });
    for (const m of text.matchAll(BACKEND_TEMPLATE)) {
      if (m[0].includes('${prefix}') && !PREFIX_DECLARATION.test(text)) continue;
      reads.push({ name: `BACKEND_<N>_${m[1]}`, file });
    }
    for (const m of text.matchAll(ENV_READ)) reads.push({ name: m[1] ?? m[2] ?? '', file });
  }
  return reads;
}

/** Setting names in the first column of the README "## Settings" table. */
export function readmeSettings(): Set<string> {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Settings\n')) ?? '';
  return new Set([...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] ?? ''));
}
