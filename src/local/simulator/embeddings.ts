/**
 * Embeddings in Azure OpenAI's shape. Vectors are small (8 floats unless `dimensions`
 * asks otherwise) and unit length. A text's vector is a hashed bag of its words (stop words
 * dropped, plurals folded), so a paraphrase lands near it and a different question far
 * away, as a real embedding model would; token arrays get a vector seeded from their hash.
 * `encoding_format: 'base64'` (the openai SDK's default) is honoured.
 */
import { missingProperty } from './errors';
import { EMBEDDINGS_MODEL } from './ids';
import type { PlanResult } from './plan';
import { sendJson } from './reply';
import { estimateTextTokens, type JsonObject } from './tokens';

const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 3072;

/** A text embeds by its words; token arrays by a seed. */
type EmbeddingInput = { readonly text: string } | { readonly seed: number };

interface EmbeddingInputs {
  readonly items: EmbeddingInput[];
  readonly tokens: number;
}

export function planEmbeddings(body: JsonObject): PlanResult {
  const inputs = embeddingInputs(body.input);
  if (inputs === undefined) return missingProperty('input');
  const dimensions = dimensionsOf(body.dimensions);
  const base64 = body.encoding_format === 'base64';
  return {
    operation: 'Embeddings_Create',
    chargeTokens: inputs.tokens,
    servedTokens: inputs.tokens,
    flagged: false,
    respond: (ex) => sendJson(ex, 200, embeddingsJson(inputs, dimensions, base64)),
  };
}

function dimensionsOf(value: unknown): number {
  const ok = typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_DIMENSIONS;
  return ok ? value : DEFAULT_DIMENSIONS;
}

/** `input`: a string, strings, a token array, or token arrays; one embedding per item. */
function embeddingInputs(input: unknown): EmbeddingInputs | undefined {
  if (typeof input === 'string') return { items: [{ text: input }], tokens: estimateTextTokens(input.length) };
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return { items: [{ seed: hashNumbers(input) }], tokens: input.length };
  const items: EmbeddingInput[] = [];
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') {
      items.push({ text: item });
      tokens += estimateTextTokens(item.length);
    } else if (Array.isArray(item)) {
      items.push({ seed: hashNumbers(item) });
      tokens += item.length;
    } else {
      return undefined;
    }
  }
  return { items, tokens };
}

/** Words that say little about what a question asks. */
const STOP_WORDS = new Set(
  'a an and are as at be by can could do does for from how i in is it me my of on or please tell the this to was what whats which who why will with would you your'.split(
    ' ',
  ),
);

/** Lower-case words, stop words and single letters (`what's` → `what`, `s`) out, a trailing plural `s` folded (`cities` stays apart from `city`: good enough). */
export function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words
    .filter((word) => word.length > 1 && !STOP_WORDS.has(word))
    .map((word) => (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word));
}

/** Each word adds ±1 to the dimension its hash picks; the sum, scaled to unit length. A text of stop words only falls back to its seed. */
function bagOfWords(text: string, dimensions: number): Float32Array {
  const values = new Float32Array(dimensions);
  for (const word of contentWords(text)) {
    const hash = hashText(word);
    const at = hash % dimensions;
    values[at] = (values[at] ?? 0) + ((hash >>> 16) & 1 ? 1 : -1);
  }
  let norm = 0;
  for (const value of values) norm += value * value;
  if (norm === 0) return vector(hashText(text), dimensions);
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < dimensions; index++) values[index] = (values[index] ?? 0) * scale;
  return values;
}

/** FNV-1a: cheap and stable, which is all a seed needs. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash >>> 0 || 1;
}

function hashNumbers(values: readonly unknown[]): number {
  let hash = 0x811c9dc5;
  for (const value of values) hash = Math.imul(hash ^ (typeof value === 'number' ? value : 0), 0x01000193);
  return hash >>> 0 || 1;
}

/** xorshift32 from the seed, scaled to unit length like real embeddings. */
function vector(seed: number, dimensions: number): Float32Array {
  const values = new Float32Array(dimensions);
  let state = seed;
  let norm = 0;
  for (let index = 0; index < dimensions; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const value = ((state >>> 0) / 0xffffffff) * 2 - 1;
    values[index] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let index = 0; index < dimensions; index++) values[index] = (values[index] ?? 0) * scale;
  return values;
}

function embeddingsJson(inputs: EmbeddingInputs, dimensions: number, base64: boolean): string {
  const data = inputs.items.map((item, index) => {
    const values = 'text' in item ? bagOfWords(item.text, dimensions) : vector(item.seed, dimensions);
    const embedding = base64 ? Buffer.from(values.buffer).toString('base64') : Array.from(values);
    return { object: 'embedding', index, embedding };
  });
  return JSON.stringify({
    object: 'list',
    data,
    model: EMBEDDINGS_MODEL,
    usage: { prompt_tokens: inputs.tokens, total_tokens: inputs.tokens },
  });
}
