import { describe, expect, it } from 'vitest';
import { BicepEvalError } from './support/bicepEval';
import {
  appSettings,
  deployed,
  duplicates,
  exampleParameters,
  KEYS,
  moduleDeployments,
  nameProblems,
  ofType,
  plan,
  properties,
  referencedSecrets,
  secretsWritten,
} from './support/deployPlan';

// main.bicep expanded (tree-sitter parse + support/bicepEval.ts) for the parameter combinations of
// issue 15: what ARM would be asked to deploy, checked for what would fail at deploy or first start.

const example = exampleParameters();
const account = (group: string, name: string) => `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${group}/providers/Microsoft.CognitiveServices/accounts/${name}`;
const sharedAccount = account('rg-aoai-eastus', 'aoai-eastus');

/** 64 characters, the longest backend name the router accepts (letters, digits, ".", "_", "-"). */
const LONG_BACKEND = `ptu.${'x'.repeat(55)}_east`;
const LONG_APP = `aoai-router-${'p'.repeat(38)}`; // 50 characters, the @maxLength of appName

interface Scenario {
  readonly label: string;
  readonly params: Record<string, unknown>;
  /** Secrets the vault holds before this deployment (an earlier one wrote them). */
  readonly existing: readonly string[];
}

const SCENARIOS: Scenario[] = [
  { label: 'the example parameters, first deployment with every key', params: { ...example, ...KEYS }, existing: [] },
  { label: 'first deployment without routerAdminKey and routerIdSecret', params: { ...example, routerApiKeys: KEYS.routerApiKeys }, existing: [] },
  {
    label: 'a redeployment without values, the secrets declared to exist',
    params: { ...example, routerAdminKeyConfigured: true, routerIdSecretConfigured: true },
    existing: ['router-api-keys', 'router-admin-key', 'router-id-secret'],
  },
  { label: 'a redeployment without values or flags', params: { ...example }, existing: ['router-api-keys', 'router-admin-key', 'router-id-secret'] },
  {
    label: 'two backends on one Azure OpenAI account (PTU + standard), private networking',
    params: {
      ...example,
      ...KEYS,
      privateNetworking: true,
      backends: [
        { name: 'eastus-ptu', endpoint: 'https://aoai-eastus.openai.azure.com', priority: 1, type: 'ptu', resourceId: sharedAccount },
        { name: 'eastus-standard', endpoint: 'https://aoai-eastus.openai.azure.com', priority: 2, type: 'paygo', resourceId: sharedAccount.replace('aoai-eastus', 'AOAI-EastUS') },
        { name: 'sweden', endpoint: 'https://aoai-sweden.openai.azure.com', priority: 2, resourceId: account('rg-aoai-sweden', 'aoai-sweden') },
      ],
    },
    existing: [],
  },
  {
    label: 'the longest names, private networking',
    params: {
      ...example,
      ...KEYS,
      appName: LONG_APP,
      privateNetworking: true,
      backends: [
        { name: LONG_BACKEND, endpoint: 'https://aoai-a.openai.azure.com', priority: 1, resourceId: account('rg-a', 'aoai-a') },
        { name: 'ends-with-a-dot.', endpoint: 'https://aoai-b.openai.azure.com', priority: 2, resourceId: account('rg-b', 'aoai-b') },
      ],
    },
    existing: [],
  },
  { label: 'Front Door in front', params: { ...example, ...KEYS, frontDoorId: '8d7f5c3e-0a5b-4c1e-9a43-7f2b0c6d1e99' }, existing: [] },
];

describe.each(SCENARIOS)('main.bicep, $label', ({ params, existing }) => {
  const result = plan(params);
  const settings = appSettings(result);

  it('defines no resource twice (ARM: "defined multiple times in a template")', () => {
    expect(duplicates(deployed(result).map((r) => r.id))).toEqual([]);
  });

  it('names no two deployments alike in one resource group', () => {
    expect(duplicates(moduleDeployments(result).map((m) => `${m.scope}/${m.name}`))).toEqual([]);
  });

  it('generates only names within their resource type rules (length and characters)', () => {
    expect(nameProblems(result)).toEqual([]);
  });

  it('references only Key Vault secrets that exist once it is deployed', () => {
    const available = new Set([...secretsWritten(result), ...existing]);
    const dangling = [...referencedSecrets(settings)].filter(([, secret]) => !available.has(secret)).map(([setting, secret]) => `${setting} → ${secret}`);
    expect(dangling).toEqual([]);
  });

  it('gives every setting a string value, and none of them a placeholder', () => {
    expect(Object.entries(settings).filter(([, value]) => typeof value !== 'string' || value.includes('«'))).toEqual([]);
  });

  it('keeps FUNCTIONS_WORKER_RUNTIME and WEBSITE_RUN_FROM_PACKAGE out of the app settings (Flex Consumption)', () => {
    expect(Object.keys(settings).filter((name) => /^(FUNCTIONS_WORKER_RUNTIME|FUNCTIONS_EXTENSION_VERSION|WEBSITE_RUN_FROM_PACKAGE|WEBSITE_CONTENT)/.test(name))).toEqual([]);
  });

  it('sets AZURE_TOKEN_CREDENTIALS=prod, as the README recommends', () => {
    expect(settings.AZURE_TOKEN_CREDENTIALS).toBe('prod');
  });
});

