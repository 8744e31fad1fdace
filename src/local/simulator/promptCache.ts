/**
 * Azure OpenAI's prompt cache, per simulated resource and deployment: a prompt of 1,024 tokens
 * or more whose leading part matches one this deployment saw recently has that part served
 * from cache, counted from 1,024 tokens in steps of 128 (`usage.prompt_tokens_details.
 * cached_tokens`, Responses' `input_tokens_details.cached_tokens`); entries idle longer than
 * a few minutes are gone. Cached is faster: the time to first token shrinks with the cached
 * share. Tokens here are the simulator's estimate (4 characters a token), so the prefix is
 * compared on the prompt's canonical text in blocks of 4 × 128 characters.
 */
import { createHash, type Hash } from 'node:crypto';

export const MIN_CACHED_TOKENS = 1024;
export const CACHE_STEP_TOKENS = 128;
const CHARS_PER_TOKEN = 4;
/** Azure keeps an idle prefix 5 to 10 minutes; off-peak up to an hour. */
export const DEFAULT_IDLE_MS = 5 * 60_000;
/** Prefix blocks remembered per resource at most (the oldest go first). */
const MAX_BLOCKS = 200_000;
/** The part of the time to first token that a fully cached prompt still takes. */
const CACHED_LATENCY_FLOOR = 0.3;

export class PromptCache {
  /** `${deployment}|${hash of the text up to a block boundary}` → last used. In insertion order, refreshed on use. */
  private readonly blocks = new Map<string, number>();

  constructor(private readonly idleMs = DEFAULT_IDLE_MS) {}

  /**
   * Looks the prompt up and remembers it: the tokens served from cache (0 below 1,024 or on a
   * miss), never more than `promptTokens`.
   */
  serve(deployment: string, text: string, promptTokens: number, nowMs: number): number {
    const boundaries = blockHashes(text);
    let cached = 0;
    for (const { hash, tokens } of boundaries) {
      const key = `${deployment}|${hash}`;
      const lastUsed = this.blocks.get(key);
      // Each hash covers everything before it: a live one means the whole prefix up to it is cached.
      if (lastUsed !== undefined && nowMs - lastUsed <= this.idleMs) cached = tokens;
      this.blocks.delete(key);
      this.blocks.set(key, nowMs);
    }
    this.bound();
    return Math.min(cached, promptTokens);
  }

  clear(): void {
    this.blocks.clear();
  }

  private bound(): void {
    for (const key of this.blocks.keys()) {
      if (this.blocks.size <= MAX_BLOCKS) return;
      this.blocks.delete(key);
    }
  }
}

/** The hashes of the text's leading 1,024 tokens, 1,152, 1,280 … (each over everything before it). */
function blockHashes(text: string): { hash: string; tokens: number }[] {
  const out: { hash: string; tokens: number }[] = [];
  const first = MIN_CACHED_TOKENS * CHARS_PER_TOKEN;
  const step = CACHE_STEP_TOKENS * CHARS_PER_TOKEN;
  if (text.length < first) return out;
  const hash: Hash = createHash('sha256');
  hash.update(text.slice(0, first));
  out.push({ hash: hash.copy().digest('base64'), tokens: MIN_CACHED_TOKENS });
  for (let end = first + step; end <= text.length; end += step) {
    hash.update(text.slice(end - step, end));
    out.push({ hash: hash.copy().digest('base64'), tokens: end / CHARS_PER_TOKEN });
  }
  return out;
}

/** A chat prompt as the cache compares it: each message's role and text, in order. */
export function chatPromptText(messages: readonly unknown[]): string {
  let text = '';
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    text += `${typeof role === 'string' ? role : ''}\u0000${contentText(content)}\u0001`;
  }
  return text;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

/** The cached part of a prefix of `tokens` tokens: 0 below 1,024, else rounded down to a 128-token step. */
export function cachedPrefixTokens(tokens: number): number {
  if (tokens < MIN_CACHED_TOKENS) return 0;
  return MIN_CACHED_TOKENS + Math.floor((tokens - MIN_CACHED_TOKENS) / CACHE_STEP_TOKENS) * CACHE_STEP_TOKENS;
}

/** A hit's time to first token: the configured latency, shortened by the cached share of the prompt. */
export function cachedLatencyMs(latencyMs: number, cachedTokens: number, promptTokens: number): number {
  if (cachedTokens <= 0 || promptTokens <= 0) return latencyMs;
  return Math.round(latencyMs * (1 - (1 - CACHED_LATENCY_FLOOR) * (cachedTokens / promptTokens)));
}
