/**
 * `node dist/bench/promptCache/main.js` (part of `npm run bench`): what prompt-cache affinity
 * buys. 50 conversations × 8 turns, each with its own ≥ 1,100-token system prompt, through a
 * router over three equal PAYG simulated backends (the simulator models Azure's prompt cache
 * per resource), with ROUTER_PROMPT_CACHE_AFFINITY on and off, and once more with affinity on
 * while one backend answers 429 for a stretch mid-run. The ideal is the same conversations sent
 * straight to one backend (every turn after the first finds its prefix), measured in the same
 * run. Writes docs/prompt-cache.md. BENCH_QUICK=1: 20 conversations.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OpenAI } from 'openai';
import { startSimulatedBackend, type SimulatedBackend } from '../../src/local/simulator';
import { startChild, type Child } from '../childProcess';
import { describeMachine } from '../machine';
import { BACKEND_KEY, ROUTER_KEY } from '../processes';
import { percentile } from '../stats';

const ROOT = resolve(__dirname, '..', '..', '..');
const QUICK = process.env.BENCH_QUICK === '1';
const CONVERSATIONS = QUICK ? 20 : 50;
const TURNS = 8;
const CONCURRENCY = 10;
const LATENCY_MS = 40;
const MODEL = 'gpt-4o';
const log = (line: string): void => console.log(`[bench:prompt-cache] ${line}`);

interface Totals {
  prompt: number;
  cached: number;
  ttftMs: number[];
  served: number;
  refused: number;
}

type Scenario = 'ideal' | 'on' | 'off' | 'throttled';
const LABELS: Record<Scenario, string> = {
  ideal: 'ideal: straight to one backend',
  on: 'router, affinity on',
  off: 'router, affinity off (`ROUTER_PROMPT_CACHE_AFFINITY=off`)',
  throttled: 'router, affinity on, one backend answering 429 mid-run',
};

/** A conversation's own system prompt: 4,600 characters, about 1,150 tokens by the simulator's count. */
const systemPrompt = (c: number): string => `Conversation ${c}. ${'Follow the house style guide carefully and answer briefly. '.repeat(80)}`.slice(0, 4600);

async function backends(tag: string): Promise<SimulatedBackend[]> {
  return Promise.all(
    ['a', 'b', 'c'].map((n) => startSimulatedBackend({ name: `${tag}-${n}`, apiKey: BACKEND_KEY, latencyMs: LATENCY_MS, completionTokens: 24 })),
  );
}

async function router(sims: readonly SimulatedBackend[], affinity: 'on' | 'off'): Promise<Child> {
  const env: Record<string, string> = {
    PORT: '0',
    NODE_ENV: 'production',
    ROUTER_API_KEYS: `bench:${ROUTER_KEY}`,
    ROUTER_STATE_STORE: 'memory',
    ROUTER_PROMPT_CACHE_AFFINITY: affinity,
    PROBE_SCHEDULE: '0 0 0 1 1 *',
  };
  sims.forEach((sim, i) => {
    env[`BACKEND_${i + 1}_URL`] = sim.url;
    env[`BACKEND_${i + 1}_NAME`] = sim.name;
    env[`BACKEND_${i + 1}_PRIORITY`] = '1';
    env[`BACKEND_${i + 1}_APIKEY`] = BACKEND_KEY;
  });
  return startChild({
    name: `router (affinity ${affinity})`,
    script: join(ROOT, 'dist', 'src', 'local', 'main.js'),
    cwd: ROOT,
    ready: /Router listening on (http:\/\/\S+)/,
    env,
  });
}

/** One streamed turn: time to the first chunk, and the usage the stream ends with. */
async function turn(client: OpenAI, messages: OpenAI.Chat.ChatCompletionMessageParam[], totals: Totals): Promise<string> {
  const started = performance.now();
  try {
    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
    let first: number | undefined;
    let text = '';
    for await (const chunk of stream) {
      first ??= performance.now() - started;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) {
        totals.prompt += chunk.usage.prompt_tokens;
        totals.cached += chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      }
    }
    totals.ttftMs.push(first ?? performance.now() - started);
    totals.served++;
    return text;
  } catch {
    totals.refused++;
    return '';
  }
}

