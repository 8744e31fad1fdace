/** URL routing of the simulated resource: the Azure deployments API, the v1 API and the models list. */

export type Operation = 'chat' | 'completions' | 'embeddings';

export type Route =
  | {
      readonly kind: 'inference';
      readonly operation: Operation;
      /** From the path; undefined on the v1 routes, where the body's `model` names it. */
      readonly deployment: string | undefined;
      readonly needsApiVersion: boolean;
    }
  | { readonly kind: 'models'; readonly needsApiVersion: boolean }
  | { readonly kind: 'unknown' };

/** Compiled once: the hot path only executes it. */
const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)\/?$/;

const OPERATIONS: Record<string, Operation> = {
  'chat/completions': 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
};

/** Routes that carry no per-request data are shared constants. */
const FIXED_ROUTES = new Map<string, Route>([
  ['/openai/v1/chat/completions', { kind: 'inference', operation: 'chat', deployment: undefined, needsApiVersion: false }],
  ['/openai/v1/completions', { kind: 'inference', operation: 'completions', deployment: undefined, needsApiVersion: false }],
  ['/openai/v1/embeddings', { kind: 'inference', operation: 'embeddings', deployment: undefined, needsApiVersion: false }],
  ['/openai/v1/models', { kind: 'models', needsApiVersion: false }],
  ['/openai/models', { kind: 'models', needsApiVersion: true }],
]);

const UNKNOWN: Route = { kind: 'unknown' };

export function matchRoute(path: string): Route {
  const fixed = FIXED_ROUTES.get(path);
  if (fixed !== undefined) return fixed;
  const match = DEPLOYMENT_PATH.exec(path);
  const operation = match?.[2] === undefined ? undefined : OPERATIONS[match[2]];
  if (match?.[1] === undefined || operation === undefined) return UNKNOWN;
  const deployment = safeDecode(match[1]);
  if (deployment === undefined) return UNKNOWN;
  return { kind: 'inference', operation, deployment, needsApiVersion: true };
}

function safeDecode(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const API_VERSION = 'api-version=';

/** The `api-version` query value, or undefined when absent or empty. Scans instead of building URLSearchParams. */
export function apiVersionOf(query: string): string | undefined {
  let start = 0;
  while (start < query.length) {
    const end = query.indexOf('&', start);
    const stop = end < 0 ? query.length : end;
    if (query.startsWith(API_VERSION, start)) {
      const value = query.slice(start + API_VERSION.length, stop);
      return value === '' ? undefined : safeDecode(value);
    }
    start = stop + 1;
  }
  return undefined;
}
