// Route matching like the Functions host (ASP.NET Core routing): literal segments match
// case-insensitively, `{name}` takes one segment, `{*name}` takes the rest. When several
// templates match, the most specific wins, segment by segment: literal > parameter >
// catch-all, so a `{*path}` function only gets what nothing else matches. Templates are
// compiled once at start-up; matching a request does no regex work and no per-route allocation.

export type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string; optional: boolean } | { kind: 'catchAll'; name: string };

export interface CompiledRoute<T> {
  template: string;
  segments: Segment[];
  /** Upper-case methods, or undefined when the function accepts every method. */
  methods: ReadonlySet<string> | undefined;
  target: T;
  /** Per-segment precedence digits (lower is more specific), as ASP.NET's inbound precedence. */
  rank: number[];
  minSegments: number;
  maxSegments: number;
}

export interface RouteMatch<T> {
  target: T;
  params: Record<string, string>;
}

function parseSegment(raw: string, template: string): Segment {
  if (!raw.startsWith('{')) {
    if (raw.includes('{') || raw.includes('}')) throw new Error(`Route "${template}": complex segment "${raw}" is not supported.`);
    return { kind: 'literal', value: raw.toLowerCase() };
  }
  if (!raw.endsWith('}')) throw new Error(`Route "${template}": bad segment "${raw}".`);
  // Constraints (`{id:int}`) and defaults (`{id=1}`) are accepted but not enforced locally.
  let body = raw.slice(1, -1).split(/[:=]/)[0] ?? '';
  if (body.startsWith('*')) return { kind: 'catchAll', name: body.replace(/^\*+/, '') };
  const optional = body.endsWith('?');
  if (optional) body = body.slice(0, -1);
  if (body === '') throw new Error(`Route "${template}": empty parameter name.`);
  return { kind: 'param', name: body, optional };
}

const RANK: Record<Segment['kind'], number> = { literal: 1, param: 3, catchAll: 5 };

export function compileRoute<T>(template: string, methods: readonly string[] | undefined, target: T): CompiledRoute<T> {
  const segments = template
    .split('/')
    .filter((s) => s !== '')
    .map((s) => parseSegment(s, template));
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment.kind === 'catchAll' && !last) throw new Error(`Route "${template}": a catch-all must be the last segment.`);
    if (segment.kind === 'param' && segment.optional && !last) throw new Error(`Route "${template}": only the last parameter may be optional.`);
  });
  const tail = segments[segments.length - 1];
  const open = tail !== undefined && (tail.kind === 'catchAll' || (tail.kind === 'param' && tail.optional));
  return {
    template,
    segments,
    methods: methods && methods.length > 0 ? new Set(methods.map((m) => m.toUpperCase())) : undefined,
    target,
    rank: segments.map((s) => RANK[s.kind]),
    minSegments: open ? segments.length - 1 : segments.length,
    maxSegments: tail?.kind === 'catchAll' ? Number.POSITIVE_INFINITY : segments.length,
  };
}

/** Negative when `a` is more specific. A missing segment counts as 0, so `a/b` beats `a/b/{*x}`. */
export function compareRoutes(a: CompiledRoute<unknown>, b: CompiledRoute<unknown>): number {
  const length = Math.max(a.rank.length, b.rank.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.rank[i] ?? 0) - (b.rank[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.template.toLowerCase().localeCompare(b.template.toLowerCase());
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // Malformed escapes stay as sent, as ASP.NET does.
  }
}

function tryMatch<T>(route: CompiledRoute<T>, raw: string[], lower: string[]): RouteMatch<T> | undefined {
  if (raw.length < route.minSegments || raw.length > route.maxSegments) return undefined;
  const params: Record<string, string> = {};
  const { segments } = route;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'literal') {
      if (lower[i] !== segment.value) return undefined;
    } else if (segment.kind === 'param') {
      if (i < raw.length) params[segment.name] = decode(raw[i]!);
    } else {
      if (i < raw.length) params[segment.name] = raw.slice(i).map(decode).join('/');
    }
  }
  return { target: route.target, params };
}

/** Splits a request path (no query) into segments; a trailing slash is ignored. */
export function splitPath(path: string): string[] {
  const parts = path.split('/');
  if (parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export class RouteTable<T> {
  private readonly routes: CompiledRoute<T>[];

  constructor(routes: CompiledRoute<T>[]) {
    this.routes = [...routes].sort(compareRoutes);
  }

  get size(): number {
    return this.routes.length;
  }

  /** The most specific route whose template and method both match, with its decoded params. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    const raw = splitPath(path);
    const lower = splitPath(path.toLowerCase());
    for (const route of this.routes) {
      if (route.methods !== undefined && !route.methods.has(method)) continue;
      const found = tryMatch(route, raw, lower);
      if (found) return found;
    }
    return undefined;
  }
}
