/**
 * The Conversations API: durable item lists that responses read and extend. Conversations
 * are the resource's, not a deployment's (no `model`); another resource answers 404
 * conversation_not_found for them.
 */
import { conversationNotFound, INVALID_JSON, invalidType, itemNotFound, missingProperty } from './errors';
import { storedId, unixSeconds } from './ids';
import { parseObject } from './inference';
import { itemListJson, itemPageJson } from './lists';
import type { StoredConversation } from './memory';
import { sendJson, sendJsonNow } from './reply';
import { readItems, Refusal } from './response-input';
import type { StoredRoute } from './routes';
import type { Exchange } from './state';
import { isObject, type JsonObject } from './tokens';

export function handleConversations(ex: Exchange, route: StoredRoute, method: string): void {
  if (route.action === 'create') return createConversation(ex);
  const id = route.id ?? '';
  const conversation = ex.state.memory.conversations.get(id);
  if (conversation === undefined) return sendJson(ex, 404, conversationNotFound(id, null));
  switch (route.action) {
    case 'object':
      if (method === 'POST') return updateConversation(ex, conversation);
      if (method === 'DELETE') return deleteConversation(ex, conversation);
      return sendJsonNow(ex, 200, conversationJson(conversation));
    case 'items':
      if (method === 'POST') return addItems(ex, conversation);
      return sendJsonNow(ex, 200, itemPageJson(conversation.items, ex.query));
    case 'item':
      return itemOperation(ex, conversation, route.itemId ?? '', method);
    default:
      return sendJson(ex, 404, conversationNotFound(id, null));
  }
}

function conversationJson(conversation: StoredConversation): string {
  const { id, createdAt, metadata } = conversation;
  return JSON.stringify({ id, object: 'conversation', created_at: createdAt, metadata });
}

/** The body is optional: an empty one creates an empty conversation. */
function readBody(ex: Exchange): JsonObject | undefined {
  return ex.body.trim() === '' ? {} : parseObject(ex.body);
}

function createConversation(ex: Exchange): void {
  const body = readBody(ex);
  if (body === undefined) return sendJson(ex, 400, INVALID_JSON);
  const metadata = metadataOf(body.metadata);
  if (metadata instanceof Refusal) return sendJson(ex, metadata.status, metadata.body);
  const items = body.items === undefined ? [] : checkedItems(ex, body.items, 'items');
  if (items instanceof Refusal) return sendJson(ex, items.status, items.body);
  const conversation: StoredConversation = { id: storedId('conv_'), createdAt: unixSeconds(), metadata: metadata ?? {}, items };
  const { memory } = ex.state;
  memory.conversations.set(conversation.id, conversation);
  for (const item of items) memory.items.set(String(item.id), item);
  sendJsonNow(ex, 200, conversationJson(conversation));
}

function updateConversation(ex: Exchange, conversation: StoredConversation): void {
  const body = readBody(ex);
  if (body === undefined) return sendJson(ex, 400, INVALID_JSON);
  const metadata = metadataOf(body.metadata);
  if (metadata instanceof Refusal) return sendJson(ex, metadata.status, metadata.body);
  if (metadata === undefined) return sendJson(ex, 400, missingProperty('metadata'));
  conversation.metadata = metadata;
  sendJsonNow(ex, 200, conversationJson(conversation));
}

function deleteConversation(ex: Exchange, conversation: StoredConversation): void {
  ex.state.memory.conversations.delete(conversation.id);
  sendJsonNow(ex, 200, JSON.stringify({ id: conversation.id, object: 'conversation.deleted', deleted: true }));
}

/** `POST /conversations/{id}/items`: answers the list of the items it added. */
function addItems(ex: Exchange, conversation: StoredConversation): void {
  const body = readBody(ex);
  if (body === undefined) return sendJson(ex, 400, INVALID_JSON);
  if (body.items === undefined) return sendJson(ex, 400, missingProperty('items'));
  const items = checkedItems(ex, body.items, 'items');
  if (items instanceof Refusal) return sendJson(ex, items.status, items.body);
  conversation.items.push(...items);
  for (const item of items) ex.state.memory.items.set(String(item.id), item);
  sendJsonNow(ex, 200, itemListJson(items, false));
}

/** `GET` answers the item; `DELETE` removes it and answers the conversation. */
function itemOperation(ex: Exchange, conversation: StoredConversation, itemId: string, method: string): void {
  const index = conversation.items.findIndex((item) => item.id === itemId);
  const item = conversation.items[index];
  if (item === undefined) return sendJson(ex, 404, itemNotFound(itemId, null));
  if (method === 'GET') return sendJsonNow(ex, 200, JSON.stringify(item));
  conversation.items.splice(index, 1);
  ex.state.memory.items.delete(itemId);
  sendJsonNow(ex, 200, conversationJson(conversation));
}

function checkedItems(ex: Exchange, value: unknown, param: string): JsonObject[] | Refusal {
  if (!Array.isArray(value)) return new Refusal(400, invalidType(param, 'an array', value));
  const read = readItems(ex.state.memory, value, param);
  return read instanceof Refusal ? read : read.items;
}

function metadataOf(value: unknown): JsonObject | undefined | Refusal {
  if (value === undefined || value === null) return undefined;
  return isObject(value) ? value : new Refusal(400, invalidType('metadata', 'an object', value));
}
