import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ignore from 'ignore';
import { REPO } from './bicep';

/**
 * What `func azure functionapp publish` uploads, emulated two ways over the same file list.
 * Core Tools (FileSystemHelpers.GetLocalFiles) always skips .git and .vscode folders and files named
 * .funcignore, .gitignore, local.settings.json or project.lock.json, then keeps what its
 * GitIgnoreParser (a port of codemix/gitignore-parser) accepts: every pattern anchored at the root,
 * a leading "/" stripped, `*` within a segment, `**` across, matched up to a word boundary.
 */
const SKIPPED_FOLDERS = new Set(['.git', '.vscode']);
const SKIPPED_FILES = new Set(['.funcignore', '.gitignore', 'local.settings.json', 'project.lock.json']);

/** Repository files as `a/b.c` paths. node_modules is not walked (it is uploaded as it is); .git neither. */
export function repoFiles(dir = REPO): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && entry.name !== '.git')
    .flatMap((entry) => (entry.isDirectory() ? repoFiles(join(dir, entry.name)) : [relative(REPO, join(dir, entry.name)).split('\\').join('/')]))
    .sort();
}

function skippedByCoreTools(path: string): boolean {
  const segments = path.toLowerCase().split('/');
  const file = segments.pop() ?? '';
  return SKIPPED_FILES.has(file) || segments.some((folder) => SKIPPED_FOLDERS.has(folder));
}

function patterns(funcignore: string): { positive: string[]; negative: string[] } {
  const lines = funcignore.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const strip = (line: string) => (line.startsWith('/') ? line.slice(1) : line);
  return {
    positive: lines.filter((line) => !line.startsWith('!')).map(strip),
    negative: lines.filter((line) => line.startsWith('!')).map((line) => strip(line.slice(1))),
  };
}

function coreToolsRegex(list: string[]): RegExp {
  if (list.length === 0) return /$^/;
  const prepared = list.map((p) => p.replace(/[-[\]/{}()+?.\\^$|]/g, '\\$&').replace(/\*\*/g, '(.+)').replace(/\*/g, '([^\\/]+)'));
  return new RegExp(`^((${prepared.join(')|(')}))\\b`);
}

/** The package as Core Tools builds it. */
export function coreToolsPackage(files: readonly string[], funcignore: string): string[] {
  const { positive, negative } = patterns(funcignore);
  const denied = coreToolsRegex(positive);
  const accepted = coreToolsRegex(negative);
  return files.filter((path) => !skippedByCoreTools(path) && (accepted.test(path) || !denied.test(path)));
}

/** The package if .funcignore were read with git's rules (the `ignore` package). */
export function gitRulesPackage(files: readonly string[], funcignore: string): string[] {
  const rules = ignore().add(funcignore);
  return files.filter((path) => !skippedByCoreTools(path) && !rules.ignores(path));
}

export function readFuncignore(): string {
  return readFileSync(join(REPO, '.funcignore'), 'utf8');
}

/** `dist/src/functions/*.js` → a RegExp over `a/b.c` paths (`*` stays within a segment). */
export function globRegex(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}
