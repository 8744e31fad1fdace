/** Caller authentication of the simulated resource: `api-key`, or `Authorization: Bearer`. */
import type { IncomingHttpHeaders } from 'node:http';
import { INVALID_KEY, INVALID_TOKEN } from './errors';

/** Returns undefined when the caller may pass, else the 401 body to answer. */
export type AuthCheck = (headers: IncomingHttpHeaders) => string | undefined;

const BEARER = 'bearer ';

export function createAuthCheck(apiKey: string | undefined, acceptBearer: ((token: string) => boolean) | undefined): AuthCheck | undefined {
  if (apiKey === undefined && acceptBearer === undefined) return undefined;
  return (headers) => {
    const key = headers['api-key'];
    if (typeof key === 'string') return key === apiKey ? undefined : INVALID_KEY;
    const token = bearerToken(headers.authorization);
    if (token === undefined) return INVALID_KEY;
    if (token === apiKey || accepts(acceptBearer, token)) return undefined;
    // With Entra configured, a refused bearer gets Azure's token wording; otherwise it was a key.
    return acceptBearer === undefined ? INVALID_KEY : INVALID_TOKEN;
  };
}

function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization.length <= BEARER.length) return undefined;
  if (authorization.slice(0, BEARER.length).toLowerCase() !== BEARER) return undefined;
  return authorization.slice(BEARER.length).trim();
}

/** A throwing validator counts as a refusal, never as a crash of the simulator. */
function accepts(acceptBearer: ((token: string) => boolean) | undefined, token: string): boolean {
  if (acceptBearer === undefined) return false;
  try {
    return acceptBearer(token);
  } catch {
    return false;
  }
}
