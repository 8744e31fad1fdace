import { createHash, timingSafeEqual } from 'node:crypto';

export const digest = (key: string): Buffer => createHash('sha256').update(key).digest();

/**
 * Caller authentication against ROUTER_API_KEYS. Keys are compared as SHA-256 digests with
 * timingSafeEqual, and every key is compared on every call, so timing reveals neither a
 * key's content nor which consumer matched.
 */
export class ConsumerKeys {
  private readonly entries: { digest: Buffer; consumer: string }[];
  /**
   * Keys already accepted → consumer, so a known caller costs a Map lookup instead of a
   * SHA-256. Filled only on success (callers cannot grow it) and bounded; a hit reveals
   * nothing the 200-versus-401 answer does not.
   */
  private readonly accepted = new Map<string, string>();

  constructor(keys: ReadonlyMap<string, string>) {
    this.entries = [...keys].map(([key, consumer]) => ({ digest: digest(key), consumer }));
  }

  /** The consumer name for a presented key, or undefined. */
  identify(presented: string | undefined): string | undefined {
    if (presented === undefined || presented === '') return undefined;
    const known = this.accepted.get(presented);
    if (known !== undefined) return known;
    const presentedDigest = digest(presented);
    let match: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presentedDigest)) match ??= entry.consumer;
    }
    if (match !== undefined && this.accepted.size < 1024) this.accepted.set(presented, match);
    return match;
  }
}

/** The caller's key from `api-key` (Azure SDK) or `Authorization: Bearer` (OpenAI SDK). */
export function presentedKey(get: (name: string) => string | null): string | undefined {
  const apiKey = get('api-key');
  if (apiKey !== null && apiKey !== '') return apiKey.trim();
  const authorization = get('authorization');
  if (authorization === null) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return match?.[1]?.trim();
}
