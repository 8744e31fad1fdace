/** Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time by function, file and area. */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Share {
  readonly key: string;
  readonly ms: number;
  /** Share of the busy (non-idle) time, in percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly byFunction: Share[];
  readonly byFile: Share[];
  readonly byArea: Share[];
  /** Inclusive time (self + callees) of each function, once per sample even when recursive. */
  readonly inclusive: Share[];
  /** Self time charged to the nearest dist/src file on the stack: which of the app's code paid for it. */
  readonly byAppFile: Share[];
}

/** Shortens an absolute script URL to `node_modules/<pkg>/…`, `dist/…` or `node:…`. */
export function shortFile(url: string): string {
  if (url === '') return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) return path.slice(inModules + 1);
  const inDist = path.indexOf('/dist/');
  return inDist >= 0 ? path.slice(inDist + 1) : path;
}

/** The package (`undici`, `@azure/functions`), the router's own folder (`src/router`), or node internals. */
export function areaOf(file: string): string {
  if (file.startsWith('node_modules/')) {
    const parts = file.split('/');
    return parts[1]?.startsWith('@') === true ? `${parts[1]}/${parts[2] ?? ''}` : (parts[1] ?? file);
  }
  if (file.startsWith('dist/')) return file.split('/').slice(0, 3).join('/').replace(/\.js$/, '');
  if (file.startsWith('node:')) return file.split('/').slice(0, 2).join('/');
  return file;
}

/** The nearest dist/src file on the stack, from the leaf up; async continuations keep their function on the stack. */
function appFile(id: number, byId: ReadonlyMap<number, ProfileNode>, parent: ReadonlyMap<number, number>): string {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const file = shortFile(byId.get(at)?.callFrame.url ?? '');
    if (file.startsWith('dist/src/')) return file;
  }
  return '(no app frame: event loop, sockets, GC)';
}

function frameKey(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${shortFile(frame.url)}:${frame.lineNumber + 1}`;
}

function add(map: Map<string, number>, key: string, ms: number): void {
  map.set(key, (map.get(key) ?? 0) + ms);
}

function ranked(map: Map<string, number>, busyMs: number): Share[] {
  return [...map].map(([key, ms]) => ({ key, ms, percent: (100 * ms) / busyMs })).sort((a, b) => b.ms - a.ms);
}

function parents(nodes: readonly ProfileNode[]): Map<number, number> {
  const parent = new Map<number, number>();
  for (const node of nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  return parent;
}

export function summarizeProfile(path: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = parents(profile.nodes);
  const self = new Map<string, number>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const app = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    // Each sample stands for the interval until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    if (node.callFrame.functionName === '(idle)') return void (idleMs += ms);
    busyMs += ms;
    const file = shortFile(node.callFrame.url);
    add(self, frameKey(node.callFrame), ms);
    add(files, file, ms);
    add(areas, node.callFrame.url === '' ? node.callFrame.functionName : areaOf(file), ms);
    add(app, appFile(id, byId, parent), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame !== undefined && frame.url !== '') seen.add(frameKey(frame));
    }
    for (const key of seen) add(inclusive, key, ms);
  });
  return {
    busyMs,
    idleMs,
    byFunction: ranked(self, busyMs),
    byFile: ranked(files, busyMs),
    byArea: ranked(areas, busyMs),
    inclusive: ranked(inclusive, busyMs),
    byAppFile: ranked(app, busyMs),
  };
}

function shareTable(title: string, shares: readonly Share[], top: number): string {
  const rows = shares.slice(0, top).map((s) => `| ${s.key.replace(/\|/g, '\\|')} | ${s.ms.toFixed(0)} | ${s.percent.toFixed(1)} % |`);
  return [`| ${title} | ms | share of busy |`, '| --- | --- | --- |', ...rows].join('\n');
}

export function profileMarkdown(summary: ProfileSummary, top = 20): string {
  return [
    `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms.`,
    '',
    '**Self time charged to the nearest app file on the stack** (who asked for the work)',
    '',
    shareTable('app file', summary.byAppFile, 15),
    '',
    '**Self time by area** (package, folder of dist/src, node internals)',
    '',
    shareTable('area', summary.byArea, 15),
    '',
    '**Self time by file**',
    '',
    shareTable('file', summary.byFile, top),
    '',
    '**Self time by function**',
    '',
    shareTable('function', summary.byFunction, top),
    '',
    '**Inclusive time by function** (self + callees)',
    '',
    shareTable('function', summary.inclusive, top + 10),
  ].join('\n');
}
