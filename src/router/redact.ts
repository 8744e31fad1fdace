/** What replaces a backend secret found in anything relayed to a caller. */
export const REDACTED = '[redacted]';

/**
 * Removes the router's own backend credentials (the key or token sent on this attempt) from
 * what a backend answers: a backend that echoes its key in an error must not hand it to the
 * caller. Searching a buffer for a short secret is a fast byte scan; nothing is copied
 * unless a secret is found.
 */
export class Redactor {
  private readonly secrets: readonly string[];
  private readonly buffers: readonly Buffer[];

  constructor(secrets: readonly string[]) {
    // Too short to be a secret worth scanning for, and too likely to match innocent text.
    this.secrets = [...new Set(secrets)].filter((s) => s.length >= 8);
    this.buffers = this.secrets.map((s) => Buffer.from(s, 'utf8'));
  }

  body(body: Buffer): Buffer {
    if (!this.buffers.some((secret) => body.includes(secret))) return body;
    return Buffer.from(this.text(body.toString('utf8')), 'utf8');
  }

  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  headers(headers: Record<string, string>): Record<string, string> {
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) headers[name] = this.text(value);
    }
    return headers;
  }
}

/** The secret part of an auth header value: a bearer token without its scheme, or the key itself. */
export function secretOf(headerValue: string): string {
  return headerValue.startsWith('Bearer ') ? headerValue.slice(7) : headerValue;
}
