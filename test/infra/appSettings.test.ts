import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/catalogue';
import { readConfig } from '../../src/config/readConfig';
import { Env, SettingsReader } from '../../src/config/settingsReader';
import { functionNames, INFRA, parseBicep, REPO, settingNames, settingValues } from './support/bicep';
import { readmeSettings } from './support/readmeSettings';

/** Read from the environment outside the config readers (createRuntime), by name. */
const READ_OUTSIDE_CONFIG = ['APPLICATIONINSIGHTS_AUTHENTICATION_STRING'];

const settingsTree = parseBicep(join(INFRA, 'settings.bicep'));
const setByBicep = settingNames(settingsTree);
const inReadme = readmeSettings();
const declared = SETTINGS.map((s) => s.name as string);

/** What readConfig asks for, over environments that between them take every branch (storage by key or identity, semantic cache). */
function askedByReadConfig(): Set<string> {
  const base: Env = {
    ROUTER_API_KEYS: 'app:app-key-0123456789abcdef',
    BACKEND_1_URL: 'https://aoai-eus.openai.azure.com/',
    BACKEND_1_PRIORITY: '1',
    BACKEND_1_DEPLOYMENTS: 'gpt-4o=gpt-4o',
    ROUTER_CACHE: 'semantic',
    ROUTER_SEMANTIC_CACHE_EMBEDDINGS: 'text-embedding-3-small',
  };
  const storage: Env[] = [
    { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
    { AzureWebJobsStorage__accountName: 'st', AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000000' },
    { AzureWebJobsStorage__tableServiceUri: 'https://st.table.core.windows.net' },
  ];
  const asked = new Set<string>();
  for (const env of storage) {
    const reader = new SettingsReader({ ...base, ...env });
    readConfig({ ...base, ...env }, reader);
    for (const name of reader.asked) asked.add(name);
  }
  return asked;
}

describe('the settings catalogue (src/config/catalogue.ts)', () => {
  it('declares each setting once', () => {
    expect(declared.filter((name, i) => declared.indexOf(name) !== i)).toEqual([]);
  });

  it('marks as set by the Bicep exactly what infra/settings.bicep sets', () => {
    expect([...setByBicep].sort()).toEqual(SETTINGS.filter((s) => s.bicep).map((s) => s.name as string).sort());
  });

  it('declares only settings the router still reads', () => {
    const asked = askedByReadConfig();
    const outside = READ_OUTSIDE_CONFIG.filter((name) => readFileSync(join(REPO, 'src/runtime/createRuntime.ts'), 'utf8').includes(`env.${name}`));
    const read = new Set([...asked, ...outside]);
    expect(SETTINGS.filter((s) => s.readBy === 'router' && !read.has(s.name)).map((s) => s.name)).toEqual([]);
  });

  it('documents in the README settings table every setting an operator may set', () => {
    const operatorSet = SETTINGS.filter((s) => s.readBy === 'router' || s.readBy === 'library').map((s) => s.name as string);
    expect(operatorSet.filter((name) => !inReadme.has(name))).toEqual([]);
  });

  it('declares every setting the README table lists', () => {
    expect([...inReadme].filter((name) => !declared.includes(name))).toEqual([]);
  });
});

describe('the app settings', () => {
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
