/**
 * Child process: one simulated Azure OpenAI resource for the bench. No latency, no rate
 * limits, a fixed completion length; prints `Backend listening on <url>`.
 * Env: BENCH_BACKEND_KEY, BENCH_COMPLETION_TOKENS, BENCH_CHUNK_INTERVAL_MS.
 */
import { startSimulatedBackend } from '../src/local/simulator';

async function main(): Promise<void> {
  const backend = await startSimulatedBackend({
    name: 'bench-backend',
    apiKey: process.env.BENCH_BACKEND_KEY,
    latencyMs: 0,
    chunkIntervalMs: Number(process.env.BENCH_CHUNK_INTERVAL_MS ?? 0),
    completionTokens: Number(process.env.BENCH_COMPLETION_TOKENS ?? 64),
  });
  console.log(`Backend listening on ${backend.url}`);
  const stop = (): void => {
    void backend.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