async function conversation(client: OpenAI, c: number, totals: Totals, onTurn: () => void): Promise<void> {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'system', content: systemPrompt(c) }];
  for (let t = 0; t < TURNS; t++) {
    messages.push({ role: 'user', content: `Question ${t} of conversation ${c}: what comes next in the plan?` });
    messages.push({ role: 'assistant', content: await turn(client, messages, totals) });
    onTurn();
  }
}

async function run(baseURL: string, apiKey: string, onTurn: (done: number) => void = () => undefined): Promise<Totals> {
  const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
  const totals: Totals = { prompt: 0, cached: 0, ttftMs: [], served: 0, refused: 0 };
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < CONVERSATIONS) await conversation(client, next++, totals, () => onTurn(++done));
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return totals;
}

async function main(): Promise<void> {
  const results = new Map<Scenario, Totals>();
  const children: Child[] = [];
  const sims: SimulatedBackend[] = [];
  try {
    const direct = await backends('ideal');
    sims.push(...direct);
    log('ideal: one backend, no router');
    results.set('ideal', await run(`${direct[0]?.url}/openai/v1`, BACKEND_KEY));
    for (const scenario of ['on', 'off', 'throttled'] as const) {
      const set = await backends(scenario);
      sims.push(...set);
      const child = await router(set, scenario === 'off' ? 'off' : 'on');
      children.push(child);
      log(LABELS[scenario]);
      const total = CONVERSATIONS * TURNS;
      const throttle = (done: number): void => {
        // From a quarter of the way to 60 %, backend b refuses everything with Azure's 429.
        if (done === Math.floor(total / 4)) set[1]?.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '1', 'retry-after-ms': '1000' } });
        if (done === Math.floor(total * 0.6)) set[1]?.setFault(undefined);
      };
      results.set(scenario, await run(`${child.url}/api/openai/v1`, ROUTER_KEY, scenario === 'throttled' ? throttle : undefined));
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await Promise.all(sims.map((s) => s.close()));
  }
  const markdown = report(results);
  writeFileSync(join(ROOT, 'docs', 'prompt-cache.md'), markdown);
  console.log(markdown);
  log('wrote docs/prompt-cache.md');
}

const share = (t: Totals): number => (t.prompt === 0 ? 0 : t.cached / t.prompt);
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const ms = (xs: number[], p: number): string =>
  percentile(
    [...xs].sort((a, b) => a - b),
    p,
  ).toFixed(1);

function report(results: ReadonlyMap<Scenario, Totals>): string {
  const ideal = share(results.get('ideal') ?? { prompt: 0, cached: 0, ttftMs: [], served: 0, refused: 0 });
  const rows = [...results].map(([scenario, t]) => {
    const requests = t.served + t.refused;
    return `| ${LABELS[scenario]} | ${pct(share(t))} | ${ideal === 0 ? '—' : pct(share(t) / ideal)} | ${ms(t.ttftMs, 50)} | ${ms(t.ttftMs, 95)} | ${pct(t.served / requests)} | ${t.refused} |`;
  });
  return [
    '# Prompt-cache affinity',
    '',
    '_Generated by `node dist/bench/promptCache/main.js` (part of `npm run bench`); rewritten on each run._',
    '',
    `${CONVERSATIONS} conversations × ${TURNS} turns (streamed chat, \`include_usage\`), ${CONCURRENCY} at a time, each with its own ~1,150-token system prompt,`,
    `over three equal PAYG simulated backends of priority 1 (${LATENCY_MS} ms to first token uncached; the simulator models Azure's prompt cache per`,
    'resource: 1,024-token minimum, 128-token steps, a hit shortens the time to first token with the cached share). The ideal sends the same',
    'conversations straight to one backend. In the throttled run backend b answers every request with 429 from a quarter to 60 % of the run.',
    '',
    '| run | cached share of prompt tokens | ÷ ideal | first chunk p50 (ms) | p95 (ms) | served | client-visible errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Machine: ${machineLine()}.`,
    '',
  ].join('\n');
}

function machineLine(): string {
  const m = describeMachine();
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}`;
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
