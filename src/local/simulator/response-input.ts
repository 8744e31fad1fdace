/**
 * Input items of the Responses and Conversations APIs, normalized the way the service stores
 * them (typed, with ids), with their token estimate. Items that point into the resource's
 * memory (`item_reference`, reasoning by id or by `encrypted_content`) are resolved against
 * this resource only: pointing at another resource's items fails as on Azure.
 */
import { invalidEncryptedContent, invalidType, itemNotFound, missingProperty } from './errors';
import { storedId } from './ids';
import type { ResourceMemory } from './memory';
import { unseal } from './seal';
import { chatTriggersFilter, estimateChatPromptTokens, estimateTextTokens, isObject, type JsonObject } from './tokens';

/** An error answer decided while reading the request, before the limiter charges it. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {}
}

export interface InputItems {
  readonly items: JsonObject[];
  /** Prompt tokens of these items, by the chat rule (chars / 4, + 3 per message). */
  readonly tokens: number;
  /** A user message carries the content-filter trigger. */
  readonly flagged: boolean;
}

const NO_ITEMS: InputItems = { items: [], tokens: 0, flagged: false };

const INPUT_TYPE = 'one of a string or array of input items';

/** A Responses `input`: absent, a string (one user message), or an array of items. */
export function readInput(memory: ResourceMemory, input: unknown): InputItems | Refusal {
  if (input === undefined) return NO_ITEMS;
  if (typeof input === 'string') return summarize([message('user', input, undefined)]);
  if (!Array.isArray(input)) return new Refusal(400, invalidType('input', INPUT_TYPE, input));
  return readItems(memory, input, 'input');
}

/** An array of items, as `input` or as a conversation's `items`; `param` names it in errors. */
export function readItems(memory: ResourceMemory, raw: readonly unknown[], param: string): InputItems | Refusal {
  const items: JsonObject[] = [];
  for (const [index, value] of raw.entries()) {
    const item = readItem(memory, value, `${param}[${index}]`);
    if (item instanceof Refusal) return item;
    items.push(item);
  }
  return summarize(items);
}

function summarize(items: JsonObject[]): InputItems {
  return { items, tokens: itemsTokens(items), flagged: chatTriggersFilter(items) };
}

function readItem(memory: ResourceMemory, value: unknown, param: string): JsonObject | Refusal {
  if (!isObject(value)) return new Refusal(400, invalidType(param, 'an object', value));
  // An easy input message (`{role, content}`) is a message item without its type.
  const type = value.type ?? (value.role === undefined ? undefined : 'message');
  switch (type) {
    case 'message':
      return readMessage(value, param);
    case 'item_reference':
      return stored(memory, value.id, param);
    case 'reasoning':
      return readReasoning(memory, value, param);
    case 'function_call_output':
      return { id: idOr(value.id, 'fco_'), type, call_id: value.call_id, output: value.output, status: 'completed' };
    case undefined:
      return new Refusal(400, missingProperty(`${param}.type`));
    default:
      return { ...value, id: idOr(value.id, 'item_') };
  }
}

function readMessage(value: JsonObject, param: string): JsonObject | Refusal {
  const { role, content } = value;
  if (typeof role !== 'string') return new Refusal(400, invalidType(`${param}.role`, 'a string', role));
  if (typeof content === 'string') return message(role, content, value.id);
  if (!Array.isArray(content)) return new Refusal(400, invalidType(`${param}.content`, 'a string or array', content));
  return { id: idOr(value.id, 'msg_'), type: 'message', status: 'completed', role, content };
}

/** Stored with typed parts, as input_items lists them: assistant text is output text. */
function message(role: string, text: string, id: unknown): JsonObject {
  const part = role === 'assistant' ? { type: 'output_text', text, annotations: [] } : { type: 'input_text', text };
  return { id: idOr(id, 'msg_'), type: 'message', status: 'completed', role, content: [part] };
}

/** A reasoning item travels by `encrypted_content` (sealed by this resource) or by id (stored here). */
function readReasoning(memory: ResourceMemory, value: JsonObject, param: string): JsonObject | Refusal {
  const sealed = value.encrypted_content;
  if (typeof sealed !== 'string') return stored(memory, value.id, param);
  if (unseal(memory.secret, sealed) === undefined) return new Refusal(400, invalidEncryptedContent(sealed));
  return { id: idOr(value.id, 'rs_'), type: 'reasoning', summary: value.summary ?? [], encrypted_content: sealed };
}

function stored(memory: ResourceMemory, id: unknown, param: string): JsonObject | Refusal {
  if (typeof id !== 'string') return new Refusal(400, missingProperty(`${param}.id`));
  return memory.items.get(id) ?? new Refusal(404, itemNotFound(id, param));
}

function idOr(id: unknown, prefix: string): string {
  return typeof id === 'string' && id !== '' ? id : storedId(prefix);
}

/** Messages by the chat rule; tool outputs by their text; reasoning is not re-read as input. */
export function itemTokens(item: JsonObject): number {
  switch (item.type) {
    case 'message':
      return estimateChatPromptTokens([item]);
    case 'function_call_output':
      return typeof item.output === 'string' ? estimateTextTokens(item.output.length) : 0;
    case 'function_call':
      return typeof item.arguments === 'string' ? estimateTextTokens(item.arguments.length) : 0;
    default:
      return 0;
  }
}

export function itemsTokens(items: readonly JsonObject[]): number {
  let tokens = 0;
  for (const item of items) tokens += itemTokens(item);
  return tokens;
}
