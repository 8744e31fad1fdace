/**
 * URL routing of the simulated resource: the Azure deployments API, the v1 API, the models
 * list, and the stored-object APIs (Responses, Conversations) under both `/openai/v1/…` and
 * Azure's preview shape `/openai/…?api-version=…`.
 */

import { OPERATION_ROWS } from '../../core/operations';

export type Operation = 'chat' | 'completions' | 'embeddings';

/** What a Responses or Conversations path names: the collection, one object, or one of its sub-resources. */
export type StoredAction = 'create' | 'object' | 'cancel' | 'inputItems' | 'items' | 'item';

interface RouteMethods {
  /** Methods the path answers; anything else gets 405. */
  readonly methods: readonly string[];
  /** The `Allow` header of that 405, precomputed. */
  readonly allow: string;
  readonly needsApiVersion: boolean;
}

export type Route =
  | (RouteMethods & {
      readonly kind: 'inference';
      readonly operation: Operation;
      /** From the path; undefined on the v1 routes, where the body's `model` names it. */
      readonly deployment: string | undefined;
    })
  | (RouteMethods & { readonly kind: 'models' })
  | (RouteMethods & {
      readonly kind: 'responses' | 'conversations';
      readonly action: StoredAction;
      /** The response or conversation id from the path; undefined on the collection. */
      readonly id: string | undefined;
      /** The conversation item id of `/conversations/{id}/items/{item_id}`. */
      readonly itemId: string | undefined;
    })
  | { readonly kind: 'unknown' };

export type StoredRoute = Extract<Route, { kind: 'responses' | 'conversations' }>;

const POST = ['POST'] as const;
const GET = ['GET'] as const;

function methods(list: readonly string[], needsApiVersion: boolean): RouteMethods {
  return { methods: list, allow: list.join(', '), needsApiVersion };
}

/** Compiled once: the hot path only executes it. */
const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)\/?$/;

/** `/openai[/v1]/(responses|conversations)[/{id}[/{sub}[/{item_id}]]]`; the shape table below says which exist. */
const STORED_PATH = /^\/openai(\/v1)?\/(responses|conversations)(?:\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?)?\/?$/;

const OPERATIONS: Record<string, Operation> = {
  'chat/completions': 'chat',
  completions: 'completions',
  embeddings: 'embeddings',
};

interface StoredShape {
  readonly action: StoredAction;
  /** Under `/openai/v1/…`, where api-version is optional. */
  readonly v1: RouteMethods;
  /** Under Azure's preview `/openai/…`, where api-version is required. */
  readonly preview: RouteMethods;
}

function shape(action: StoredAction, list: readonly string[]): StoredShape {
  return { action, v1: methods(list, false), preview: methods(list, true) };
}

/** What the simulator does for each stored-object row of the router's operation table. */
const STORED_ACTIONS: Readonly<Record<string, StoredAction>> = {
  responses: 'create',
  response: 'object',
  responseCancel: 'cancel',
  responseInputItems: 'inputItems',
  conversations: 'create',
  conversation: 'object',
  conversationItems: 'items',
  conversationItem: 'item',
};

/**
 * Path shape → action and methods, read from the operation table (the backend paths and methods
 * the router sends), so the simulated resource answers exactly what the router can ask.
 */
const STORED_SHAPES: Record<string, StoredShape> = Object.fromEntries(
  OPERATION_ROWS.flatMap((row) => {
    const action = STORED_ACTIONS[row.name];
    return action === undefined ? [] : [[row.path, shape(action, row.methods)] as const];
  }),
);

function v1Inference(operation: Operation): Route {
  return { kind: 'inference', operation, deployment: undefined, ...methods(POST, false) };
}

/** Routes that carry no per-request data are shared constants. */
const FIXED_ROUTES = new Map<string, Route>([
  ['/openai/v1/chat/completions', v1Inference('chat')],
  ['/openai/v1/completions', v1Inference('completions')],
  ['/openai/v1/embeddings', v1Inference('embeddings')],
  ['/openai/v1/models', { kind: 'models', ...methods(GET, false) }],
  ['/openai/models', { kind: 'models', ...methods(GET, true) }],
]);

const UNKNOWN: Route = { kind: 'unknown' };

const INFERENCE_METHODS = methods(POST, true);

export function matchRoute(path: string): Route {
  const fixed = FIXED_ROUTES.get(path);
  if (fixed !== undefined) return fixed;
  const match = DEPLOYMENT_PATH.exec(path);
  if (match === null) return matchStoredRoute(path);
  const operation = match[2] === undefined ? undefined : OPERATIONS[match[2]];
  if (match[1] === undefined || operation === undefined) return UNKNOWN;
  const deployment = safeDecode(match[1]);
  if (deployment === undefined) return UNKNOWN;
  return { kind: 'inference', operation, deployment, ...INFERENCE_METHODS };
}

function matchStoredRoute(path: string): Route {
  const match = STORED_PATH.exec(path);
  if (match === null) return UNKNOWN;
  const [, v1, resource, id, sub, item] = match;
  if (resource !== 'responses' && resource !== 'conversations') return UNKNOWN;
  const shape = [resource, id && '{id}', sub, item && '{item}'].filter((part) => part !== undefined).join('/');
  const known = STORED_SHAPES[shape];
  if (known === undefined) return UNKNOWN;
  const decodedId = id === undefined ? undefined : safeDecode(id);
  const itemId = item === undefined ? undefined : safeDecode(item);
  if ((id !== undefined && decodedId === undefined) || (item !== undefined && itemId === undefined)) return UNKNOWN;
  return { kind: resource, action: known.action, id: decodedId, itemId, ...(v1 === undefined ? known.preview : known.v1) };
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

/** The `api-version` query value, or undefined when absent or empty. */
export function apiVersionOf(query: string): string | undefined {
  return paramValue(query, API_VERSION);
}

/** One query parameter's decoded value, or undefined when absent or empty. */
export function queryParam(query: string, name: string): string | undefined {
  return paramValue(query, `${name}=`);
}

/** Scans instead of building URLSearchParams: most requests carry only api-version. */
function paramValue(query: string, prefix: string): string | undefined {
  let start = 0;
  while (start < query.length) {
    const end = query.indexOf('&', start);
    const stop = end < 0 ? query.length : end;
    if (query.startsWith(prefix, start)) {
      const value = query.slice(start + prefix.length, stop);
      return value === '' ? undefined : safeDecode(value);
    }
    start = stop + 1;
  }
  return undefined;
}
