/** Response ids and the fixed metadata Azure stamps on answers. */
import { randomBytes } from 'node:crypto';

/** Random per process so ids from parallel test workers never collide; a counter keeps them unique within it. */
const PROCESS_TAG = randomBytes(6).toString('hex');
let counter = 0;

/** e.g. `chatcmpl-3f9a0c1b2d4e0000001k`; the shape of the id matters, not its value. */
export function nextId(prefix: string): string {
  counter++;
  return `${prefix}${PROCESS_TAG}${counter.toString(36).padStart(7, '0')}`;
}

/**
 * Ids of stored objects (`resp_`, `msg_`, `rs_`, `conv_`…): the prefix and 48 random hex
 * characters, like OpenAI's. Random rather than counted: an id must never name an object of
 * another simulated resource by accident, or a misrouted follow-up would not fail.
 */
export function storedId(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('hex')}`;
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export const CHAT_MODEL = 'gpt-4o-2024-08-06';
export const COMPLETIONS_MODEL = 'gpt-35-turbo-instruct';
export const EMBEDDINGS_MODEL = 'text-embedding-3-small';
export const SYSTEM_FINGERPRINT = 'fp_5f20662549';
