import { BackendConfig, BackendCredentialSpec } from './types';
import { SettingName } from './catalogue';
import { ConfigError, SettingsReader } from './settingsReader';

type BackendPrefix = `BACKEND_${number}_`;
import { isValidDeploymentName, isValidName } from '../core/deploymentName';

/** Reads BACKEND_1_* … BACKEND_N_*, numbered from 1 without gaps. */
export function readBackends(settings: SettingsReader, env: Readonly<Record<string, string | undefined>>): BackendConfig[] {
  const backends: BackendConfig[] = [];
  for (let n = 1; settings.string(`BACKEND_${n}_URL`) !== undefined; n++) {
    backends.push(readBackend(settings, n));
  }
  rejectGaps(env, backends.length);
  rejectDuplicateNames(backends);
  return backends;
}

function readBackend(settings: SettingsReader, n: number): BackendConfig {
  const prefix: BackendPrefix = `BACKEND_${n}_`;
  const name = settings.string(`${prefix}NAME`) ?? `backend-${n}`;
  if (!isValidName(name)) {
    throw new ConfigError(`${prefix}NAME`, 'use 1-64 letters, digits, ".", "_" or "-"');
  }
  const type = settings.string(`${prefix}TYPE`) === undefined ? undefined : settings.oneOf(`${prefix}TYPE`, ['ptu', 'paygo'], 'paygo');
  const url = readUrl(settings, `${prefix}URL`);
  return {
    index: n,
    name,
    origin: url.origin,
    basePath: url.basePath,
    priority: settings.integer(`${prefix}PRIORITY`, undefined, 1, 1000),
    weight: settings.integer(`${prefix}WEIGHT`, 1, 1, 1000),
    type,
    deployments: readDeployments(settings, `${prefix}DEPLOYMENTS`),
    spillover: readSpillover(settings, `${prefix}SPILLOVER_DEPLOYMENT`),
    credential: readCredential(settings, prefix),
  };
}

/**
 * BACKEND_<N>_SPILLOVER_DEPLOYMENT: one standard deployment of the same resource that takes a
 * PTU deployment's overflow (`x-ms-spillover-deployment`), or `alias=deployment` pairs, one per alias.
 */
function readSpillover(settings: SettingsReader, setting: SettingName): BackendConfig['spillover'] {
  const raw = settings.string(setting);
  if (raw === undefined) return undefined;
  if (!raw.includes('=')) {
    if (!isValidDeploymentName(raw.trim())) throw new ConfigError(setting, `"${raw}" is not a deployment name`);
    return { all: raw.trim() };
  }
  return { byAlias: readDeployments(settings, setting) ?? new Map() };
}

function readUrl(settings: SettingsReader, setting: SettingName): { origin: string; basePath: string } {
  const raw = settings.required(setting, 'the backend resource endpoint');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(setting, `not a URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(setting, 'must be http(s)');
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(setting, 'must be a plain endpoint without credentials, query or fragment');
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  // The router appends /openai/deployments/… (and /openai/v1/…) itself: a URL copied with that part builds /openai/openai/….
  const openaiSuffix = /\/openai(\/v1)?$/i.exec(basePath);
  if (openaiSuffix !== null) {
    const endpoint = `${url.origin}${basePath.slice(0, openaiSuffix.index)}`;
    throw new ConfigError(setting, `give the resource endpoint without ${openaiSuffix[0]} (e.g. ${endpoint}): the router adds /openai/… itself`);
  }
  return { origin: url.origin, basePath };
}

function readDeployments(settings: SettingsReader, setting: SettingName): Map<string, string> | undefined {
  const raw = settings.string(setting);
  if (raw === undefined) return undefined;
  const map = new Map<string, string>();
  for (const pair of raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const [alias = '', deployment = alias, extra] = pair.split('=').map((s) => s.trim());
    if (extra !== undefined || !isValidDeploymentName(alias) || !isValidDeploymentName(deployment)) {
      throw new ConfigError(setting, `expected alias=deployment pairs, got "${pair}"`);
    }
    map.set(alias, deployment);
  }
  if (map.size === 0) throw new ConfigError(setting, 'lists no deployments');
  return map;
}

function readCredential(settings: SettingsReader, prefix: BackendPrefix): BackendCredentialSpec {
  const key = settings.string(`${prefix}APIKEY`);
  const secretName = settings.string(`${prefix}KEYVAULT_SECRET`);
  if (key !== undefined && secretName !== undefined) {
    throw new ConfigError(`${prefix}APIKEY`, `set either ${prefix}APIKEY or ${prefix}KEYVAULT_SECRET, not both`);
  }
  if (key !== undefined) return { kind: 'apiKey', key };
  if (secretName !== undefined) return { kind: 'keyVault', secretName };
  return { kind: 'entra' };
}

function rejectGaps(env: Readonly<Record<string, string | undefined>>, count: number): void {
  for (const setting of Object.keys(env)) {
    const match = /^BACKEND_(\d+)_[A-Z_]+$/.exec(setting);
    if (match?.[1] !== undefined && Number(match[1]) > count && env[setting]?.trim()) {
      const expected = `BACKEND_${count + 1}_URL`;
      throw new ConfigError(expected, `${setting} is set but ${expected} is missing; number backends from 1 without gaps`);
    }
  }
}

function rejectDuplicateNames(backends: readonly BackendConfig[]): void {
  const seen = new Set<string>();
  for (const backend of backends) {
    if (seen.has(backend.name)) throw new ConfigError(`BACKEND_${backend.index}_NAME`, `"${backend.name}" is used twice`);
    seen.add(backend.name);
  }
}
