/**
 * The Responses API routes: create, and the stored-response operations (retrieve, replay a
 * background stream, delete, cancel, input items). Stored responses are this resource's:
 * an id this resource did not store answers 404 response_not_found.
 */
import { CANNOT_CANCEL_FINISHED, NOT_STREAMABLE, ONLY_BACKGROUND_CANCELLABLE, responseNotFound } from './errors';
import { itemPageJson } from './lists';
import type { StoredResponse } from './memory';
import { deliver, sendJson, sendJsonNow } from './reply';
import { createResponse } from './response-create';
import { responseView } from './response-object';
import { queryParam, type StoredRoute } from './routes';
import { openEventStream } from './sse';
import type { Exchange } from './state';

export function handleResponses(ex: Exchange, route: StoredRoute, method: string, apiVersion: string | undefined): void {
  if (route.action === 'create') return createResponse(ex, apiVersion);
  const id = route.id ?? '';
  const record = ex.state.memory.responses.get(id);
  if (record === undefined) return sendJson(ex, 404, responseNotFound(id));
  switch (route.action) {
    case 'object':
      if (method === 'DELETE') return deleteResponse(ex, record);
      return queryParam(ex.query, 'stream') === 'true' ? replay(ex, record) : sendJsonNow(ex, 200, viewJson(record));
    case 'cancel':
      return cancel(ex, record);
    case 'inputItems':
      return sendJsonNow(ex, 200, itemPageJson(record.inputItems, ex.query));
    default:
      return sendJson(ex, 404, responseNotFound(id));
  }
}

function viewJson(record: StoredResponse): string {
  return JSON.stringify(responseView(record.object, record.status));
}

/** `GET ?stream=true[&starting_after=N]`: a background stream's events after N, then live ones until it ends. */
function replay(ex: Exchange, record: StoredResponse): void {
  const run = record.run;
  if (!record.replayable || run === undefined) return sendJson(ex, 400, NOT_STREAMABLE);
  const after = Number(queryParam(ex.query, 'starting_after') ?? -1);
  deliver(ex, false, () => {
    openEventStream(ex);
    run.follow(ex, Number.isInteger(after) ? after : -1);
  });
}

/**
 * A deleted response stops generating and its id then answers 404 like one never stored.
 * Its output goes with it; input items stay, as they may be other responses' items referenced.
 */
function deleteResponse(ex: Exchange, record: StoredResponse): void {
  const { memory } = ex.state;
  memory.responses.delete(record.id);
  record.run?.cancel();
  if (record.conversationId === undefined) {
    for (const item of record.outputItems) memory.items.delete(String(item.id));
  }
  sendJsonNow(ex, 200, JSON.stringify({ id: record.id, object: 'response', deleted: true }));
}

/** Idempotent: cancelling a cancelled response returns it again. */
function cancel(ex: Exchange, record: StoredResponse): void {
  if (!record.background) return sendJson(ex, 400, ONLY_BACKGROUND_CANCELLABLE);
  if (record.status === 'queued' || record.status === 'in_progress') {
    record.run?.cancel();
    if (!record.replayable) record.run = undefined;
    record.status = 'cancelled';
  } else if (record.status !== 'cancelled') {
    return sendJson(ex, 400, CANNOT_CANCEL_FINISHED);
  }
  sendJsonNow(ex, 200, viewJson(record));
}
