// Starts the local Functions host: settings, the app's own registrations, the HTTP server and
// the timers, in the order Core Tools does them. Everything that can be wrong with the app
// (no functions, bad schedule, unset %SETTING%) fails here, before the port is opened.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getCoreRegistry, installCoreShim, type Registration } from './coreShim';
import { createHttpServer } from './httpServer';
import { hostFunction, minimumLogLevel, runAppHooks, type HostedFunction, type HostLogger } from './invocation';
import { loadFunctionApp, requireFunctionsLibrary, requireLibraryCookieSerializer, type LoadedApp } from './loadApp';
import { compileRoute, RouteTable } from './routes';
import { loadLocalSettings, readHostBehaviour } from './settings';
import { createTimers, timerJob, type TimerScheduler } from './timers';

export interface LocalHostOptions {
  /** The function app folder: holds package.json (`main`), host.json and local.settings.json. */
  dir: string;
  /** 0 picks a free port. Default 7071, as Core Tools. */
  port?: number;
  host?: string;
  /** Where start-up, function and error lines go; `console` by default. */
  logger?: HostLogger;
}

export interface LocalHost {
  /** Base address, e.g. `http://127.0.0.1:7071` (routes live under `/${routePrefix}`). */
  url: string;
  port: number;
  routePrefix: string;
  registrations: Registration[];
  /** Stops timers, closes the server, drops idle and active connections and cancels bodies still being read, at once. */
  close(): Promise<void>;
}

const isHttp = (fn: HostedFunction): boolean => fn.registration.trigger.type.toLowerCase() === 'httptrigger';
const isTimer = (fn: HostedFunction): boolean => fn.registration.trigger.type.toLowerCase() === 'timertrigger';

function routeTemplate(fn: HostedFunction, routePrefix: string): string {
  const route = fn.registration.trigger.route ?? fn.name; // The host's default route is the function name.
  return [routePrefix, route.replace(/^\/+/, '')].filter((s) => s !== '').join('/');
}

export function buildRouteTable(functions: HostedFunction[], routePrefix: string): RouteTable<HostedFunction> {
  return new RouteTable(functions.filter(isHttp).map((fn) => compileRoute(routeTemplate(fn, routePrefix), fn.registration.trigger.methods, fn)));
}

/** The listing Core Tools prints once the host is up. */
export function describeFunctions(functions: HostedFunction[], baseUrl: string, routePrefix: string): string {
  const lines = functions.map((fn) => {
    if (!isHttp(fn)) return `\t${fn.name}: ${fn.registration.trigger.type}${isTimer(fn) ? '' : ' (not run by the local host)'}`;
    const methods = fn.registration.trigger.methods?.map((m) => m.toUpperCase()).join(',') ?? '*';
    return `\t${fn.name}: [${methods}] ${baseUrl}/${routeTemplate(fn, routePrefix)}`;
  });
  return `Functions:\n\n${lines.join('\n\n')}\n`;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Takes the app's functions and hooks back out of the shared registry (for restarts in-process). */
function unregister(app: LoadedApp): void {
  const registry = getCoreRegistry();
  for (const r of app.registrations) {
    const at = registry.functions.indexOf(r);
    if (at >= 0) registry.functions.splice(at, 1);
  }
  for (const hook of app.hooks) registry.hooks.get(hook.name)?.delete(hook.callback);
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const { dir, port = 7071, host = '127.0.0.1', logger = console } = options;
  const env = process.env;
  // First, so the app's first `app.*` call finds the host and not "test mode".
  installCoreShim().systemLog = (level, message) => {
    if (level === 'warning') logger.warn(`[functions] ${message}`);
    else if (level === 'error' || level === 'critical') logger.error(`[functions] ${message}`);
  };
  const { routePrefix } = loadLocalSettings(dir, env);
  const behaviour = readHostBehaviour(env);
  const app = loadFunctionApp(dir);
  try {
    const lib = requireFunctionsLibrary(dir);
    const minimum = minimumLogLevel(env);
    const functions = app.registrations.map((r) => hostFunction(r, logger, minimum));
    const routes = buildRouteTable(functions, routePrefix);
    const jobs = functions.filter(isTimer).map((fn) => timerJob(fn, env));
    await runAppHooks('appStart');
    const timers = createTimers(lib, jobs, logger);
    const inflight = new Set<() => void>();
    const server = createHttpServer({
      ...behaviour,
      lib,
      routes,
      logger,
      serializeCookie: requireLibraryCookieSerializer(dir),
      inflight,
      invokeAdmin: (name) => timers.invoke(name),
    });
    const boundPort = await listen(server, port, host);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
    // Timers start once the port is open: a timer (or runOnStartup) may call the app's own routes.
    timers.start();
    logger.log(describeFunctions(functions, url, routePrefix));
    return { url, port: boundPort, routePrefix, registrations: app.registrations, close: closer(server, timers, app, inflight) };
  } catch (err) {
    unregister(app);
    throw err;
  }
}

function closer(server: Server, timers: TimerScheduler, app: LoadedApp, inflight: Set<() => void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      timers.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() alone waits for every open stream and keep-alive socket; drop them now.
      server.closeAllConnections();
      // Bodies go on being read after their client left (as in the worker); a host that stops
      // ends them, as the worker's process exiting would.
      for (const cancel of [...inflight]) cancel();
      await closed;
      await runAppHooks('appTerminate');
      unregister(app);
    })());
}
