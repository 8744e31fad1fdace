import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from './support/bicep';

// README "Deploy", step 3 on a fresh clone: `npm run publish:azure -- <appName>` runs
// scripts/publish.mjs, which must hand Core Tools its worker runtime without local.settings.json.
// Core Tools is a stub here (no Azure, no Core Tools offline): a `func` on PATH that records how
// it was called.

const SCRIPT = join(REPO, 'scripts', 'publish.mjs');
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

const STUB = `#!/usr/bin/env node
const { writeFileSync } = require('node:fs');
if (process.argv[2] === '--version') { process.stdout.write(process.env.STUB_VERSION + '\\n'); process.exit(0); }
writeFileSync(process.env.STUB_OUT, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), runtime: process.env.FUNCTIONS_WORKER_RUNTIME ?? null }));
process.exit(Number(process.env.STUB_EXIT ?? '0'));
`;

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh clone after step 3's `npm ci && npm run build && npm prune --omit=dev`: no local.settings.json. */
function freshClone(options: { built?: boolean; devDependencies?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'router-publish-'));
  temporary.push(root);
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts', 'publish.mjs'));
  for (const file of ['package.json', 'package-lock.json', 'host.json', '.funcignore']) copyFileSync(join(REPO, file), join(root, file));
  if (options.built !== false) {
    mkdirSync(join(root, 'dist', 'src', 'functions'), { recursive: true });
    writeFileSync(join(root, 'dist', 'src', 'functions', 'health.js'), '');
  }
  const installed = [...Object.keys(manifest.dependencies), ...(options.devDependencies === true ? ['typescript'] : [])];
  for (const name of installed) {
    mkdirSync(join(root, 'node_modules', name), { recursive: true });
    writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name }));
  }
  return root;
}

function stubFunc(): string {
  const bin = mkdtempSync(join(tmpdir(), 'router-func-'));
  temporary.push(bin);
  writeFileSync(join(bin, 'func'), STUB);
  chmodSync(join(bin, 'func'), 0o755);
  return bin;
}

function publish(root: string, args: string[], stub: { version?: string; exit?: number } = {}) {
  const bin = stubFunc();
  const out = join(bin, 'call.json');
  const env: Record<string, string | undefined> = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, STUB_OUT: out, STUB_VERSION: stub.version ?? '4.0.6821', STUB_EXIT: String(stub.exit ?? 0) };
  delete env.FUNCTIONS_WORKER_RUNTIME;
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'publish.mjs'), ...args], { cwd: root, env, encoding: 'utf8' });
  const call = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; cwd: string; runtime: string | null }) : undefined;
  return { status: run.status, stderr: run.stderr, call };
}

describe.skipIf(process.platform === 'win32')('the publish step on a fresh clone (issue 15, item 1)', () => {
  it('is an npm script, and a fresh clone has no local.settings.json (git-ignored) to name the runtime', () => {
    expect(manifest.scripts['publish:azure']).toBe('node scripts/publish.mjs');
    expect(readFileSync(join(REPO, '.gitignore'), 'utf8').split('\n')).toContain('local.settings.json');
  });

  it('runs func azure functionapp publish <app> from the project root with FUNCTIONS_WORKER_RUNTIME=node', () => {
    const root = freshClone();
    const { status, call } = publish(root, ['aoai-router-abc', '--slot', 'staging']);
    expect(status).toBe(0);
    expect(call).toEqual({ argv: ['azure', 'functionapp', 'publish', 'aoai-router-abc', '--slot', 'staging'], cwd: expect.stringContaining('router-publish-'), runtime: 'node' });
    expect(existsSync(join(root, 'local.settings.json'))).toBe(false);
  });

  it('passes on the exit code of func, with a hint for the Front Door health check', () => {
    const { status, stderr } = publish(freshClone(), ['app'], { exit: 1 });
    expect(status).toBe(1);
    expect(stderr).toMatch(/frontDoorId/);
  });

  it.each(['4.0.5274', '4.0.6821', '4.5.0'])('accepts Core Tools %s', (version) => {
    expect(publish(freshClone(), ['app'], { version }).status).toBe(0);
  });

  it.each(['4.0.5198', '3.0.3904'])('refuses Core Tools %s, which has no Flex Consumption publish path', (version) => {
    const { status, stderr, call } = publish(freshClone(), ['app'], { version });
    expect(status).toBe(1);
    expect(stderr).toContain('4.0.5274 or later');
    expect(call).toBeUndefined();
  });

  it('refuses to upload dev dependencies (Core Tools zips node_modules as it is)', () => {
    const { status, stderr, call } = publish(freshClone({ devDependencies: true }), ['app']);
    expect(status).toBe(1);
    expect(stderr).toContain('npm prune --omit=dev');
    expect(call).toBeUndefined();
  });

  it('keeps a dev dependency that a production one needs as well (package-lock.json has no dev flag for it)', () => {
    const root = freshClone();
    mkdirSync(join(root, 'node_modules', '@types', 'node'), { recursive: true });
    writeFileSync(join(root, 'node_modules', '@types', 'node', 'package.json'), '{}');
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    expect(lock.packages['node_modules/@types/node']?.dev).toBeUndefined();
    expect(publish(root, ['app']).status).toBe(0);
  });

  it('refuses a clone that is not built', () => {
    const { status, stderr } = publish(freshClone({ built: false }), ['app']);
    expect(status).toBe(1);
    expect(stderr).toContain('npm run build');
  });

  it('asks for the app name', () => {
    const { status, stderr } = publish(freshClone(), []);
    expect(status).toBe(2);
    expect(stderr).toContain('npm run publish:azure -- <appName>');
  });

  it('says how to get Core Tools when func is not on PATH', () => {
    const root = freshClone();
    const env: Record<string, string | undefined> = { ...process.env, PATH: join(root, 'no-such-dir') };
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'publish.mjs'), 'app'], { cwd: root, env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Core Tools');
  });
});
