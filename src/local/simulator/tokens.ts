/**
 * Token estimates for the simulator. Not a tokenizer: ceil(chars / 4) is OpenAI's rule of
 * thumb for English, and +3 per chat message stands for the per-message framing tokens of
 * the chat format. That is close enough to exercise TPM accounting and usage reporting.
 */

export type JsonObject = Record<string, unknown>;

/** A user message containing this string makes the simulator answer Azure's content-filter 400. */
export const CONTENT_FILTER_TRIGGER = 'TRIGGER_CONTENT_FILTER';

const TOKENS_PER_MESSAGE = 3;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function estimateTextTokens(characters: number): number {
  return Math.ceil(characters / 4);
}

/** ceil(characters of all message contents / 4) + 3 per message. */
export function estimateChatPromptTokens(messages: readonly unknown[]): number {
  let characters = 0;
  for (const message of messages) {
    if (isObject(message)) characters += contentLength(message.content);
  }
  return estimateTextTokens(characters) + TOKENS_PER_MESSAGE * messages.length;
}

/** Length of a message content: a string, or an array of parts whose text parts count. */
function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content) {
    if (isObject(part) && typeof part.text === 'string') length += part.text.length;
  }
  return length;
}

function contentIncludes(content: unknown, needle: string): boolean {
  if (typeof content === 'string') return content.includes(needle);
  if (!Array.isArray(content)) return false;
  return content.some((part) => isObject(part) && typeof part.text === 'string' && part.text.includes(needle));
}

export function chatTriggersFilter(messages: readonly unknown[]): boolean {
  return messages.some((message) => isObject(message) && message.role === 'user' && contentIncludes(message.content, CONTENT_FILTER_TRIGGER));
}

export interface CompletionBudget {
  /** Tokens the answer will contain. */
  readonly tokens: number;
  /** Tokens charged against TPM on arrival: max_tokens when given, like Azure. */
  readonly charge: number;
  readonly finishReason: 'stop' | 'length';
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** M = min(max_completion_tokens ?? max_tokens, default); 'length' when the cap cut the answer short. */
export function completionBudget(body: JsonObject, defaultTokens: number): CompletionBudget {
  const cap = positiveInteger(body.max_completion_tokens) ?? positiveInteger(body.max_tokens);
  if (cap === undefined) return { tokens: defaultTokens, charge: defaultTokens, finishReason: 'stop' };
  if (cap < defaultTokens) return { tokens: cap, charge: cap, finishReason: 'length' };
  return { tokens: defaultTokens, charge: cap, finishReason: 'stop' };
}

/** stream_options.include_usage: the caller wants a final usage frame. */
export function includeUsage(body: JsonObject): boolean {
  return isObject(body.stream_options) && body.stream_options.include_usage === true;
}

/** The legacy completions `prompt`: a string, strings, or token arrays (which count by length). */
export function promptTexts(prompt: unknown): { tokens: number; flagged: boolean } {
  const items: unknown[] = Array.isArray(prompt) ? prompt : [prompt];
  let tokens = 0;
  let flagged = false;
  for (const item of items) {
    if (typeof item === 'string') {
      tokens += estimateTextTokens(item.length);
      flagged ||= item.includes(CONTENT_FILTER_TRIGGER);
    } else if (typeof item === 'number') {
      tokens += 1;
    } else if (Array.isArray(item)) {
      tokens += item.length;
    }
  }
  return { tokens, flagged };
}
