/**
 * What one simulated resource stores for the Responses and Conversations APIs. Each backend
 * instance is one Azure resource: its responses, items, conversations and sealing secret are
 * its own, so a follow-up that reaches another instance finds nothing, as on Azure.
 */
import type { ResponseRun } from './runs';
import { createSecret } from './seal';
import type { JsonObject } from './tokens';

/** Stored responses and conversations kept per resource; the oldest go first. */
export const MAX_STORED_OBJECTS = 10_000;

/** Items (inputs and outputs) findable by id for `item_reference`; a response holds a few. */
const MAX_STORED_ITEMS = 100_000;

/** A Map that forgets its oldest entry past `limit` (Maps iterate in insertion order). */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size <= this.limit) return;
    const oldest = this.map.keys().next();
    if (oldest.done !== true) this.map.delete(oldest.value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'incomplete' | 'cancelled';

export interface StoredResponse {
  readonly id: string;
  readonly background: boolean;
  /** Created with background and stream: `GET ?stream=true` may replay its events. */
  readonly replayable: boolean;
  status: ResponseStatus;
  /** The finished response object (completed or incomplete); the other states are views of it. */
  readonly object: JsonObject;
  readonly inputItems: readonly JsonObject[];
  readonly outputItems: readonly JsonObject[];
  /** Input + output tokens: what a follow-up naming it as previous_response_id inherits as input. */
  readonly contextTokens: number;
  readonly conversationId: string | undefined;
  /** While it generates (streamed or background); replayable ones keep it after, for its events. */
  run: ResponseRun | undefined;
}

export interface StoredConversation {
  readonly id: string;
  readonly createdAt: number;
  metadata: JsonObject;
  readonly items: JsonObject[];
}

export interface ResourceMemory {
  /** Seals reasoning `encrypted_content`; never leaves the resource. */
  readonly secret: Buffer;
  readonly responses: BoundedMap<string, StoredResponse>;
  readonly items: BoundedMap<string, JsonObject>;
  readonly conversations: BoundedMap<string, StoredConversation>;
  /** Generations in progress, stopped by close() and reset() so no timer outlives them. */
  readonly runs: Set<ResponseRun>;
}

export function createMemory(): ResourceMemory {
  return {
    secret: createSecret(),
    responses: new BoundedMap(MAX_STORED_OBJECTS),
    items: new BoundedMap(MAX_STORED_ITEMS),
    conversations: new BoundedMap(MAX_STORED_OBJECTS),
    runs: new Set(),
  };
}

/**
 * Stops every generation and ends the streams that follow them; with `forget`, also drops
 * what was stored (the secret stays: it is still the same resource).
 */
export function stopRuns(memory: ResourceMemory, forget: boolean): void {
  for (const run of [...memory.runs]) run.cancel();
  if (!forget) return;
  memory.responses.clear();
  memory.items.clear();
  memory.conversations.clear();
}

/** Whether this resource stores a response, conversation or item with that id. */
export function holds(memory: ResourceMemory, id: string): boolean {
  return memory.responses.has(id) || memory.conversations.has(id) || memory.items.has(id);
}
