import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionNames, INFRA, parseBicep, settingNames, settingValues } from './support/bicep';
import { readmeSettings, settingsReadByCode } from './support/settingsInCode';

/** Read by the code, not set by the Bicep (the code's default is the production choice), documented in the README table. */
const OPTIONAL_DOCUMENTED = [
  'BACKEND_<N>_APIKEY',
  'BACKEND_<N>_SPILLOVER_DEPLOYMENT',
  'ROUTER_STRATEGY',
  'HTTP_TIMEOUT_SECONDS',
  'ROUTER_TOTAL_TIMEOUT_SECONDS',
  'ROUTER_TIMEOUT_PER_OUTPUT_TOKEN_MS',
  'ROUTER_TIMEOUT_RETRIES',
  'ROUTER_MAX_ATTEMPTS',
  'ROUTER_MAX_BODY_BYTES',
  'ROUTER_MAX_RESPONSE_BYTES',
  'ROUTER_RETRY_AFTER_DEFAULT_SECONDS',
  'ROUTER_RETRY_AFTER_MIN_MS',
  'ROUTER_RETRY_AFTER_MS_MIN_MS',
  'ROUTER_RETRY_AFTER_MAX_SECONDS',
  'ROUTER_FAILURE_BENCH_SECONDS',
  'ROUTER_CIRCUIT_FAILURES',
  'ROUTER_CIRCUIT_INTERVAL_SECONDS',
  'ROUTER_CIRCUIT_TRIP_SECONDS',
  'ROUTER_STATE_STORE',
  'ROUTER_STATE_SYNC_MS',
  'AzureWebJobsStorage',
  'ROUTER_AUTH_FAILURE_BENCH_SECONDS',
  'ROUTER_LATENCY_ROUTING',
  'ROUTER_PROMPT_CACHE_AFFINITY',
  'ROUTER_PROMPT_CACHE_MIN_TOKENS',
  'ROUTER_LATENCY_DEMOTE_FACTOR',
  'ROUTER_LATENCY_DEMOTE_MIN_MS',
  'ROUTER_LATENCY_MIN_SHARE',
  'ROUTER_LATENCY_NOISE_MS',
  'ROUTER_LATENCY_NOISE_RATIO',
  'ROUTER_LATENCY_NOISE_MS',
  'ROUTER_LATENCY_NOISE_RATIO',
  'PROBE_DEPLOYMENT',
  'PROBE_TIMEOUT_SECONDS',
  'PROBE_API_VERSION',
  'AzureWebJobsStorage__tableServiceUri',
  'ROUTER_CONSUMER_LIMITS',
  'ROUTER_CONSUMER_QUOTAS',
  'ROUTER_SECRET_TTL_SECONDS',
];

/**
 * Optional settings the README table does not list yet (reported to the lead with issue 7).
 * Once the README documents one, this test says so: move it to OPTIONAL_DOCUMENTED.
 */
const NOT_YET_IN_README: string[] = [];

/** Set by the Functions platform itself, never by us. */
const SET_BY_PLATFORM = ['WEBSITE_INSTANCE_ID'];

/** Set by the Bicep for the Functions host (storage credential, telemetry), not read by the router code. */
const READ_BY_HOST = ['AzureWebJobsStorage__credential', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];

/** Set by the Bicep for a library the router uses: @azure/identity's DefaultAzureCredential reads AZURE_TOKEN_CREDENTIALS. */
const READ_BY_LIBRARY = ['AZURE_TOKEN_CREDENTIALS'];

const settingsTree = parseBicep(join(INFRA, 'settings.bicep'));
const setByBicep = settingNames(settingsTree);
const readByCode = [...new Set(settingsReadByCode().map((read) => read.name))].sort();
const inReadme = readmeSettings();

describe('the app settings', () => {
  it('are found in the code and the Bicep (the scans still work)', () => {
    expect(readByCode).toEqual(expect.arrayContaining(['ROUTER_API_KEYS', 'BACKEND_<N>_URL', 'AZURE_CLIENT_ID', 'WEBSITE_INSTANCE_ID']));
    expect([...setByBicep]).toEqual(expect.arrayContaining(['ROUTER_API_KEYS', 'BACKEND_<N>_URL', 'AzureWebJobsStorage__accountName']));
  });

  it('every setting the code reads is set by the Bicep, optional, or set by the platform', () => {
    const accounted = new Set([...setByBicep, ...OPTIONAL_DOCUMENTED, ...NOT_YET_IN_README, ...SET_BY_PLATFORM]);
    expect(readByCode.filter((name) => !accounted.has(name))).toEqual([]);
  });

  it('every optional setting is documented in the README settings table', () => {
    expect(OPTIONAL_DOCUMENTED.filter((name) => !inReadme.has(name))).toEqual([]);
  });

  it('the optional settings listed as not yet documented are still missing from the README (else move them to OPTIONAL_DOCUMENTED)', () => {
    expect(NOT_YET_IN_README.filter((name) => inReadme.has(name))).toEqual([]);
  });

  it('the lists name only settings the code still reads', () => {
    const stale = [...OPTIONAL_DOCUMENTED, ...NOT_YET_IN_README, ...SET_BY_PLATFORM].filter((name) => !readByCode.includes(name));
    expect(stale).toEqual([]);
  });

  it('the Bicep sets no setting that neither the code, the Functions host nor a library reads', () => {
    expect([...setByBicep].filter((name) => !readByCode.includes(name) && !READ_BY_HOST.includes(name) && !READ_BY_LIBRARY.includes(name))).toEqual([]);
  });

  it('the settings a library reads are documented in the README settings table', () => {
    expect(READ_BY_LIBRARY.filter((name) => !inReadme.has(name))).toEqual([]);
  });

  it('router keys are Key Vault references, never values', () => {
    const values = settingValues(settingsTree);
    expect(values.get('ROUTER_API_KEYS')).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
    expect(values.get('ROUTER_ADMIN_KEY')).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
    expect(values.get('ROUTER_ID_SECRET')).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
  });

  it('main.bicep gives the function app every group of settings', () => {
    const main = readFileSync(join(INFRA, 'main.bicep'), 'utf8');
    expect(functionNames(settingsTree).filter((name) => !main.includes(`${name}(`))).toEqual([]);
  });
});
