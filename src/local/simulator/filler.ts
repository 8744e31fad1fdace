/**
 * Deterministic filler text, one word per token. Tokens carry their leading space like
 * real GPT tokens (`"Lorem"`, `" ipsum"`, ...), so the streamed deltas concatenate to
 * exactly the non-stream content. Everything is precomputed: the hot path only indexes.
 */

const WORDS = (
  'Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua Ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ' +
  'ea commodo consequat Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu ' +
  'fugiat nulla pariatur Excepteur sint occaecat cupidatat non proident sunt in culpa qui officia deserunt'
).split(' ');

/** TOKENS[i] for i < WORDS.length; later tokens repeat the spaced words cyclically. */
const FIRST_TOKEN = WORDS[0] ?? '';
const SPACED = WORDS.map((word) => ` ${word}`);
const FIRST_TOKEN_JSON = JSON.stringify(FIRST_TOKEN);
const SPACED_JSON = SPACED.map((token) => JSON.stringify(token));

/** Non-stream contents are cached by length: benchmarks ask for the same few lengths over and over. */
const TEXT_JSON_CACHE = new Map<number, string>();
const TEXT_CACHE_LIMIT = 1024;

export function fillerToken(index: number): string {
  return index === 0 ? FIRST_TOKEN : (SPACED[index % SPACED.length] ?? '');
}

/** The token as a JSON string literal, ready to splice into an SSE frame. */
export function fillerTokenJson(index: number): string {
  return index === 0 ? FIRST_TOKEN_JSON : (SPACED_JSON[index % SPACED_JSON.length] ?? '""');
}

/** The concatenation of the first `tokens` tokens, as a JSON string literal. */
export function fillerTextJson(tokens: number): string {
  const cached = TEXT_JSON_CACHE.get(tokens);
  if (cached !== undefined) return cached;
  let text = '';
  for (let index = 0; index < tokens; index++) text += fillerToken(index);
  const json = JSON.stringify(text);
  if (TEXT_JSON_CACHE.size < TEXT_CACHE_LIMIT) TEXT_JSON_CACHE.set(tokens, json);
  return json;
}

/** The same text as a plain string, for answers built as objects (the Responses API). */
export function fillerText(tokens: number): string {
  return JSON.parse(fillerTextJson(tokens)) as string;
}
