import { createHash } from 'node:crypto';

/**
 * Prompt-cache affinity without storage. Azure caches prompt prefixes (1,024 identical leading
 * tokens, then 128-token steps) inside one resource, so a conversation spread over N equal
 * backends hits its cache about 1/N of the time. A request that carries an affinity key goes
 * to the backend that rendezvous (highest-random-weight) hashing picks for that key among the
 * candidates of its priority: every instance picks the same one with no coordination, distinct
 * keys still spread by weight, and a backend that drops out moves only its own keys.
 */
export interface AffinitySettings {
  /** ROUTER_PROMPT_CACHE_AFFINITY (on by default). */
  readonly enabled: boolean;
  /** ROUTER_PROMPT_CACHE_MIN_TOKENS: a shorter prompt cannot be cached, so it keeps plain weighted routing. */
  readonly minTokens: number;
}

/** About four characters a token, as the prompt estimates. */
const CHARS_PER_TOKEN = 4;

/**
 * The key: the caller's `prompt_cache_key` when present (chat and Responses); else a hash of the
 * prompt's leading part (instructions or system messages, tools, the first messages or input
 * items) when the prompt is long enough to be cached; else none.
 */
export function affinityKey(body: Readonly<Record<string, unknown>>, promptTokens: number, settings: AffinitySettings): string | undefined {
  if (!settings.enabled) return undefined;
  if (typeof body.prompt_cache_key === 'string' && body.prompt_cache_key !== '') return `key:${body.prompt_cache_key}`;
  if (promptTokens < settings.minTokens) return undefined;
  const prefix = leadingPrompt(body, settings.minTokens * CHARS_PER_TOKEN);
  return prefix === '' ? undefined : `prefix:${createHash('sha256').update(prefix).digest('base64url').slice(0, 22)}`;
}

/** The first `chars` characters of what Azure puts at the head of the prompt, in its order. */
function leadingPrompt(body: Readonly<Record<string, unknown>>, chars: number): string {
  const parts: unknown[] = [body.instructions, body.tools, body.functions, body.response_format];
  const turns = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : typeof body.input === 'string' ? [body.input] : [];
  let text = parts
    .filter((p) => p !== undefined && p !== null)
    .map((p) => JSON.stringify(p))
    .join('\n');
  for (const turn of turns as unknown[]) {
    if (text.length >= chars) break;
    text += `\n${JSON.stringify(turn)}`;
  }
  return text.slice(0, chars);
}

/**
 * Orders entries by weighted rendezvous hashing of `key`: each draws u = hash(key, name) in
 * (0, 1) and scores −weight ÷ ln u; the highest goes first. The first pick is proportional to
 * weight across keys, and the same key gives the same order everywhere.
 */
export function rendezvousOrder<T extends { readonly weight: number }>(entries: readonly T[], key: string, nameOf: (entry: T) => string): T[] {
  if (entries.length < 2) return entries.slice();
  return entries
    .map((entry) => ({ entry, score: -entry.weight / Math.log(unitHash(`${key}\n${nameOf(entry)}`)) }))
    .sort((a, b) => b.score - a.score)
    .map((scored) => scored.entry);
}

/** A uniform draw in (0, 1) from a string: 52 bits of its SHA-256. */
function unitHash(text: string): number {
  const digest = createHash('sha256').update(text).digest();
  const high = digest.readUInt32BE(0) >>> 12; // 20 bits
  const low = digest.readUInt32BE(4); // 32 bits
  return (high * 2 ** 32 + low + 0.5) / 2 ** 52;
}
