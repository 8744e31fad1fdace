/** Readers for the benches' environment settings (BENCH_*). */

/** A positive integer setting; unset or empty gives the fallback. */
export function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** "K=V,K2=V2" as a record; items without "=" are ignored. */
export function pairs(raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of (raw ?? '').split(',').filter((s) => s.includes('='))) {
    const at = item.indexOf('=');
    result[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return result;
}
