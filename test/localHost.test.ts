// Tests for the local Functions host (src/local/host): the pure parts (schedules, routes,
// settings, entry globs) directly, and the whole host against a tiny real function app in
// test/fixtures/host whose `.js` files register through `@azure/functions` itself. The host
// behaves as Azure's host and Node worker do (src/local/host/README.md); a test that relies on a
// local-only setting says so in its name.
//
// The serve tests run the host in this vitest worker: the fixture files are loaded with a plain
// CommonJS `require` (Module.createRequire), so the `Module.prototype.require` hook sees the
// library's `require('@azure/functions-core')`. Vitest runs each test file in its own forked
// process, so the module-global shim cannot leak into other test files.
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileRoute,
  expandMain,
  loadLocalSettings,
  nextOccurrence,
  parseSchedule,
  resolveBindingExpressions,
  RouteTable,
  startLocalHost,
  type HostLogger,
  type LocalHost,
} from '../src/local/host';

const FIXTURE_DIR = join(__dirname, 'fixtures', 'host');

describe('nextOccurrence', () => {
  it.each([
    ['*/1 * * * * *', '2024-01-01T00:00:00.500Z', '2024-01-01T00:00:01.000Z'],
    ['* * * * * *', '2024-01-01T00:00:59.000Z', '2024-01-01T00:01:00.000Z'],
    ['0 */5 * * * *', '2024-01-01T00:03:10.000Z', '2024-01-01T00:05:00.000Z'],
    ['0 0 * * * *', '2024-01-01T10:00:00.000Z', '2024-01-01T11:00:00.000Z'],
    ['0 15,45 * * * *', '2024-01-01T10:20:00.000Z', '2024-01-01T10:45:00.000Z'],
    ['0 0 8-12/2 * * *', '2024-01-01T08:00:00.000Z', '2024-01-01T10:00:00.000Z'],
    ['0 0 8-12/2 * * *', '2024-01-01T12:00:00.000Z', '2024-01-02T08:00:00.000Z'],
    ['30 15 9 * * 1-5', '2024-01-05T10:00:00.000Z', '2024-01-08T09:15:30.000Z'],
    ['0 0 12 * * 0', '2024-01-01T00:00:00.000Z', '2024-01-07T12:00:00.000Z'],
    ['0 0 0 * * SUN', '2024-01-01T00:00:00.000Z', '2024-01-07T00:00:00.000Z'],
    ['0 0 0 1 1 *', '2024-06-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['0 0 0 1 JAN *', '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z'],
    ['0 0 0 29 2 *', '2023-03-01T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    ['0 0 0 31 * *', '2024-04-01T00:00:00.000Z', '2024-05-31T00:00:00.000Z'],
    ['0 0 0 13 * 5', '2024-01-01T00:00:00.000Z', '2024-09-13T00:00:00.000Z'],
    ['0 5/20 * * * *', '2024-01-01T00:06:00.000Z', '2024-01-01T00:25:00.000Z'],
    ['00:05:00', '2024-01-01T00:03:10.250Z', '2024-01-01T00:08:10.250Z'],
    ['1.00:00:00', '2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
  ])('schedule %s after %s is %s', (schedule, after, expected) => {
    expect(nextOccurrence(schedule, new Date(after)).toISOString()).toBe(expected);
  });

  it('accepts a parsed schedule as well as an expression', () => {
    const schedule = parseSchedule('0 0 * * * *');
    expect(nextOccurrence(schedule, new Date('2024-01-01T00:30:00Z')).toISOString()).toBe('2024-01-01T01:00:00.000Z');
  });
});

describe('parseSchedule', () => {
  it.each([
    ['0 */5 * * *', /six NCRONTAB fields/],
    ['60 * * * * *', /second "60" is not in 0-59/],
    ['0 0 24 * * *', /hour "24" is not in 0-23/],
    ['0 0 0 0 * *', /day "0" is not in 1-31/],
    ['0 0 0 * 13 *', /month "13" is not in 1-12/],
    ['0 0 0 * * 7', /day-of-week "7" is not in 0-6/],
    ['*/0 * * * * *', /bad step/],
    ['0 0 10-5 * * *', /empty range/],
    ['0 0 0 30 2 *', /never occurs/],
    ['? * * * * *', /second "\?"/],
    ['00:61:00', /bad TimeSpan/],
  ])('rejects %s with a message naming the problem', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe('resolveBindingExpressions', () => {
  it('replaces %SETTING% with the app setting', () => {
    expect(resolveBindingExpressions('%PROBE_SCHEDULE%', { PROBE_SCHEDULE: '*/30 * * * * *' })).toBe('*/30 * * * * *');
  });

  it('fails naming the setting when it is not set', () => {
    expect(() => resolveBindingExpressions('%PROBE_SCHEDULE%', {}, 'schedule')).toThrow(/app setting PROBE_SCHEDULE, which is not set/);
  });
});

describe('RouteTable', () => {
  const templates: Array<[string, string[] | undefined]> = [
    ['api/openai/deployments/{deployment}/chat/completions', ['POST']],
    ['api/openai/v1/chat/completions', ['POST']],
    ['api/{*path}', undefined],
    ['api/items/{id}', ['GET']],
    ['api/items/special', ['GET']],
    ['api/health', ['GET']],
    ['api/files/{name?}', ['GET']],
  ];
  const forward = new RouteTable(templates.map(([t, m]) => compileRoute(t, m, t)));
  const backward = new RouteTable([...templates].reverse().map(([t, m]) => compileRoute(t, m, t)));

  it.each([
    ['GET', '/api/items/special', 'api/items/special', {}],
    ['GET', '/API/Items/SPECIAL', 'api/items/special', {}],
    ['GET', '/api/items/42', 'api/items/{id}', { id: '42' }],
    ['GET', '/api/items/Hello%20World', 'api/items/{id}', { id: 'Hello World' }],
    ['POST', '/api/openai/deployments/gpt-4o/chat/completions', 'api/openai/deployments/{deployment}/chat/completions', { deployment: 'gpt-4o' }],
    ['POST', '/api/openai/v1/chat/completions', 'api/openai/v1/chat/completions', {}],
    ['GET', '/api/openai/v1/chat/completions', 'api/{*path}', { path: 'openai/v1/chat/completions' }],
    ['GET', '/api/health/', 'api/health', {}],
    ['DELETE', '/api/health', 'api/{*path}', { path: 'health' }],
    ['GET', '/api/a/b%2Fc', 'api/{*path}', { path: 'a/b/c' }],
    ['GET', '/api', 'api/{*path}', {}],
    ['GET', '/api/files', 'api/files/{name?}', {}],
    ['GET', '/api/files/x.txt', 'api/files/{name?}', { name: 'x.txt' }],
  ])('routes %s %s to %s', (method, path, template, params) => {
    expect(forward.match(method, path)).toEqual({ target: template, params });
    expect(backward.match(method, path)).toEqual({ target: template, params });
  });

  it('matches nothing outside every template', () => {
    expect(forward.match('GET', '/other/place')).toBeUndefined();
  });

  it('rejects a catch-all that is not the last segment', () => {
    expect(() => compileRoute('api/{*rest}/x', undefined, 0)).toThrow(/catch-all must be the last segment/);
  });
});

describe('expandMain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-host-main-'));
  mkdirSync(join(dir, 'dist', 'functions'), { recursive: true });
  for (const name of ['b.js', 'a.js', 'a.js.map', 'c.ts']) writeFileSync(join(dir, 'dist', 'functions', name), '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('expands a wildcard file name to the matching files, sorted', () => {
    expect(expandMain(dir, 'dist/functions/*.js')).toEqual([join(dir, 'dist/functions/a.js'), join(dir, 'dist/functions/b.js')]);
  });

  it('accepts a plain file', () => {
    expect(expandMain(dir, './dist/functions/b.js')).toEqual([join(dir, 'dist/functions/b.js')]);
  });

  it('fails clearly when nothing matches or a folder has a wildcard', () => {
    expect(() => expandMain(dir, 'dist/src/*.js')).toThrow(/matches no file/);
    expect(() => expandMain(dir, 'dist/*/a.js')).toThrow(/only the file name may contain wildcards/);
  });
});

describe('loadLocalSettings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-host-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies Values into the environment unless already set, and reads the route prefix', () => {
    writeFileSync(join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { A: 'from-file', B: 'from-file', N: 3 } }));
    writeFileSync(join(dir, 'host.json'), JSON.stringify({ version: '2.0', extensions: { http: { routePrefix: '/custom/' } } }));
    const env: NodeJS.ProcessEnv = { B: 'from-env' };
    expect(loadLocalSettings(dir, env)).toEqual({ routePrefix: 'custom', applied: ['A', 'N'] });
    expect(env).toEqual({ A: 'from-file', B: 'from-env', N: '3' });
  });

  it('defaults the route prefix to api when host.json has none or is missing', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    expect(loadLocalSettings(empty, {})).toEqual({ routePrefix: 'api', applied: [] });
  });
});

