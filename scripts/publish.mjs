#!/usr/bin/env node
// `npm run publish:azure -- <appName> [more func options]`: README "Deploy", step 3.
//
// Runs `func azure functionapp publish <appName>` from the project root with
// FUNCTIONS_WORKER_RUNTIME=node in the command's environment. Core Tools learns the project's
// language only from that variable or from local.settings.json, which is git-ignored, so on a
// fresh clone it stops with "Worker runtime cannot be 'None'" / "Worker runtime is not set".
// The variable is for Core Tools only: Flex Consumption takes the runtime from the app's
// functionAppConfig and deprecates FUNCTIONS_WORKER_RUNTIME as an app setting.
//
// Before publishing it checks what the README's step 3 relies on: the build exists, dev
// dependencies are pruned (Core Tools uploads node_modules as it is) and Core Tools is
// 4.0.5274 or later (the first release with the Flex Consumption publish path).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MIN_CORE_TOOLS = '4.0.5274';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `4.0.6821`, `4.5.0`, `4.0.5274-preview1` → whether it is MIN_CORE_TOOLS or later; undefined when it is no version. */
export function coreToolsRecentEnough(version, minimum = MIN_CORE_TOOLS) {
  const parse = (text) => /^(\d+)\.(\d+)\.(\d+)/.exec(text.trim())?.slice(1).map(Number);
  const found = parse(version);
  const wanted = parse(minimum);
  if (found === undefined || wanted === undefined) return undefined;
  for (let i = 0; i < 3; i++) if (found[i] !== wanted[i]) return found[i] > wanted[i];
  return true;
}

/** Problems that would make the upload wrong or fail, as messages (empty: ready). */
export function packageProblems(root = ROOT) {
  const problems = [];
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const functions = join(root, 'dist', 'src', 'functions');
  if (!existsSync(functions) || !readdirSync(functions).some((file) => file.endsWith('.js'))) {
    problems.push('dist/src/functions holds no compiled functions: run `npm run build` first.');
  }
  // A dev dependency that a production one also needs (package-lock.json: no "dev": true) stays after pruning.
  const lockPath = join(root, 'package-lock.json');
  const lock = existsSync(lockPath) ? JSON.parse(readFileSync(lockPath, 'utf8')) : undefined;
  const devOnly = (name) => {
    const entry = lock?.packages?.[`node_modules/${name}`];
    return entry === undefined || entry.dev === true;
  };
  const devInstalled = Object.keys(manifest.devDependencies ?? {}).filter(
    (name) => devOnly(name) && existsSync(join(root, 'node_modules', name, 'package.json')),
  );
  if (devInstalled.length > 0) {
    problems.push(
      `node_modules holds dev dependencies (${devInstalled.slice(0, 3).join(', ')}${devInstalled.length > 3 ? ', …' : ''}), which Core Tools would upload: run \`npm prune --omit=dev\` first (and \`npm ci\` after publishing).`,
    );
  }
  const missing = Object.keys(manifest.dependencies ?? {}).filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
  if (missing.length > 0) problems.push(`node_modules lacks ${missing.join(', ')}: run \`npm ci && npm run build && npm prune --omit=dev\` first.`);
  return problems;
}

function runFunc(args, options) {
  // Core Tools is func.cmd when npm installed it on Windows, which only a shell can start.
  const windows = process.platform === 'win32';
  return spawnSync(windows ? `func ${args.map((a) => (/[\s"]/.test(a) ? `"${a.replace(/"/g, '\\"')}"` : a)).join(' ')}` : 'func', windows ? [] : args, {
    shell: windows,
    ...options,
  });
}

export function main(argv = process.argv.slice(2), root = ROOT) {
  const [appName, ...rest] = argv;
  if (appName === undefined || appName.startsWith('-')) {
    console.error('Usage: npm run publish:azure -- <appName> [func azure functionapp publish options]');
    return 2;
  }
  const problems = packageProblems(root);
  if (problems.length > 0) {
    for (const problem of problems) console.error(`publish: ${problem}`);
    return 1;
  }
  const version = runFunc(['--version'], { cwd: root, encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    console.error(`publish: Azure Functions Core Tools (func) not found on PATH: install ${MIN_CORE_TOOLS} or later (npm i -g azure-functions-core-tools@4).`);
    return 1;
  }
  const recent = coreToolsRecentEnough(version.stdout);
  if (recent !== true) {
    console.error(
      `publish: Core Tools ${version.stdout.trim() || '(unknown version)'} has no Flex Consumption publish path: install ${MIN_CORE_TOOLS} or later.`,
    );
    return 1;
  }
  const env = { ...process.env, FUNCTIONS_WORKER_RUNTIME: 'node' };
  const result = runFunc(['azure', 'functionapp', 'publish', appName, ...rest], { cwd: root, env, stdio: 'inherit' });
  if (result.error !== undefined) {
    console.error(`publish: could not start func: ${result.error.message}`);
    return 1;
  }
  if (result.status !== 0) {
    console.error(
      'publish: func failed. If it uploaded and then said the app "appears to be unhealthy", Core Tools could not reach ' +
        'https://<app>/admin/host/status: with frontDoorId set only Front Door may call the app (README "Deploy", Front Door).',
    );
  }
  return result.status ?? 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main();
