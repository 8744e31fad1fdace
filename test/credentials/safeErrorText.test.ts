import { describe, expect, it } from 'vitest';
import { redact, safeErrorText } from '../../src/credentials/safeErrorText';

describe('safeErrorText', () => {
  it('names the error, its status and message', () => {
    const error = Object.assign(new Error('Operation get is not allowed on a disabled secret.'), { name: 'RestError', statusCode: 403 });
    expect(safeErrorText(error, [])).toBe('RestError 403: Operation get is not allowed on a disabled secret.');
  });

  it('masks every value the router holds, JWTs, and anything shaped like a key', () => {
    const key = 'short-but-secret';
    const jwt = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwcyJ9.c2lnbmF0dXJl';
    const hexKey = '0123456789abcdef0123456789abcdef';
    const text = safeErrorText(new Error(`rejected ${key} then ${jwt} and ${hexKey}`), [key, 'abc']);
    expect(text).toBe('Error: rejected [redacted] then [redacted] and [redacted]');
  });

  it("reports a credential chain by the managed identity's reason", () => {
    const chain = Object.assign(new Error('ChainedTokenCredential authentication failed.\nCredentialUnavailableError: EnvironmentCredential is unavailable.'), {
      name: 'AggregateAuthenticationError',
      errors: [
        Object.assign(new Error('EnvironmentCredential is unavailable.'), { name: 'CredentialUnavailableError' }),
        Object.assign(new Error('ManagedIdentityCredential: Authentication failed. Message Attempted to use the App Service managed identity: 500'), {
          name: 'CredentialUnavailableError',
        }),
      ],
    });
    expect(safeErrorText(chain, [])).toMatch(/^CredentialUnavailableError: ManagedIdentityCredential: Authentication failed/);
  });

  it('handles non-errors and keeps lines short and single-line', () => {
    expect(safeErrorText('boom', [])).toBe('boom');
    expect(safeErrorText(undefined, [])).toBe('undefined');
    const long = redact(`a\n${'word '.repeat(200)}`, []);
    expect(long.length).toBeLessThanOrEqual(300);
    expect(long).not.toContain('\n');
  });
});
