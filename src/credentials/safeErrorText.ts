/**
 * Error text for logs and the status page that can never carry a secret or token: SDK errors
 * are summarised, every value the router holds is masked, and anything shaped like a JWT or a
 * long key is masked too (a value we do not hold yet, e.g. echoed by a misbehaving endpoint).
 */

const MAX_LENGTH = 300;
const MASK = '[redacted]';
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*/g;
const LONG_TOKEN = /[A-Za-z0-9+/=_]{32,}/g;

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly errors?: unknown;
}

export function safeErrorText(error: unknown, knownValues: Iterable<string>): string {
  return redact(summarise(error), knownValues);
}

export function redact(text: string, knownValues: Iterable<string>): string {
  let out = text;
  for (const value of knownValues) {
    if (value.length >= 4) out = out.split(value).join(MASK);
  }
  out = out.replace(JWT, MASK).replace(LONG_TOKEN, MASK).replace(/\s+/g, ' ').trim();
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH - 1)}…` : out;
}

/** "RestError 403 Forbidden: …"; for a credential chain, the managed identity's own reason. */
function summarise(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as ErrorLike;
  const inner = Array.isArray(e.errors) ? pickChainError(e.errors) : undefined;
  if (inner !== undefined) return summarise(inner);
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = typeof e.statusCode === 'number' ? ` ${e.statusCode}` : '';
  const code = typeof e.code === 'string' && !status ? ` ${e.code}` : '';
  const message = typeof e.message === 'string' ? e.message : '';
  return `${name}${status}${code}: ${message}`;
}

/** AggregateAuthenticationError lists every credential tried; the managed identity's is the one that matters here. */
function pickChainError(errors: readonly unknown[]): unknown {
  const messageOf = (e: unknown): string =>
    typeof e === 'object' && e !== null && typeof (e as ErrorLike).message === 'string' ? ((e as ErrorLike).message as string) : '';
  return errors.find((e) => messageOf(e).includes('ManagedIdentityCredential')) ?? errors.find((e) => !/unavailable/i.test(messageOf(e))) ?? errors[0];
}
