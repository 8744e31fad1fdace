/**
 * Response cache bench: a hit vs a direct backend call, the added time of a miss (exact, and
 * semantic without the embedding call), the semantic index at 10k and 100k entries, and
 * memory per 10k entries. Run: npm run build && node dist/bench/cache/main.js
 */
import { TableClient } from '@azure/data-tables';
import { performance } from 'node:perf_hooks';
import { CACHE_OFF } from '../../src/cache/CacheSettings';
import { CacheView } from '../../src/cache/CacheView';
import { cacheKeys } from '../../src/cache/cacheKey';
import { SemanticIndex } from '../../src/cache/SemanticIndex';
import { TableCacheStore } from '../../src/cache/TableCacheStore';
import { OPERATIONS } from '../../src/core/operations';
import { startPrivateAzurite } from '../../src/local/azurite';
import { startSimulatedBackend } from '../../src/local/simulator';
import { ownRequest } from '../../src/router/ownRequest';
import { ProxyRequest } from '../../src/router/types';

const DIMENSIONS = 256;
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number): string => `${ms.toFixed(3)} ms`;

function request(content: string): ProxyRequest {
  const json = {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content },
    ],
    temperature: 0,
  };
  return ownRequest({ api: 'deployments', operation: OPERATIONS.chat, alias: 'gpt-4o', json, consumer: 'bench', search: '?api-version=2024-10-21' });
}

function randomUnit(random: () => number): Float32Array {
  const v = new Float32Array(DIMENSIONS);
  for (let i = 0; i < DIMENSIONS; i++) v[i] = random() * 2 - 1;
  return v;
}

function xorshift(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0xffffffff;
  };
}

async function hitVsBackend(): Promise<void> {
  const [azurite, backend] = await Promise.all([startPrivateAzurite(), startSimulatedBackend({ name: 'bench' })]);
  try {
    const store = new TableCacheStore(TableClient.fromConnectionString(azurite.connectionString, 'benchcache', { allowInsecureConnection: true }));
    await store.ensureExists();
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'Say hello' }] });
    const direct: number[] = [];
    const hits: number[] = [];
    const answer = Buffer.from(
      await (
        await fetch(`${backend.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        })
      ).arrayBuffer(),
    );
    const keys = cacheKeys(request('Say hello'), false);
    await store.put({
      partition: keys.partition,
      key: keys.key,
      storedAtMs: Date.now(),
      expiresAtMs: Date.now() + 3_600_000,
      contentType: 'application/json',
      body: answer,
      usage: undefined,
    });
    for (let i = 0; i < 300; i++) {
      let t = performance.now();
      await (
        await fetch(`${backend.url}/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        })
      ).arrayBuffer();
      direct.push(performance.now() - t);
      t = performance.now();
      await store.get(keys.partition, keys.key, AbortSignal.timeout(1000));
      hits.push(performance.now() - t);
    }
    console.log(
      `hit (one Azurite read) p50 ${fmt(p50(hits))} vs direct simulator call p50 ${fmt(p50(direct))} (ratio ${(p50(hits) / p50(direct)).toFixed(2)}; the simulator answers at once, a real backend takes 300 ms+)`,
    );
  } finally {
    await Promise.all([azurite.stop(), backend.close()]);
  }
}

function missCost(): void {
  const view = new CacheView(new SemanticIndex());
  const random = xorshift(7);
  const now = Date.now();
  for (let i = 0; i < 10_000; i++) {
    const k = cacheKeys(request(`question ${i}`), false);
    view.add(
      {
        partition: k.partition,
        key: k.key,
        storedAtMs: now,
        expiresAtMs: now + 3_600_000,
        contextHash: k.semantic?.contextHash ?? '',
        vector: randomUnit(random),
      },
      now,
    );
  }
  const exact: number[] = [];
  const semantic: number[] = [];
  for (let i = 0; i < 2000; i++) {
    let t = performance.now();
    const k = cacheKeys(request(`never asked ${i}`), false);
    view.has(k.partition, k.key, now);
    exact.push(performance.now() - t);
    t = performance.now();
    view.nearest(k.semantic?.contextHash ?? '', randomUnit(random), 0.95, now);
    semantic.push(performance.now() - t);
  }
  console.log(
    `added time of a miss, 10k entries in view: exact p50 ${fmt(p50(exact))} (key + in-memory check, no I/O); semantic index part p50 ${fmt(p50(semantic))} (embedding call excluded)`,
  );
}

function indexAt(entries: number): void {
  const random = xorshift(entries);
  const before = process.memoryUsage();
  const index = new SemanticIndex();
  for (let i = 0; i < entries; i++) index.add('one-context', `id${i}`, randomUnit(random));
  global.gc?.();
  const after = process.memoryUsage();
  const times: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t = performance.now();
    index.nearest('one-context', randomUnit(random), 0.95);
    times.push(performance.now() - t);
  }
  const mb = (after.rss - before.rss) / 1024 / 1024;
  console.log(
    `semantic index, ${entries} entries in one context (${DIMENSIONS} dims): lookup p50 ${fmt(p50(times))}; memory ${((mb * 10_000) / entries).toFixed(1)} MB per 10k entries (RSS growth)`,
  );
}

async function main(): Promise<void> {
  void CACHE_OFF;
  await hitVsBackend();
  missCost();
  indexAt(10_000);
  indexAt(100_000);
}

void main();