describe('ROUTER_ADMIN_KEY and ROUTER_ID_SECRET (issue 15, item 3)', () => {
  const names = (params: Record<string, unknown>) => {
    const settings = appSettings(plan(params));
    return ['ROUTER_API_KEYS', 'ROUTER_ADMIN_KEY', 'ROUTER_ID_SECRET'].filter((name) => name in settings);
  };

  it('a first deployment with the values writes the three secrets and references them', () => {
    const result = plan({ ...example, ...KEYS });
    expect(secretsWritten(result).sort()).toEqual(['router-admin-key', 'router-api-keys', 'router-id-secret']);
    expect([...referencedSecrets(appSettings(result)).keys()].sort()).toEqual(['ROUTER_ADMIN_KEY', 'ROUTER_API_KEYS', 'ROUTER_ID_SECRET']);
  });

  it('a first deployment without routerAdminKey or routerIdSecret leaves those settings out', () => {
    expect(names({ ...example, routerApiKeys: KEYS.routerApiKeys })).toEqual(['ROUTER_API_KEYS']);
  });

  it('a redeployment without the values keeps them when the secrets are declared to exist, writing nothing', () => {
    const params = { ...example, routerAdminKeyConfigured: true, routerIdSecretConfigured: true };
    expect(names(params)).toEqual(['ROUTER_API_KEYS', 'ROUTER_ADMIN_KEY', 'ROUTER_ID_SECRET']);
    expect(secretsWritten(plan(params))).toEqual([]);
  });

  it('a redeployment without values or flags drops them (the status endpoint closes, stored responses answer 503)', () => {
    expect(names({ ...example })).toEqual(['ROUTER_API_KEYS']);
  });

  it('each setting follows its own value or flag', () => {
    expect(names({ ...example, routerAdminKey: KEYS.routerAdminKey })).toEqual(['ROUTER_API_KEYS', 'ROUTER_ADMIN_KEY']);
    expect(names({ ...example, routerIdSecretConfigured: true })).toEqual(['ROUTER_API_KEYS', 'ROUTER_ID_SECRET']);
  });

  it('an empty secret name turns the setting off even with a value or flag', () => {
    expect(names({ ...example, ...KEYS, routerAdminKeyConfigured: true, routerAdminKeySecretName: '', routerIdSecretName: '' })).toEqual(['ROUTER_API_KEYS']);
  });

  it('ROUTER_API_KEYS is always a reference: the router needs it, and a missing secret must stop start-up', () => {
    expect(names({ ...example, routerApiKeysSecretName: 'router-api-keys' })).toContain('ROUTER_API_KEYS');
  });
});

describe('backends sharing an Azure OpenAI account (issue 15, item 4)', () => {
  const result = plan(SCENARIOS[4]?.params ?? {});

  it('grants the role once per account, in the account resource group', () => {
    const grants = ofType(result, 'Microsoft.Authorization/roleAssignments').filter((r) => r.deployment.includes('/openai-user-'));
    expect(grants).toHaveLength(2);
    expect(grants.map((g) => g.id.split('/providers/Microsoft.Authorization')[0]).sort()).toEqual([sharedAccount, account('rg-aoai-sweden', 'aoai-sweden')].sort());
  });

  it('gives each account one private endpoint, to the id the first backend names', () => {
    const endpoints = ofType(result, 'Microsoft.Network/privateEndpoints').filter((r) => properties(r).privateLinkServiceConnections !== undefined);
    const targets = endpoints.flatMap((e) => (properties(e).privateLinkServiceConnections as { properties: { privateLinkServiceId: string; groupIds: string[] } }[]).map((c) => c.properties));
    expect(targets.filter((t) => t.groupIds.includes('account')).map((t) => t.privateLinkServiceId)).toEqual([sharedAccount, account('rg-aoai-sweden', 'aoai-sweden')]);
  });

  it('still writes one BACKEND_<N>_* group per backend', () => {
    const settings = appSettings(result);
    expect([settings.BACKEND_1_NAME, settings.BACKEND_2_NAME, settings.BACKEND_3_NAME]).toEqual(['eastus-ptu', 'eastus-standard', 'sweden']);
  });
});

