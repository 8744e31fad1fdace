import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Ids of objects a backend stores (responses, conversations, reasoning items) as the caller
 * sees them: the backend's own id, the name of the backend that holds it, and a MAC over both
 * and the owning consumer, under ROUTER_ID_SECRET. Any instance, after any restart, learns from
 * the id alone where to send a follow-up, with no table read; a consumer that presents another
 * consumer's id (or a forged one) fails the MAC. The prefix (`resp_`, `conv_`, `rs_`) stays, so
 * clients that look at it keep working; the rest is base64url, safe in a URL path.
 */
export interface OpenedId {
  readonly backend: string;
  readonly id: string;
}

const VERSION = 1;
const MAC_BYTES = 16;
const BOUND_PREFIXES = ['resp_', 'conv_', 'rs_'] as const;
/** Longest backend name or backend id a sealed id may carry: anything longer is not ours. */
const MAX_PART = 512;

export class StoredIds {
  private readonly secret: Buffer;

  constructor(secret: string) {
    this.secret = Buffer.from(secret, 'utf8');
  }

  seal(id: string, backend: string, consumer: string): string {
    const prefix = prefixOf(id);
    if (prefix === undefined) return id;
    const name = Buffer.from(backend, 'utf8');
    const own = Buffer.from(id, 'utf8');
    const head = Buffer.from([VERSION, name.length >> 8, name.length & 0xff]);
    return prefix + Buffer.concat([head, this.mac(backend, id, consumer), name, own]).toString('base64url');
  }

  /** The backend and its own id, or undefined when the id is malformed, forged or not this consumer's. */
  open(sealed: string, consumer: string): OpenedId | undefined {
    const prefix = prefixOf(sealed);
    if (prefix === undefined || sealed.length > 2 * MAX_PART) return undefined;
    const raw = Buffer.from(sealed.slice(prefix.length), 'base64url');
    if (raw.length < 3 + MAC_BYTES || raw[0] !== VERSION) return undefined;
    const nameLength = ((raw[1] ?? 0) << 8) | (raw[2] ?? 0);
    const nameStart = 3 + MAC_BYTES;
    if (nameLength === 0 || nameStart + nameLength >= raw.length) return undefined;
    const backend = raw.subarray(nameStart, nameStart + nameLength).toString('utf8');
    const id = raw.subarray(nameStart + nameLength).toString('utf8');
    if (!id.startsWith(prefix)) return undefined;
    const expected = this.mac(backend, id, consumer);
    return timingSafeEqual(expected, raw.subarray(3, nameStart)) ? { backend, id } : undefined;
  }

  private mac(backend: string, id: string, consumer: string): Buffer {
    return createHmac('sha256', this.secret).update(`${VERSION}\n${consumer}\n${backend}\n${id}`).digest().subarray(0, MAC_BYTES);
  }
}

function prefixOf(id: string): string | undefined {
  for (const prefix of BOUND_PREFIXES) if (id.startsWith(prefix) && id.length > prefix.length) return prefix;
  return undefined;
}

/**
 * Every JSON string in a backend's answer that is an id of a stored object, wherever it sits
 * (`id`, `previous_response_id`, `conversation.id`, an SSE event's `item_id`…). A quote after a
 * backslash is text inside a string, not the start of one.
 */
const OUTGOING_ID = /(?<!\\)"((?:resp|conv|rs)_[A-Za-z0-9]+)"/g;

/** Seals the stored-object ids in a JSON text or SSE event; every other byte stays as it was. */
export function sealIdsIn(text: string, ids: StoredIds, backend: string, consumer: string): string {
  return text.replace(OUTGOING_ID, (_match, id: string) => `"${ids.seal(id, backend, consumer)}"`);
}

/** Fields of a request body that refer to stored objects: chaining, conversations, replayed items. */
const INCOMING_ID = /(?<!\\)"(previous_response_id|conversation|id)"(\s*:\s*)"((?:resp|conv|rs)_[A-Za-z0-9_-]+)"/g;

export type OpenedBody =
  | { readonly kind: 'unbound'; readonly text: string }
  | { readonly kind: 'bound'; readonly text: string; readonly backend: string }
  | { readonly kind: 'not-found'; readonly id: string }
  | { readonly kind: 'conflict' };

/**
 * Restores the backend's own ids in a request body and says which backend they bind it to.
 * One id that does not open (foreign, forged, malformed) and the request is refused: nothing
 * of it may reach a backend that would answer about someone else's object.
 */
export function openIdsIn(text: string, ids: StoredIds, consumer: string): OpenedBody {
  let backend: string | undefined;
  let failed: { kind: 'not-found'; id: string } | { kind: 'conflict' } | undefined;
  const opened = text.replace(INCOMING_ID, (match, field: string, colon: string, sealed: string) => {
    const id = ids.open(sealed, consumer);
    if (id === undefined) failed ??= { kind: 'not-found', id: sealed };
    else if (backend !== undefined && backend !== id.backend) failed ??= { kind: 'conflict' };
    else backend = id.backend;
    return id === undefined ? match : `"${field}"${colon}"${id.id}"`;
  });
  if (failed !== undefined) return failed;
  return backend === undefined ? { kind: 'unbound', text } : { kind: 'bound', text: opened, backend };
}
