import { HttpRequest } from '@azure/functions';
import { isValidDeploymentName } from '../core/deploymentName';
import { ApiShape, HttpMethodName, OperationRow } from '../core/operations';
import { StoredIds } from '../core/storedIds';
import { pickForwardHeaders } from '../router/headers';
import { ProxyRequest } from '../router/types';
import { Refusal } from './outcomes';
import { bindStoredIds } from './bindStoredIds';
import { readBody } from './readBody';

export interface ParseContext {
  readonly api: ApiShape;
  readonly operation: OperationRow;
  readonly consumer: string;
  readonly maxBodyBytes: number;
  /** Undefined when ROUTER_ID_SECRET is unset: operations on stored objects cannot be served. */
  readonly storedIds: StoredIds | undefined;
}

export type Parsed = { readonly ok: true; readonly request: ProxyRequest } | { readonly ok: false; readonly refusal: Refusal };

const fail = (refusal: Refusal): Parsed => ({ ok: false, refusal });
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** Turns an authenticated HTTP request into a ProxyRequest, or the refusal that explains why not. */
export async function parseProxyRequest(req: HttpRequest, ctx: ParseContext): Promise<Parsed> {
  const { operation } = ctx;
  const pathAlias = ctx.api === 'deployments' && operation.alias === 'path' ? (routeValue(req, 'deployment') ?? '') : undefined;
  if (pathAlias !== undefined && !isValidDeploymentName(pathAlias)) return fail({ kind: 'invalid-deployment-name', name: pathAlias });
  if (operation.storedIds && ctx.storedIds === undefined) return fail({ kind: 'id-secret-missing' });
  const read =
    req.method === 'POST' ? await readBody(req.body, req.headers.get('content-length'), ctx.maxBodyBytes) : { ok: true as const, body: Buffer.alloc(0) };
  if (!read.ok) return fail(read.reason === 'too-large' ? { kind: 'body-too-large', limitBytes: ctx.maxBodyBytes } : { kind: 'body-unreadable' });
  // Operations on stored objects may come without a body (GET, DELETE, cancel); inference never does.
  const bodyless = read.body.length === 0 && operation.alias === 'none';
  const json = bodyless ? EMPTY : parseJsonObject(read.body);
  if (json === undefined) return fail({ kind: 'invalid-json' });
  const alias = operation.alias === 'none' ? '' : (pathAlias ?? json.model);
  if (typeof alias !== 'string' || (alias === '' && operation.alias !== 'none')) return fail({ kind: 'missing-model' });
  if (alias !== '' && !isValidDeploymentName(alias)) return fail({ kind: 'invalid-deployment-name', name: alias });
  const bound =
    ctx.storedIds === undefined || !operation.storedIds
      ? undefined
      : bindStoredIds(req, operation, bodyless ? undefined : read.body, ctx.storedIds, ctx.consumer);
  if (bound !== undefined && !bound.ok) return fail(bound.refusal);
  const search = allowedQuery(req.url, operation.query);
  return {
    ok: true,
    request: {
      api: ctx.api,
      operation,
      method: req.method as HttpMethodName,
      alias,
      params: bound?.params ?? {},
      boundTo: bound?.backend,
      search,
      body: bound?.body ?? (bodyless ? undefined : read.body),
      json,
      stream: json.stream === true || (req.method === 'GET' && /(?:^\?|&)stream=true(?:&|$)/.test(search)),
      forwardHeaders: pickForwardHeaders((name) => req.headers.get(name)),
      consumer: ctx.consumer,
    },
  };
}

/**
 * A route value, found case-insensitively: under Azure's worker, `params` also holds the query
 * parameters and the body's top-level scalars, keyed case-insensitively under the spelling seen
 * first, so `?Deployment=x` renames the key while the route's value still wins.
 */
export function routeValue(req: HttpRequest, name: string): string | undefined {
  const exact = req.params[name];
  if (exact !== undefined) return exact;
  for (const key in req.params) if (key.toLowerCase() === name) return req.params[key];
  return undefined;
}

/**
 * Only the parameters the operation knows reach a backend, in the caller's order and
 * encoding: never a Functions `code`, a stray `api-key` or anything else in the query.
 */
function allowedQuery(url: string, allowed: readonly string[]): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0 || allowed.length === 0) return '';
  const kept = url
    .slice(queryStart + 1)
    .split('&')
    .filter((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      return allowed.includes(safeDecode(name));
    });
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
