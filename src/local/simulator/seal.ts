/**
 * Reasoning items' `encrypted_content`: opaque blobs that only the resource that sealed them
 * can open, so reasoning carried to another resource fails verification as it does on Azure.
 * Laid out like a Fernet token (version 0x80, then a big-endian timestamp), which is why
 * OpenAI's blobs start with `gAAAAA`; AES-256-GCM with the resource's own random key seals it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 0x80;
const HEADER_BYTES = 9;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecret(): Buffer {
  return randomBytes(32);
}

export function seal(secret: Buffer, plaintext: string): string {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = VERSION;
  header.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)), 1);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secret, iv).setAAD(header);
  const sealed = Buffer.concat([header, iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  // URL-safe alphabet with padding, as Fernet writes it.
  return sealed.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** The plaintext, or undefined when the blob was not sealed with `secret` (or is not a blob at all). */
export function unseal(secret: Buffer, token: string): string | undefined {
  // Node's base64 decoder reads both alphabets.
  const bytes = Buffer.from(token, 'base64');
  if (bytes.length < HEADER_BYTES + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) return undefined;
  const header = bytes.subarray(0, HEADER_BYTES);
  const iv = bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const body = bytes.subarray(HEADER_BYTES + IV_BYTES, bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, iv).setAAD(header);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
