/**
 * Embeddings in Azure OpenAI's shape. Vectors are small (8 floats unless `dimensions`
 * asks otherwise), unit length, and derived from the input text, so equal inputs get
 * equal vectors. `encoding_format: 'base64'` (the openai SDK's default) is honoured.
 */
import { missingProperty } from './errors';
import { EMBEDDINGS_MODEL } from './ids';
import type { PlanResult } from './plan';
import { sendJson } from './reply';
import { estimateTextTokens, type JsonObject } from './tokens';

const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 3072;

interface EmbeddingInputs {
  readonly seeds: number[];
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
  if (typeof input === 'string') return { seeds: [hashText(input)], tokens: estimateTextTokens(input.length) };
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return { seeds: [hashNumbers(input)], tokens: input.length };
  const seeds: number[] = [];
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') {
      seeds.push(hashText(item));
      tokens += estimateTextTokens(item.length);
    } else if (Array.isArray(item)) {
      seeds.push(hashNumbers(item));
      tokens += item.length;
    } else {
      return undefined;
    }
  }
  return { seeds, tokens };
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
  const data = inputs.seeds.map((seed, index) => {
    const values = vector(seed, dimensions);
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