function collectingLogger(): HostLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

interface FixtureState {
  tickRuns: number;
  tickMaxActive: number;
  lastTimer: { isPastDue: boolean; schedule: { adjustForDST: boolean }; scheduleStatus: Record<string, string> } | null;
  manualRuns: number;
  startupRuns: number;
  slowCancelled: boolean;
  finite: { read: number; readToEnd: boolean; cancelled: boolean; requestHasSignal: boolean } | null;
  hooks: { appStart: number; appTerminate: number; pre: Record<string, number>; post: Record<string, number>; postErrors: Record<string, string> };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The short proxy timeout the serve tests run with (LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS). */
const UNANSWERED_TIMEOUT_S = 1;

/**
 * Sends a request that must get no answer at all: resolves with how long the host held it before
 * closing the connection, and fails the test if anything (even a 500) came back.
 */
async function heldWithoutAnswer(url: string, init?: RequestInit): Promise<number> {
  const started = Date.now();
  const outcome = await fetch(url, init).then(
    (res) => `answered ${res.status}`,
    () => 'connection closed',
  );
  expect(outcome).toBe('connection closed');
  return Date.now() - started;
}

/** A request whose body is sent in two parts with a pause between; resolves once the first part is out. */
function twoPartRequest(url: string, headers: Record<string, string>, first: string): { rest: (last: string) => Promise<string> } {
  const req = httpRequest(url, { method: 'POST', headers });
  const answered = new Promise<string>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve(text));
    });
    req.once('error', reject);
  });
  req.write(first);
  req.flushHeaders();
  return {
    rest: (last) => {
      req.end(last);
      return answered;
    },
  };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('startLocalHost', () => {
  const settingsFile = join(FIXTURE_DIR, 'local.settings.json');
  const logger = collectingLogger();
  let host: LocalHost;
  const state = async (): Promise<FixtureState> => (await fetch(`${host.url}/api/state`)).json() as Promise<FixtureState>;

  beforeAll(async () => {
    // local.settings.json is git-ignored, so the test writes it: it also proves %SETTING% reads it.
    // A 1 s proxy timeout instead of the host's 240 s, and a 64 KiB body limit instead of 100 MB.
    const Values = {
      FIXTURE_SCHEDULE: '*/1 * * * * *',
      LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS: String(UNANSWERED_TIMEOUT_S),
      FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '65536',
    };
    writeFileSync(settingsFile, JSON.stringify({ IsEncrypted: false, Values }));
    host = await startLocalHost({ dir: FIXTURE_DIR, port: 0, logger });
  });

  afterAll(async () => {
    await host.close();
    rmSync(settingsFile, { force: true });
    for (const name of ['FIXTURE_SCHEDULE', 'LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS', 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT']) delete process.env[name];
  });

  it('prints the registered functions like Core Tools', () => {
    const listing = logger.lines.find((l) => l.startsWith('Functions:'));
    expect(listing).toContain(`\techo: [GET,POST] ${host.url}/api/echo/{name}`);
    expect(listing).toContain('\ttick: timerTrigger');
    expect(host.registrations.map((r) => r.name)).toEqual([
      'echo',
      'notFound',
      'boom',
      'state',
      'nothing',
      'cookies',
      'sse',
      'sseRelease',
      'slow',
      'broken',
      'finite',
      'tick',
      'manual',
      'startup',
    ]);
  });

  it('passes route params, query, headers and body to the handler and drops hop-by-hop headers', async () => {
    const res = await fetch(`${host.url}/api/echo/Bob%20X?q=1`, { method: 'POST', headers: { 'x-test': 'hi' }, body: 'hello' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('x-private')).toBeNull();
    const echoed = (await res.json()) as Record<string, unknown>;
    expect(echoed).toEqual({
      params: { name: 'Bob X', q: '1' },
      query: { q: '1' },
      header: 'hi',
      headerNames: expect.arrayContaining(['x-test', 'host', 'content-length']) as unknown,
      body: 'hello',
      method: 'POST',
      url: `${host.url}/api/echo/Bob%20X?q=1`,
      functionName: 'echo',
      trigger: 'httpTrigger',
      invocationId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    });
  });

  it('sends the invocation id as x-ms-invocation-id on every response from a function, as the worker does', async () => {
    const echo = await fetch(`${host.url}/api/echo/id`);
    expect(echo.headers.get('x-ms-invocation-id')).toBe(((await echo.json()) as { invocationId: string }).invocationId);
    const catchAll = await fetch(`${host.url}/api/no/such/thing`);
    await catchAll.arrayBuffer();
    expect(catchAll.headers.get('x-ms-invocation-id')).toMatch(/^[0-9a-f-]{36}$/);
    // The host's own 404 (no function matched) comes from no invocation.
    expect((await fetch(`${host.url}/not-under-the-prefix`)).headers.get('x-ms-invocation-id')).toBeNull();
  });

  it('sets cookies as the worker does: only the last set-cookie header survives, and a cookies list replaces them', async () => {
    expect((await fetch(`${host.url}/api/cookies`)).headers.getSetCookie()).toEqual(['b=2']);
    expect((await fetch(`${host.url}/api/cookies?list`)).headers.getSetCookie()).toEqual(['c=3%204; Max-Age=60; SameSite=Lax']);
  });

  it('adds every query parameter (but code) and every top-level JSON scalar of the body to params, the route value winning', async () => {
    const body = JSON.stringify({ model: 'm', n: 2, stream: true, temperature: 0.5, name: 'from-body', nested: { a: 1 }, list: [1], none: null });
    const res = await fetch(`${host.url}/api/echo/Bob?q=1&q=2&name=from-query&code=function-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const echoed = (await res.json()) as { params: Record<string, string>; body: string };
    // Booleans are spelled as .NET spells them; the last of a repeated query parameter wins.
    expect(echoed.params).toEqual({ name: 'Bob', q: '2', model: 'm', n: '2', stream: 'True', temperature: '0.5' });
    expect(echoed.body).toBe(body);
  });

  it('takes params from a JSON-looking body whatever its content-type, as the host looks at the text only', async () => {
    const res = await fetch(`${host.url}/api/echo/Bob`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: ' {"model":"m"} ' });
    expect(((await res.json()) as { params: Record<string, string> }).params).toEqual({ name: 'Bob', model: 'm' });
  });

  it('takes no params from a body sent without a Content-Length (chunked), which the host does not read first', async () => {
    const body = new Blob(['{"model":"m"}']).stream();
    const res = await fetch(`${host.url}/api/echo/Bob`, { method: 'POST', body, duplex: 'half' });
    const echoed = (await res.json()) as { params: Record<string, string>; body: string };
    expect(echoed.params).toEqual({ name: 'Bob' });
    expect(echoed.body).toBe('{"model":"m"}');
  });

  it('keeps the first spelling of a name: a query parameter NAME takes the route value, and params.name is gone', async () => {
    const res = await fetch(`${host.url}/api/echo/Bob?NAME=other`);
    expect(((await res.json()) as { params: Record<string, string> }).params).toEqual({ NAME: 'Bob' });
  });

  it.each(['headers', 'Headers', 'HEADERS'])('gives the handler no request headers when the query has a parameter named %s', async (name) => {
    const res = await fetch(`${host.url}/api/echo/Bob?${name}=1`, { headers: { 'x-test': 'hi' } });
    const echoed = (await res.json()) as { header: string | null; headerNames: string[]; params: Record<string, string> };
    expect(echoed.headerNames).toEqual([]);
    expect(echoed.header).toBeNull();
    // Only the exact spelling `Headers` is taken out of params by the worker.
    expect(echoed.params).toEqual(name === 'Headers' ? { name: 'Bob' } : { name: 'Bob', [name]: '1' });
  });

  it('gives the handler the headers of a top-level "Headers" object of the body instead of its own', async () => {
    const res = await fetch(`${host.url}/api/echo/Bob`, { method: 'POST', headers: { 'x-test': 'hi' }, body: '{"Headers":{"x-from-body":"1"}}' });
    const echoed = (await res.json()) as { header: string | null; headerNames: string[] };
    expect(echoed.headerNames).toEqual(['x-from-body']);
    expect(echoed.header).toBeNull();
  });

  it('leaves the request unanswered and logs the error when a body "Headers" holds an invalid header name (the library throws)', async () => {
    const heldMs = await heldWithoutAnswer(`${host.url}/api/echo/Bob`, { method: 'POST', body: '{"Headers":{"bad name":"x"}}' });
    expect(heldMs).toBeGreaterThanOrEqual(UNANSWERED_TIMEOUT_S * 1000 - 100);
    expect(logger.lines.some((l) => l.includes("Executed 'Functions.echo' (Failed") && l.includes('invalid header name'))).toBe(true);
  });

  it('reads a body with a Content-Length whole before invoking the function, as the host does', async () => {
    const invocations = async (): Promise<number> => (await state()).hooks.pre.echo ?? 0;
    const before = await invocations();
    const upload = twoPartRequest(`${host.url}/api/echo/upload`, { 'content-length': '10' }, 'hello');
    await sleep(200);
    expect(await invocations()).toBe(before);
    expect(JSON.parse(await upload.rest('world'))).toMatchObject({ body: 'helloworld' });
    expect(await invocations()).toBe(before + 1);
  });

  it('invokes the function before a chunked body has arrived, and lets it read the rest as a stream', async () => {
    const invocations = async (): Promise<number> => (await state()).hooks.pre.echo ?? 0;
    const before = await invocations();
    const upload = twoPartRequest(`${host.url}/api/echo/upload`, { 'transfer-encoding': 'chunked' }, 'hello');
    expect(await waitFor(invocations, (n) => n > before)).toBe(before + 1);
    expect(JSON.parse(await upload.rest('world'))).toMatchObject({ body: 'helloworld' });
  });

  it('answers 413 without invoking the function when a declared body is over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', async () => {
    const before = (await state()).hooks.pre.echo ?? 0;
    const res = await fetch(`${host.url}/api/echo/big`, { method: 'POST', body: 'x'.repeat(65537) });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('');
    expect((await state()).hooks.pre.echo ?? 0).toBe(before);
  });

  it('gives the catch-all function only what no other route matches', async () => {
    const echo = await fetch(`${host.url}/API/ECHO/x`);
    expect(((await echo.json()) as { functionName: string }).functionName).toBe('echo');
    const other = await fetch(`${host.url}/api/no/such/thing`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: { code: 'NotFound', path: 'no/such/thing' } });
  });

  it('answers 404 with an empty body when no route matches', async () => {
    const res = await fetch(`${host.url}/not-under-the-prefix`);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
  });

  it('logs the error at once but leaves the request unanswered until the proxy timeout when a handler throws, as the worker does', async () => {
    const held = heldWithoutAnswer(`${host.url}/api/boom`);
    await sleep(300);
    // Reported while the caller still waits.
    expect(logger.lines.some((l) => l.includes('boom: about to fail'))).toBe(true);
    expect(logger.lines.some((l) => l.includes("Executed 'Functions.boom' (Failed") && l.includes('fixture failure'))).toBe(true);
    const heldMs = await held;
    expect(heldMs).toBeGreaterThanOrEqual(UNANSWERED_TIMEOUT_S * 1000 - 100);
    expect(heldMs).toBeLessThan(UNANSWERED_TIMEOUT_S * 1000 + 1500);
    expect(logger.lines.some((l) => l.includes("'Functions.boom'") && l.includes('left the request unanswered'))).toBe(true);
  });

  it('leaves the request unanswered until the proxy timeout when a handler returns nothing, as the worker sends no response', async () => {
    expect(await heldWithoutAnswer(`${host.url}/api/nothing`)).toBeGreaterThanOrEqual(UNANSWERED_TIMEOUT_S * 1000 - 100);
    expect(logger.lines.some((l) => l.includes("'Functions.nothing'") && l.includes('returned no response'))).toBe(true);
  });

  it('delivers each SSE chunk as soon as the function produces it', async () => {
    const res = await fetch(`${host.url}/api/sse`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('data: first\n\n');
    // The fixture writes the last event only after this release: a buffering host would hang here.
    expect((await fetch(`${host.url}/api/sse/release`, { method: 'POST' })).status).toBe(200);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
    expect(rest).toBe('data: last\n\n');
  });

  it('leaves the response unfinished when the body stream fails after the status was sent, and cuts it at the proxy timeout', async () => {
    const started = Date.now();
    const res = await fetch(`${host.url}/api/broken`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(UNANSWERED_TIMEOUT_S * 1000 - 100);
    expect(logger.lines.some((l) => l.includes("Executed 'Functions.broken' (Failed") && l.includes('backend went away'))).toBe(true);
    expect(logger.lines.some((l) => l.includes("'Functions.broken'") && l.includes('left its response unfinished'))).toBe(true);
    expect((await fetch(`${host.url}/api/echo/still-up`)).status).toBe(200);
  });

  it('keeps reading the response body to its end after the client disconnects, and never tells the handler, as the worker does', async () => {
    const req = httpRequest(`${host.url}/api/finite`);
    req.on('error', () => undefined);
    req.end();
    const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
    await once(res, 'data');
    req.destroy();
    const { finite } = await waitFor(state, (s) => s.finite?.readToEnd === true);
    expect(finite).toEqual({ read: 10, readToEnd: true, cancelled: false, requestHasSignal: false });
  });

  it('runs app.hook start and invocation hooks around each invocation', async () => {
    await fetch(`${host.url}/api/echo/hooked`);
    await heldWithoutAnswer(`${host.url}/api/boom`);
    const { hooks } = await state();
    expect(hooks.appStart).toBe(1);
    expect(hooks.pre.echo).toBeGreaterThan(0);
    expect(hooks.post.echo).toBe(hooks.pre.echo);
    expect(hooks.postErrors.boom).toBe('fixture failure');
  });

  it('runs runOnStartup timers once at start', async () => {
    expect((await waitFor(state, (s) => s.startupRuns > 0)).startupRuns).toBe(1);
  });

  it('runs a timer on its %SETTING% schedule, never overlapping runs', async () => {
    const s = await waitFor(state, (v) => v.tickRuns >= 2, 6000);
    expect(s.tickRuns).toBeGreaterThanOrEqual(2);
    expect(s.tickMaxActive).toBe(1);
    expect(s.lastTimer).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
    const status = s.lastTimer!.scheduleStatus;
    expect(Object.keys(status).sort()).toEqual(['last', 'lastUpdated', 'next']);
    expect(new Date(status.next!).getTime()).toBeGreaterThan(new Date(status.lastUpdated!).getTime());
  });

  it('invokes a timer through POST /admin/functions/<name> with 202, and 404s unknown names', async () => {
    const res = await fetch(`${host.url}/admin/functions/manual`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"input":""}' });
    expect(res.status).toBe(202);
    expect((await waitFor(state, (s) => s.manualRuns > 0)).manualRuns).toBe(1);
    expect((await fetch(`${host.url}/admin/functions/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('LocalHost.close', () => {
  it('ends open streams at once and lets the same app start again in this process', async () => {
    process.env.FIXTURE_SCHEDULE = '0 0 0 1 1 *';
    const host = await startLocalHost({ dir: FIXTURE_DIR, port: 0, logger: collectingLogger() });
    const req = httpRequest(`${host.url}/api/slow`);
    req.on('error', () => undefined);
    req.end();
    const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
    await once(res, 'data');
    const started = Date.now();
    await host.close();
    expect(Date.now() - started).toBeLessThan(1000);
    const again = await startLocalHost({ dir: FIXTURE_DIR, port: 0, logger: collectingLogger() });
    expect((await fetch(`${again.url}/api/echo/y`)).status).toBe(200);
    const { hooks } = (await (await fetch(`${again.url}/api/state`)).json()) as FixtureState;
    // Two hosts started and one closed so far in this describe, plus the one closed before it.
    expect([hooks.appStart, hooks.appTerminate]).toEqual([3, 2]);
    await again.close();
    delete process.env.FIXTURE_SCHEDULE;
  });

  it('fails at start naming an unset schedule setting, and leaves nothing registered', async () => {
    delete process.env.FIXTURE_SCHEDULE;
    await expect(startLocalHost({ dir: FIXTURE_DIR, port: 0, logger: collectingLogger() })).rejects.toThrow(
      /Timer function "tick".*FIXTURE_SCHEDULE, which is not set/,
    );
  });
});

describe('LOCAL_HOST_CANCEL_ON_DISCONNECT=1 (local-only, not what Azure does)', () => {
  let host: LocalHost;
  const state = async (): Promise<FixtureState> => (await fetch(`${host.url}/api/state`)).json() as Promise<FixtureState>;

  beforeAll(async () => {
    process.env.FIXTURE_SCHEDULE = '0 0 0 1 1 *';
    process.env.LOCAL_HOST_CANCEL_ON_DISCONNECT = '1';
    host = await startLocalHost({ dir: FIXTURE_DIR, port: 0, logger: collectingLogger() });
  });

  afterAll(async () => {
    await host.close();
    delete process.env.FIXTURE_SCHEDULE;
    delete process.env.LOCAL_HOST_CANCEL_ON_DISCONNECT;
  });

  it('cancels the response body stream when the client disconnects, only with the local-only LOCAL_HOST_CANCEL_ON_DISCONNECT=1', async () => {
    const req = httpRequest(`${host.url}/api/finite`);
    req.on('error', () => undefined);
    req.end();
    const [res] = (await once(req, 'response')) as [NodeJS.ReadableStream];
    await once(res, 'data');
    req.destroy();
    const { finite } = await waitFor(state, (s) => s.finite?.cancelled === true);
    expect(finite).toMatchObject({ readToEnd: false, cancelled: true });
  });
});
