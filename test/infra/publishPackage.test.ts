import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/bicep';
import { coreToolsPackage, gitRulesPackage, globRegex, readFuncignore, repoFiles } from './support/funcPackage';

// Needs `npm run build` first (`npm test` does it).
const files = repoFiles();
const funcignore = readFuncignore();
const packaged = coreToolsPackage(files, funcignore);
const inPackage = new Set(packaged);
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };

/** Modules the Functions host supplies to the worker at run time. */
const HOST_PROVIDED = ['@azure/functions-core'];

function missingRequires(file: string): string[] {
  const code = readFileSync(join(REPO, file), 'utf8');
  const targets = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? '');
  return targets.filter((target) => {
    if (target.startsWith('.')) {
      const base = posix.normalize(posix.join(posix.dirname(file), target));
      return ![base, `${base}.js`, `${base}/index.js`].some((candidate) => inPackage.has(candidate));
    }
    const name = target.startsWith('@') ? target.split('/').slice(0, 2).join('/') : (target.split('/')[0] ?? '');
    return !(builtinModules.includes(target.replace(/^node:/, '')) || name in manifest.dependencies || HOST_PROVIDED.includes(name));
  }).map((target) => `${file} → ${target}`);
}

describe('the package func publishes', () => {
  it('is built (run `npm run build` first)', () => {
    expect(existsSync(join(REPO, 'dist', 'src', 'functions'))).toBe(true);
  });

  it('reads .funcignore the same under Core Tools rules and git rules', () => {
    expect(gitRulesPackage(files, funcignore)).toEqual(packaged);
  });

  it('holds host.json and package.json', () => {
    expect(packaged).toEqual(expect.arrayContaining(['host.json', 'package.json']));
  });

  it('holds the compiled entry file of every function', () => {
    const functions = readdirSync(join(REPO, 'src', 'functions')).filter((file) => file.endsWith('.ts'));
    expect(functions.map((file) => `dist/src/functions/${file.replace(/\.ts$/, '.js')}`).filter((file) => !inPackage.has(file))).toEqual([]);
  });

  it('holds every file package.json main matches, and those are function entry files', () => {
    const main = globRegex(manifest.main);
    const matched = packaged.filter((file) => main.test(file));
    expect(matched.length).toBeGreaterThan(0);
    expect(matched).toEqual(files.filter((file) => main.test(file)));
    expect(matched.every((file) => dirname(file) === 'dist/src/functions')).toBe(true);
  });

  it('holds no tests, sources, benchmarks, infrastructure, deploy scripts, local-only code or local settings', () => {
    const excluded = /^(test|src|bench|infra|docs|scripts|dist\/test|dist\/bench|dist\/src\/local)\/|(^|\/)local\.settings\.json$|\.test\.js$/;
    expect(packaged.filter((file) => excluded.test(file))).toEqual([]);
  });

  it('needs nothing it leaves out: every require is a packaged file, a dependency or a Node built-in', () => {
    expect(packaged.filter((file) => file.startsWith('dist/') && file.endsWith('.js')).flatMap(missingRequires)).toEqual([]);
  });
});
