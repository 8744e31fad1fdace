// Loads a function app the way the Node worker does: `package.json` `main` names the entry
// file(s) (often a glob such as `dist/src/functions/*.js`), and requiring them runs the `app.*`
// calls that register functions with `@azure/functions-core`, which the shim captures.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { join, posix, resolve } from 'node:path';
import { getCoreRegistry, installCoreShim, type HookCallback, type Registration } from './coreShim';
import type { CookieSerializer } from './writeResponse';

export interface LoadedApp {
  /** Absolute paths of the entry files, in the order they were required. */
  files: string[];
  /** The functions those files registered, in registration order. */
  registrations: Registration[];
  /** Hooks (`app.hook.*`) registered while loading, by hook name. */
  hooks: Array<{ name: string; callback: HookCallback }>;
}

/** Expands `main`; `*` and `?` are allowed in the file-name segment only. */
export function expandMain(dir: string, main: string): string[] {
  const pattern = main.replace(/\\/g, '/').replace(/^\.\//, '');
  const folder = posix.dirname(pattern);
  const fileGlob = posix.basename(pattern);
  if (/[*?[\]{}]/.test(folder)) {
    throw new Error(`package.json "main" ("${main}"): only the file name may contain wildcards.`);
  }
  const folderPath = resolve(dir, folder);
  if (!/[*?]/.test(fileGlob)) {
    const file = join(folderPath, fileGlob);
    if (!existsSync(file)) throw new Error(`package.json "main" names ${file}, which does not exist (not built yet?).`);
    return [file];
  }
  const source = fileGlob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  const matcher = new RegExp(`^${source}$`);
  const names = existsSync(folderPath)
    ? readdirSync(folderPath, { withFileTypes: true })
        .filter((e) => e.isFile() && matcher.test(e.name))
        .map((e) => e.name)
    : [];
  if (names.length === 0) throw new Error(`package.json "main" ("${main}") matches no file in ${folderPath} (not built yet?).`);
  return names.sort().map((name) => join(folderPath, name));
}

export function readMain(dir: string): string {
  const file = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { main?: unknown };
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '') throw new Error(`${file} has no "main" entry.`);
  return pkg.main;
}

function hookSnapshot(): Array<{ name: string; callback: HookCallback }> {
  const all: Array<{ name: string; callback: HookCallback }> = [];
  for (const [name, set] of getCoreRegistry().hooks) for (const callback of set) all.push({ name, callback });
  return all;
}

/**
 * Requires the app's entry files with the core shim installed and returns what they registered.
 * Entry files are evicted from the require cache first so a second host in the same process
 * (tests, benchmarks) registers afresh instead of silently getting nothing.
 */
export function loadFunctionApp(dir: string): LoadedApp {
  const registry = installCoreShim();
  const files = expandMain(dir, readMain(dir));
  const appRequire = Module.createRequire(join(resolve(dir), 'package.json'));
  const before = new Set(registry.functions);
  const hooksBefore = new Set(hookSnapshot().map((h) => h.callback));
  for (const file of files) {
    const cache = appRequire.cache as Record<string, unknown>;
    delete cache[file];
    appRequire(file);
  }
  const registrations = registry.functions.filter((r) => !before.has(r));
  if (registrations.length === 0) {
    throw new Error(
      `No functions were registered by ${files.join(', ')}. If "@azure/functions" was used before ` +
        'installCoreShim() ran, it is stuck in test mode: start the host before loading app code.',
    );
  }
  return { files, registrations, hooks: hookSnapshot().filter((h) => !hooksBefore.has(h.callback)) };
}

/** The app's own copy of `@azure/functions`, so `instanceof HttpResponse` sees the same class. */
export function requireFunctionsLibrary(dir: string): typeof import('@azure/functions') {
  return Module.createRequire(join(resolve(dir), 'package.json'))('@azure/functions') as typeof import('@azure/functions');
}

/**
 * `serialize` from the `cookie` package that copy of the library uses for `Set-Cookie` (it is
 * one of its two dependencies, so it resolves wherever the library itself loaded from).
 */
export function requireLibraryCookieSerializer(dir: string): CookieSerializer {
  const appRequire = Module.createRequire(join(resolve(dir), 'package.json'));
  const libraryRequire = Module.createRequire(appRequire.resolve('@azure/functions'));
  return (libraryRequire('cookie') as { serialize: CookieSerializer }).serialize;
}
