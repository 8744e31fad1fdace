import { createHash } from 'node:crypto';
import { ProxyRequest } from '../router/types';

/** Fields that never change the answer: how it is delivered, and who asked (the partition covers that). */
const NOT_IN_KEY: ReadonlySet<string> = new Set(['stream', 'stream_options', 'user', 'safety_identifier', 'prompt_cache_key', 'model']);
/** Bumped when the key's recipe changes, so old entries simply stop matching. */
const KEY_VERSION = 'k1';
const SHARED_PARTITION = 'shared';

/** Where a request's entries live and under which key; the semantic parts when its last turn can match by meaning. */
export interface CacheKeys {
  readonly partition: string;
  readonly key: string;
  readonly semantic: SemanticParts | undefined;
}

export interface SemanticParts {
  /** Everything but the last user turn, hashed: it must match exactly. */
  readonly contextHash: string;
  /** The last user turn's text: it matches by embedding similarity. */
  readonly text: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A consumer's own partition, or the one every consumer shares (ROUTER_CACHE_SHARED). */
export function partitionOf(consumer: string, shared: boolean): string {
  return shared ? SHARED_PARTITION : sha256(`consumer:${consumer}`).slice(0, 32);
}

/**
 * The exact key covers partition, alias, operation, query, stream-ness and every body field
 * that changes the answer, in a canonical order (keys sorted), so `{"a":1,"b":2}` and
 * `{"b":2,"a":1}` are one request. Stream-ness is in the key: an entry replays in the shape
 * it was stored in (SSE or JSON), byte for byte.
 */
export function cacheKeys(request: ProxyRequest, shared: boolean): CacheKeys {
  const partition = partitionOf(request.consumer, shared);
  const scope = [KEY_VERSION, partition, request.alias, request.operation.name, request.search, request.stream ? 'sse' : 'json'];
  const fields = answerFields(request.json);
  const key = sha256(JSON.stringify([...scope, canonical(fields)]));
  const last = lastUserTurn(request.operation.name, fields);
  const semantic = last === undefined ? undefined : { contextHash: sha256(JSON.stringify([...scope, 'context', canonical(last.context)])), text: last.text };
  return { partition, key, semantic };
}

function answerFields(json: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(json)) if (!NOT_IN_KEY.has(name)) out[name] = json[name];
  return out;
}

/** JSON with object keys sorted at every depth; arrays keep their order (it means something). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const LAST_TURN = '$last-user-turn';

/**
 * The last user turn and the context around it: chat's last message when it is the user's
 * (text only), a Responses `input` string, or the last input item when it is a user message.
 * Anything else (a tool result last, an image in the turn) matches exactly or not at all.
 */
export function lastUserTurn(operation: string, fields: Readonly<Record<string, unknown>>): { text: string; context: Record<string, unknown> } | undefined {
  const listName = operation === 'chatCompletions' ? 'messages' : operation === 'responses' ? 'input' : undefined;
  if (listName === undefined) return undefined;
  const list: unknown = fields[listName];
  if (operation === 'responses' && typeof list === 'string') return { text: list, context: { ...fields, input: LAST_TURN } };
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const items = list as unknown[];
  const last = items[items.length - 1];
  if (last === null || typeof last !== 'object') return undefined;
  const message = last as Record<string, unknown>;
  if (message.role !== 'user' || (message.type !== undefined && message.type !== 'message')) return undefined;
  const text = textOf(message.content);
  if (text === undefined || text.trim() === '') return undefined;
  const rest = Object.fromEntries(Object.entries(message).filter(([name]) => name !== 'content'));
  return { text, context: { ...fields, [listName]: [...items.slice(0, -1), { ...rest, content: LAST_TURN }] } };
}

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    const p = part as Record<string, unknown> | null;
    if (p === null || typeof p !== 'object' || (p.type !== 'text' && p.type !== 'input_text') || typeof p.text !== 'string') return undefined;
    texts.push(p.text);
  }
  return texts.join('\n');
}
