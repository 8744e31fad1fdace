import { HttpRequest } from '@azure/functions';
import { OperationRow, PathParams } from '../core/operations';
import { openIdsIn, StoredIds } from '../core/storedIds';
import { Refusal } from './outcomes';
import { routeValue } from './parseProxyRequest';

export type Binding =
  | { readonly ok: true; readonly backend: string | undefined; readonly params: PathParams; readonly body: Buffer | undefined }
  | { readonly ok: false; readonly refusal: Refusal };

/**
 * Opens the sealed ids a request carries (the `{id}` in its path, `previous_response_id`,
 * `conversation`, replayed reasoning items) into the backend's own ids, and names the one
 * backend they bind the request to. A foreign, forged or malformed id is a 404, and nothing
 * of the request is forwarded.
 */
export function bindStoredIds(req: HttpRequest, operation: OperationRow, body: Buffer | undefined, ids: StoredIds, consumer: string): Binding {
  let backend: string | undefined;
  let params: PathParams = {};
  // Only a route with `{id}` has one: the worker also puts `?id=` and a body's top-level "id" into params.
  const pathId = operation.path.includes('{id}') ? (routeValue(req, 'id') ?? '') : undefined;
  if (pathId !== undefined) {
    const opened = ids.open(pathId, consumer);
    if (opened === undefined) return notFound(pathId);
    backend = opened.backend;
    const item = operation.path.includes('{item}') ? routeValue(req, 'item') : undefined;
    params = { id: opened.id, ...(item === undefined ? {} : { item }) };
  }
  if (body === undefined) return { ok: true, backend, params, body };
  const opened = openIdsIn(body.toString('utf8'), ids, consumer);
  if (opened.kind === 'not-found') return notFound(opened.id);
  if (opened.kind === 'conflict' || (opened.kind === 'bound' && backend !== undefined && opened.backend !== backend)) {
    return { ok: false, refusal: { kind: 'conflicting-stored-ids' } };
  }
  if (opened.kind === 'unbound') return { ok: true, backend, params, body };
  return { ok: true, backend: opened.backend, params, body: Buffer.from(opened.text, 'utf8') };
}

function notFound(id: string): Binding {
  return { ok: false, refusal: { kind: 'stored-id-not-found', id } };
}
