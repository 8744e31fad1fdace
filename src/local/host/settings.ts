// Reads the two files Core Tools reads before starting the worker: `local.settings.json`
// (app settings, which Azure would inject as environment variables) and `host.json` (for the
// HTTP route prefix). Settings are applied to `process.env` so app code reads them the same way
// in both places.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSettings {
  /** `extensions.http.routePrefix` from host.json, without slashes; `api` when unset. */
  routePrefix: string;
  /** Names of the Values copied into `process.env` (those the environment did not already set). */
  applied: string[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `Values` into `env`; variables already set win, as with Core Tools. */
export function applySettingsValues(file: string, env: NodeJS.ProcessEnv): string[] {
  const json = readJson(file);
  if (!isRecord(json)) throw new Error(`${file} must contain a JSON object.`);
  if (json.IsEncrypted === true) {
    throw new Error(`${file} is encrypted (IsEncrypted: true); decrypt it with "func settings decrypt" first.`);
  }
  const values = json.Values ?? {};
  if (!isRecord(values)) throw new Error(`${file}: "Values" must be an object.`);
  const applied: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (env[name] !== undefined || value === null || value === undefined) continue;
    env[name] = typeof value === 'string' ? value : JSON.stringify(value);
    applied.push(name);
  }
  return applied;
}

/** The route prefix the host puts in front of every HTTP route. An empty string is allowed. */
export function readRoutePrefix(file: string): string {
  if (!existsSync(file)) return 'api';
  const json = readJson(file);
  const http = isRecord(json) && isRecord(json.extensions) ? json.extensions.http : undefined;
  const prefix = isRecord(http) ? http.routePrefix : undefined;
  if (prefix === undefined) return 'api';
  if (typeof prefix !== 'string') throw new Error(`${file}: extensions.http.routePrefix must be a string.`);
  return prefix.replace(/^\/+|\/+$/g, '');
}

export function loadLocalSettings(dir: string, env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const settingsFile = join(dir, 'local.settings.json');
  const applied = existsSync(settingsFile) ? applySettingsValues(settingsFile, env) : [];
  return { routePrefix: readRoutePrefix(join(dir, 'host.json')), applied };
}

/** How the local host behaves where Azure's platform has a setting or a fixed value. */
export interface HostBehaviour {
  /** `LOCAL_HOST_LOG_REQUESTS=1`: one line per request. */
  logRequests: boolean;
  /** `LOCAL_HOST_CANCEL_ON_DISCONNECT=1`: local-only, cancel a response body when its client leaves. */
  cancelOnDisconnect: boolean;
  /** `LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS` (default 240, the host proxy's activity timeout), in ms. */
  unansweredTimeoutMs: number;
  /** `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` (default 104857600, as the host). */
  maxRequestBodyBytes: number;
}

export const HOST_PROXY_TIMEOUT_SECONDS = 240;
export const HOST_REQUEST_BODY_SIZE_LIMIT = 104_857_600;

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, integer: boolean): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? 'whole number' : 'number'}; it is "${raw}".`);
  }
  return value;
}

/** Reads the host's own settings; a bad value fails start-up naming the setting. */
export function readHostBehaviour(env: NodeJS.ProcessEnv): HostBehaviour {
  return {
    logRequests: env.LOCAL_HOST_LOG_REQUESTS === '1',
    cancelOnDisconnect: env.LOCAL_HOST_CANCEL_ON_DISCONNECT === '1',
    unansweredTimeoutMs: positiveNumber(env, 'LOCAL_HOST_UNANSWERED_TIMEOUT_SECONDS', HOST_PROXY_TIMEOUT_SECONDS, false) * 1000,
    maxRequestBodyBytes: positiveNumber(env, 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', HOST_REQUEST_BODY_SIZE_LIMIT, true),
  };
}
