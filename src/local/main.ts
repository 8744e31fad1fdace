import { resolve } from 'node:path';
import { startDemo, demoBanner, Demo } from './demo';
import { loadLocalSettings, startLocalHost } from './host';
import { ensureLocalStorage } from './localStorage';

/**
 * `npm start`: the local stand-in for `func start`. Reads local.settings.json (environment
 * wins), starts the demo backends when no BACKEND_1_URL is set, then serves the real
 * function registrations from package.json `main`.
 */
async function main(): Promise<void> {
  const dir = resolve(__dirname, '..', '..', '..');
  loadLocalSettings(dir, process.env);
  const azurite = await ensureLocalStorage(process.env, (line) => console.log(line));
  const demo: Demo | undefined = process.env.BACKEND_1_URL ? undefined : await startDemo(process.env);
  const port = Number(process.env.PORT ?? 7071);
  const host = await startLocalHost({ dir, port, host: '127.0.0.1' });
  if (demo !== undefined) console.log(demoBanner(host.url, demo.devKey, demo.adminKey, demo.generatedIdSecret));
  console.log(`Router listening on ${host.url}`);
  const stop = (): void => {
    void Promise.all([host.close(), demo?.close(), azurite?.stop()]).finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
