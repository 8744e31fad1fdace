import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA } from './bicep';
import { allModules, allResources, deploy, type DeploymentResult, type ResourceInstance } from './bicepEval';

/** infra/main.parameters.json as plain values. */
export function exampleParameters(): Record<string, unknown> {
  const file = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: unknown }> };
  return Object.fromEntries(Object.entries(file.parameters).map(([name, p]) => [name, p.value]));
}

export const KEYS = {
  routerApiKeys: `web-app:${'k'.repeat(48)}`,
  routerAdminKey: 'a'.repeat(48),
  routerIdSecret: 's'.repeat(44),
};

export function plan(params: Record<string, unknown>): DeploymentResult {
  return deploy('infra/main.bicep', params);
}

export function deployed(result: DeploymentResult): ResourceInstance[] {
  return allResources(result).filter((r) => r.deployed);
}

export function ofType(result: DeploymentResult, type: string): ResourceInstance[] {
  return deployed(result).filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

export function properties(resource: ResourceInstance | undefined): Record<string, unknown> {
  return (resource?.body.properties ?? {}) as Record<string, unknown>;
}

/** The function app's settings, as the Microsoft.Web/sites/config appsettings resource writes them. */
export function appSettings(result: DeploymentResult): Record<string, string> {
  const [config] = ofType(result, 'Microsoft.Web/sites/config');
  return properties(config) as Record<string, string>;
}

/** Secret names this deployment writes to the router's vault. */
export function secretsWritten(result: DeploymentResult): string[] {
  return ofType(result, 'Microsoft.KeyVault/vaults/secrets').map((r) => r.name);
}

const REFERENCE = /^@Microsoft\.KeyVault\(SecretUri=https:\/\/[^/]+\/secrets\/([^/)]+)\/?\)$/;

/** Setting → secret name, for every setting that is a Key Vault reference. */
export function referencedSecrets(settings: Record<string, string>): Map<string, string> {
  return new Map(
    Object.entries(settings).flatMap(([name, value]) => {
      const secret = REFERENCE.exec(value)?.[1];
      return secret === undefined ? [] : [[name, secret] as [string, string]];
    }),
  );
}

/** Module deployments by scope and name, for duplicate checks. */
export function moduleDeployments(result: DeploymentResult): { scope: string; name: string }[] {
  return allModules(result).map((m) => ({ scope: `/subscriptions/${m.scope.subscriptionId}/resourceGroups/${m.scope.resourceGroup}`, name: m.name.split('/').pop() ?? '' }));
}

export function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = value.toLowerCase();
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

/**
 * Resource name rules (learn.microsoft.com resource-name-rules) for every type the template
 * creates with a name it computes. Role assignments (GUIDs) and fixed names are left out.
 */
export const NAME_RULES: Record<string, { min: number; max: number; pattern: RegExp }> = {
  'microsoft.web/sites': { min: 2, max: 60, pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/i },
  'microsoft.web/serverfarms': { min: 1, max: 60, pattern: /^[\w-]+$/ },
  'microsoft.managedidentity/userassignedidentities': { min: 3, max: 128, pattern: /^[a-z0-9][\w-]*$/i },
  'microsoft.operationalinsights/workspaces': { min: 4, max: 63, pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/i },
  'microsoft.insights/components': { min: 1, max: 260, pattern: /^[^%&\\?/]+$/ },
  'microsoft.storage/storageaccounts': { min: 3, max: 24, pattern: /^[a-z0-9]+$/ },
  'microsoft.keyvault/vaults': { min: 3, max: 24, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/i },
  'microsoft.keyvault/vaults/secrets': { min: 1, max: 127, pattern: /^[a-z0-9-]+$/i },
  'microsoft.network/virtualnetworks': { min: 2, max: 64, pattern: /^[a-z0-9][\w.-]*[\w]$/i },
  'microsoft.network/privateendpoints': { min: 2, max: 64, pattern: /^[a-z0-9][\w.-]*[\w]$/i },
  'microsoft.network/privatednszones/virtualnetworklinks': { min: 1, max: 80, pattern: /^[a-z0-9][\w.-]*[\w]$/i },
};

/** Deployment (module) names: 1-64 characters of letters, digits, "-", ".", "_", "(" and ")". */
export const DEPLOYMENT_NAME = /^[\w.()-]{1,64}$/;

export function nameProblems(result: DeploymentResult): string[] {
  const problems = deployed(result).flatMap((r) => {
    const rule = NAME_RULES[r.type.toLowerCase()];
    if (rule === undefined) return [];
    const ok = r.name.length >= rule.min && r.name.length <= rule.max && rule.pattern.test(r.name);
    return ok ? [] : [`${r.type} "${r.name}" (${r.name.length} characters)`];
  });
  const modules = moduleDeployments(result)
    .filter((m) => !DEPLOYMENT_NAME.test(m.name))
    .map((m) => `deployment "${m.name}"`);
  return [...problems, ...modules];
}