describe('generated names (issue 15, item 5)', () => {
  const endpointNames = (params: Record<string, unknown>) =>
    ofType(plan(params), 'Microsoft.Network/privateEndpoints')
      .map((r) => r.name)
      .sort();

  it('keeps the names earlier deployments gave private endpoints when they are valid (no endpoint replaced)', () => {
    const appName = 'aoai-router-demo';
    expect(endpointNames({ ...example, ...KEYS, appName, privateNetworking: true })).toEqual(
      ['blob', 'queue', 'table', 'vault', 'ptu-eastus', 'paygo-swedencentral'].map((suffix) => `pe-${appName}-${suffix}`).sort(),
    );
  });

  it('bounds private endpoint names to 64 characters, ending in a letter, digit or "_"', () => {
    const names = endpointNames(SCENARIOS[5]?.params ?? {});
    expect(names.every((name) => name.length <= 64 && /[A-Za-z0-9_]$/.test(name))).toBe(true);
    // Both parts cut, a hash of the account id at the end: pe-<24 of appName>-<22 of the backend name>-<13>.
    expect(names.filter((name) => new RegExp(`^pe-${LONG_APP.slice(0, 24)}-ptu\\.x{18}-[a-z2-7]{13}$`).test(name))).toHaveLength(1);
    expect(names.filter((name) => new RegExp(`^pe-${LONG_APP.slice(0, 24)}-ends-with-a-dot\\.-[a-z2-7]{13}$`).test(name))).toHaveLength(1);
  });

  it('refuses an appName longer than 50 characters, which the other names are built from', () => {
    expect(() => plan({ ...example, ...KEYS, appName: `${LONG_APP}x` })).toThrow(BicepEvalError);
  });

  it('takes a vault name, for a re-created resource group whose old vault is still soft-deleted', () => {
    const [vault] = ofType(plan({ ...example, ...KEYS, keyVaultName: 'kv-router-2' }), 'Microsoft.KeyVault/vaults');
    expect(vault?.name).toBe('kv-router-2');
    expect(properties(vault).createMode).toBe('default');
    expect(() => plan({ ...example, keyVaultName: 'kv-a-name-longer-than-24c' })).toThrow(/keyVaultName/);
  });

  it('recovers the soft-deleted vault instead when asked (createMode recover)', () => {
    const [vault] = ofType(plan({ ...example, keyVaultRecover: true }), 'Microsoft.KeyVault/vaults');
    expect(properties(vault).createMode).toBe('recover');
  });
});

describe('Front Door (issue 15, item 2)', () => {
  const site = (params: Record<string, unknown>) => properties(ofType(plan(params), 'Microsoft.Web/sites')[0]).siteConfig as Record<string, unknown>;

  it('with frontDoorId, the main site admits only that Front Door: Core Tools\' /admin/host/status check and curl from elsewhere get 403', () => {
    const config = site({ ...example, frontDoorId: 'fd-guid' });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
    expect(config.ipSecurityRestrictions).toEqual([expect.objectContaining({ action: 'Allow', tag: 'ServiceTag', ipAddress: 'AzureFrontDoor.Backend', headers: { 'x-azure-fdid': ['fd-guid'] } })]);
  });

  it('the scm site keeps its own, open rules: the upload itself (scm /api/publish) is not blocked', () => {
    const config = site({ ...example, frontDoorId: 'fd-guid' });
    expect(config.scmIpSecurityRestrictionsUseMain).toBe(false);
    expect(config.scmIpSecurityRestrictions).toBeUndefined();
  });

  it('without frontDoorId, the main site is open', () => {
    const config = site({ ...example });
    expect(config.ipSecurityRestrictionsDefaultAction).toBe('Allow');
    expect(config.ipSecurityRestrictions).toEqual([]);
  });
});

describe('private networking', () => {
  const result = plan({ ...example, ...KEYS, privateNetworking: true });

  it('names the storage zones from environment().suffixes (core.windows.net in Azure public)', () => {
    expect(ofType(result, 'Microsoft.Network/privateDnsZones').map((z) => z.name)).toEqual(
      expect.arrayContaining(['privatelink.blob.core.windows.net', 'privatelink.queue.core.windows.net', 'privatelink.table.core.windows.net']),
    );
  });

  it('wires the app subnet and every endpoint to the network module outputs', () => {
    const app = ofType(result, 'Microsoft.Web/sites')[0];
    expect(properties(app).virtualNetworkSubnetId).toMatch(/\/virtualNetworks\/vnet-[^/]+\/subnets\/app$/);
    const subnets = ofType(result, 'Microsoft.Network/privateEndpoints').map((e) => (properties(e).subnet as { id: string }).id);
    expect(new Set(subnets)).toEqual(new Set([expect.stringMatching(/\/subnets\/private-endpoints$/)]));
  });

  it('without it, deploys no network and reads none of its outputs', () => {
    const publicOnly = plan({ ...example, ...KEYS });
    expect(ofType(publicOnly, 'Microsoft.Network/virtualNetworks')).toEqual([]);
    expect(properties(ofType(publicOnly, 'Microsoft.Web/sites')[0]).virtualNetworkSubnetId).toBeNull();
  });
});
