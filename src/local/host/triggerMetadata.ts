// What an HTTP handler's `request.params` and `request.headers` are under Azure's Node worker in
// stream mode. Neither comes from the proxied HTTP request: both come from the invocation's
// trigger metadata, which the host builds from the request and the worker then picks apart.
//
// The host (azure-webjobs-sdk-extensions, `HttpTriggerAttributeBindingProvider
// .GetRequestBindingData`, with `Utility.ApplyBindingData`) fills ONE case-insensitive
// dictionary, in this order; a later step overwrites the value but keeps the key's first spelling:
//   1. the body, when the request has a Content-Length > 0 and its text (trimmed) starts with `{`,
//      ends with `}` and parses as a JSON object: every top-level property that is not null.
//      Objects and arrays stay JSON; scalars become strings the .NET way (`(string)JToken`, so
//      `true` becomes "True"). The Content-Type is not looked at.
//   2. the query string: every parameter except `code`, the last value of a repeated name;
//   3. the route values;
//   4. `Query` and `Headers` (the request headers), each only if no key above already took it.
// The worker (`createStreamRequest` in @azure/functions) then takes the entry named exactly
// `Headers` as the request headers if it is an object (a string is JSON-parsed first), drops
// `Query`, and keeps every other entry whose value is a string as `params`.
//
// So a query parameter or body property named `headers` (any case) takes the request headers'
// place and the handler sees none, and a body `"Headers": {...}` becomes the request headers
// (an invalid header name there makes `new Request` throw before the handler runs).

/** One binding-data value, as the host types it on the way to the worker. */
type BindingValue = { kind: 'string'; value: string } | { kind: 'json'; value: unknown } | { kind: 'requestHeaders' } | { kind: 'requestQuery' };

/** .NET's `Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)`: overwriting keeps the first spelling. */
class BindingData {
  private readonly entries = new Map<string, { key: string; value: BindingValue }>();

  set(key: string, value: BindingValue): void {
    const lower = key.toLowerCase();
    const entry = this.entries.get(lower);
    if (entry) entry.value = value;
    else this.entries.set(lower, { key, value });
  }

  has(key: string): boolean {
    return this.entries.has(key.toLowerCase());
  }

  values(): IterableIterator<{ key: string; value: BindingValue }> {
    return this.entries.values();
  }
}

export interface HttpTriggerInput {
  /** Route values, already decoded. */
  routeParams: Record<string, string>;
  /** The request's query string. */
  query: URLSearchParams;
  /** The whole body, when the request declared a Content-Length > 0 (the host reads it before invoking). */
  body: Buffer | undefined;
}

export type WorkerHeaders =
  /** The caller's own headers (the host's `Headers` entry survived). */
  | { kind: 'request' }
  /** No request headers at all: another entry took the `Headers` slot. */
  | { kind: 'none' }
  /** What the worker hands `new Request` as `headers`: a body's (or query's) `Headers` value. */
  | { kind: 'replaced'; init: object };

export interface WorkerHttpInput {
  params: Record<string, string>;
  headers: WorkerHeaders;
}

/** `(string)JToken` for a JSON scalar: invariant culture, so booleans are "True"/"False". */
function dotnetString(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** `Utility.ApplyBindingData`: the top-level properties of a JSON-object body, or nothing. */
function bodyBindingData(body: Buffer, into: BindingData): void {
  // ReadAsStringAsync: UTF-8, a byte-order mark is dropped.
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') && trimmed.endsWith('}'))) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return; // "it's not an error if the incoming message isn't JSON"
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value === null) continue;
    if (typeof value === 'object') into.set(key, { kind: 'json', value });
    else into.set(key, { kind: 'string', value: dotnetString(value as string | number | boolean) });
  }
}

/** The host's binding data for an HTTP invocation, in the order it is built. */
function hostBindingData(input: HttpTriggerInput): BindingData {
  const data = new BindingData();
  if (input.body !== undefined && input.body.length > 0) bodyBindingData(input.body, data);
  // ASP.NET's query collection is case-insensitive too and keeps the last value of a repeated name.
  for (const [key, value] of input.query) {
    if (key.toLowerCase() === 'code') continue; // the function key is a system parameter
    data.set(key, { kind: 'string', value });
  }
  for (const [key, value] of Object.entries(input.routeParams)) data.set(key, { kind: 'string', value });
  if (!data.has('Query')) data.set('Query', { kind: 'requestQuery' });
  if (!data.has('Headers')) data.set('Headers', { kind: 'requestHeaders' });
  return data;
}

/** The worker's `fromRpcTypedData`: a string that parses as JSON is used parsed. */
function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function workerHeaders(value: BindingValue | undefined): WorkerHeaders {
  if (value === undefined) return { kind: 'none' };
  if (value.kind === 'requestHeaders') return { kind: 'request' };
  const data = value.kind === 'string' ? tryJsonParse(value.value) : value.kind === 'json' ? value.value : undefined;
  return typeof data === 'object' && data !== null ? { kind: 'replaced', init: data } : { kind: 'none' };
}

/** `request.params` and the source of `request.headers`, as the handler would get them in Azure. */
export function workerHttpInput(input: HttpTriggerInput): WorkerHttpInput {
  const params: Record<string, string> = {};
  let headers: BindingValue | undefined;
  for (const { key, value } of hostBindingData(input).values()) {
    // The worker's destructuring `{ Query, Headers, ...rpcParams }` is case-sensitive.
    if (key === 'Headers') headers = value;
    else if (key !== 'Query' && value.kind === 'string') params[key] = value.value;
  }
  return { params, headers: workerHeaders(headers) };
}
