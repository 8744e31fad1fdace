/**
 * Child process: one set of simulated backends (BACKENDS) per router, so the routers share no
 * backend state, and a small control server for the bench:
 *   GET  /backends               → [{ set, name, url }]
 *   POST /latency?name=ptu-a&ms=600  sets that backend's time-to-headers in every set
 *   GET  /stats                  → [{ set, name, stats }]
 * Prints `Backends control on <url>`. Env: BENCH_LATENCY_SETS (comma-separated), BENCH_LATENCY_BACKEND_KEY.
 * Keeping the simulators here leaves the bench process to the load generator alone.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatedBackend, startSimulatedBackend } from '../../src/local/simulator';
import { BACKENDS } from './settings';

interface Member {
  readonly set: string;
  readonly name: string;
  readonly backend: SimulatedBackend;
}

async function startSets(sets: readonly string[], apiKey: string): Promise<Member[]> {
  const pending = sets.flatMap((set) =>
    BACKENDS.map(async (spec) => ({
      set,
      name: spec.name,
      backend: await startSimulatedBackend({ name: `${set}-${spec.name}`, apiKey, latencyMs: spec.latencyMs, completionTokens: 8 }),
    })),
  );
  return Promise.all(pending);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(members: readonly Member[], req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method === 'GET' && url.pathname === '/backends')
    return reply(
      res,
      200,
      members.map((m) => ({ set: m.set, name: m.name, url: m.backend.url })),
    );
  if (req.method === 'GET' && url.pathname === '/stats')
    return reply(
      res,
      200,
      members.map((m) => ({ set: m.set, name: m.name, stats: m.backend.stats })),
    );
  if (req.method === 'POST' && url.pathname === '/latency') {
    const name = url.searchParams.get('name');
    const ms = Number(url.searchParams.get('ms'));
    const chosen = members.filter((m) => m.name === name);
    if (chosen.length === 0 || !Number.isFinite(ms) || ms < 0) return reply(res, 400, { error: 'name and ms required' });
    chosen.forEach((m) => m.backend.setLatency(ms));
    return reply(res, 200, { changed: chosen.length });
  }
  reply(res, 404, { error: 'not found' });
}

async function main(): Promise<void> {
  const sets = (process.env.BENCH_LATENCY_SETS ?? 'a').split(',').filter((s) => s !== '');
  const members = await startSets(sets, process.env.BENCH_LATENCY_BACKEND_KEY ?? '');
  const control = createServer((req, res) => handle(members, req, res));
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  console.log(`Backends control on http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  const stop = (): void => {
    control.close();
    void Promise.all(members.map((m) => m.backend.close())).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
