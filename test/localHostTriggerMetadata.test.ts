// What a handler's `request.params` and `request.headers` are under Azure's worker, as the local
// host computes them from the host's binding-data rules (src/local/host/triggerMetadata.ts), and
// the host settings that stand for platform values.
import { describe, expect, it } from 'vitest';
import { readHostBehaviour, workerHttpInput, type HttpTriggerInput } from '../src/local/host';

function input(query: string, body?: string, routeParams: Record<string, string> = {}): HttpTriggerInput {
  return { routeParams, query: new URLSearchParams(query), body: body === undefined ? undefined : Buffer.from(body) };
}

describe('workerHttpInput', () => {
  it("has only the route values, and the caller's headers, for a request with neither query nor body", () => {
    expect(workerHttpInput(input('', undefined, { deployment: 'gpt-4o' }))).toEqual({ params: { deployment: 'gpt-4o' }, headers: { kind: 'request' } });
  });

  it('lets the query win over the body and the route win over both', () => {
    const { params } = workerHttpInput(input('a=query&b=query', '{"a":"body","b":"body","c":"body"}', { b: 'route' }));
    expect(params).toEqual({ a: 'query', b: 'route', c: 'body' });
  });

  it('spells body scalars as .NET does and leaves out null, objects and arrays', () => {
    const { params } = workerHttpInput(input('', '{"s":"x","i":2,"f":0.25,"t":true,"n":false,"z":null,"o":{"a":1},"l":[1]}'));
    expect(params).toEqual({ s: 'x', i: '2', f: '0.25', t: 'True', n: 'False' });
  });

  it('ignores a body that is not a JSON object, and never the query because of it', () => {
    for (const body of ['[1,2]', '{"a":', 'plain text', '', '"a string"']) {
      expect(workerHttpInput(input('q=1', body)).params).toEqual({ q: '1' });
    }
  });

  it('reads a body with a byte-order mark and surrounding white space', () => {
    expect(workerHttpInput(input('', '\uFEFF \n{"model":"m"}\n ')).params).toEqual({ model: 'm' });
  });

  it('skips the code query parameter (the function key) in any case', () => {
    expect(workerHttpInput(input('code=k&CODE=k&q=1')).params).toEqual({ q: '1' });
  });

  it('keeps the last value of a repeated query parameter under its first spelling', () => {
    expect(workerHttpInput(input('a=1&A=2&a=3')).params).toEqual({ a: '3' });
  });

  it('keeps the first spelling of a name whose value a later step overwrote', () => {
    expect(workerHttpInput(input('Deployment=x', undefined, { deployment: 'gpt-4o' })).params).toEqual({ Deployment: 'gpt-4o' });
    expect(workerHttpInput(input('', '{"ID":"from-body"}', { id: 'route' })).params).toEqual({ ID: 'route' });
  });

  it.each([
    ['a query parameter headers', input('headers=1'), { headers: '1' }],
    ['a query parameter Headers', input('Headers=1'), {}],
    ['a body scalar "headers"', input('', '{"headers":"x"}'), { headers: 'x' }],
    ['a body object "headers"', input('', '{"headers":{"a":"b"}}'), {}],
  ])('gives no request headers at all for %s', (_what, given, params) => {
    expect(workerHttpInput(given)).toEqual({ params, headers: { kind: 'none' } });
  });

  it('takes the request headers from a body "Headers" object, or from a query Headers value that parses as one', () => {
    expect(workerHttpInput(input('', '{"Headers":{"bad name":"x"}}')).headers).toEqual({ kind: 'replaced', init: { 'bad name': 'x' } });
    expect(workerHttpInput(input('Headers={"x-a":"1"}')).headers).toEqual({ kind: 'replaced', init: { 'x-a': '1' } });
  });

  it('drops a query parameter spelled exactly Query from params, as the worker ignores that slot', () => {
    expect(workerHttpInput(input('Query=1&query2=2')).params).toEqual({ query2: '2' });
  });
});

describe('readHostBehaviour', () => {
  it('defaults to what the host does: keep reading after a disconnect, 240 s proxy timeout, 100 MB body limit', () => {
    expect(readHostBehaviour({})).toEqual({ logRequests: false, cancelOnDisconnect: false, unansweredTimeoutMs: 240_000, maxRequestBodyBytes: 104_857_600 });
  });

  it('reads the local-only switches and the platform values from the environment', () => {
    const env = {
      LOCAL_HOST_CANCEL_ON_DISCONNECT: '1',
      LOCAL_HOST_LOG_REQUESTS: '1',
      LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS: '0.5',
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '4194304',
    };
    expect(readHostBehaviour(env)).toEqual({ logRequests: true, cancelOnDisconnect: true, unansweredTimeoutMs: 500, maxRequestBodyBytes: 4_194_304 });
  });

  it.each([
    ['LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS', '0'],
    ['LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS', 'soon'],
    ['FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', '1.5'],
    ['FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', '-1'],
  ])('fails naming %s when it is %s', (name, value) => {
    expect(() => readHostBehaviour({ [name]: value })).toThrow(new RegExp(`^${name} must be a positive`));
  });
});
