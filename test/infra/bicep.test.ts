import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bicepFiles, INFRA, parameterDeclarations, parseBicep, referencedFiles, REPO, syntaxProblems, typeProperties } from './support/bicep';

const files = bicepFiles();

describe('the Bicep templates', () => {
  it('are main.bicep, settings.bicep and the modules it deploys', () => {
    expect(files).toContain('infra/main.bicep');
    expect(files).toContain('infra/settings.bicep');
    expect(files.filter((file) => file.startsWith('infra/modules/')).length).toBeGreaterThan(3);
  });

  it.each(files)('%s parses with no ERROR or MISSING node', (file) => {
    expect(syntaxProblems(parseBicep(join(REPO, file)).rootNode)).toEqual([]);
  });

  it.each(files)('%s names only module and import files that exist', (file) => {
    const missing = referencedFiles(parseBicep(join(REPO, file))).filter((path) => !existsSync(join(REPO, dirname(file), path)));
    expect(missing).toEqual([]);
  });

  it('every module file is used by main.bicep', () => {
    const used = new Set(referencedFiles(parseBicep(join(INFRA, 'main.bicep'))).map((path) => `infra/${path}`));
    expect(files.filter((file) => file.startsWith('infra/modules/') && !used.has(file))).toEqual([]);
  });
});

describe('the example parameters file', () => {
  const main = parameterDeclarations(parseBicep(join(INFRA, 'main.bicep')));
  const example = JSON.parse(readFileSync(join(INFRA, 'main.parameters.json'), 'utf8')).parameters as Record<string, { value: unknown }>;
  const backendFields = typeProperties(parseBicep(join(INFRA, 'settings.bicep')), 'backend');

  it('sets only parameters main.bicep declares', () => {
    const declared = new Set(main.map((p) => p.name));
    expect(Object.keys(example).filter((name) => !declared.has(name))).toEqual([]);
  });

  it('sets every parameter main.bicep has no default for', () => {
    expect(main.filter((p) => !p.hasDefault && !(p.name in example)).map((p) => p.name)).toEqual([]);
  });

  it('describes backends only with fields of the backend type', () => {
    const backends = example.backends?.value as Record<string, unknown>[];
    expect(backends.length).toBeGreaterThan(0);
    expect(backends.flatMap(Object.keys).filter((field) => !backendFields.includes(field))).toEqual([]);
  });
});

/** The no-hardcoded-env-urls rule's default disallowedHosts (Azure/bicep src/Bicep.Core/Configuration/bicepconfig.json). */
const DISALLOWED_HOSTS = [
  'api.loganalytics.io',
  'asazure.windows.net',
  'azuredatalakeanalytics.net',
  'azuredatalakestore.net',
  'batch.core.windows.net',
  'core.windows.net',
  'database.windows.net',
  'datalake.azure.net',
  'gallery.azure.com',
  'graph.windows.net',
  'login.microsoftonline.com',
  'management.azure.com',
  'management.core.windows.net',
  'region.asazure.windows.net',
  'trafficmanager.net',
  'vault.azure.net',
];
const EXCLUDED_HOSTS = ['schema.management.azure.com'];

/** As NoHardcodedEnvironmentUrlsRule matches: case-insensitive, no letter or digit right before or after. */
function hardcodedHosts(text: string): string[] {
  const at = (host: string) => [...text.matchAll(new RegExp(`(?<![A-Za-z0-9])${host.replace(/\./g, '\\.')}(?![A-Za-z0-9])`, 'gi'))].map((m) => m.index);
  const excluded = EXCLUDED_HOSTS.flatMap((host) => at(host).map((index) => [index, index + host.length]));
  return DISALLOWED_HOSTS.flatMap((host) => at(host).filter((index) => !excluded.some(([from = 0, to = 0]) => index >= from && index < to)).map(() => host));
}

describe('warnings the review found (issue 15, item 7)', () => {
  it.each(files)('%s hard-codes no host of the no-hardcoded-env-urls rule (environment() has them)', (file) => {
    const tree = parseBicep(join(REPO, file));
    // The rule skips resource type and module path strings.
    const skipped = new Set(
      [...tree.rootNode.descendantsOfType('resource_declaration'), ...tree.rootNode.descendantsOfType('module_declaration')].flatMap((d) => d.namedChildren.filter((c) => c.type === 'string').map((c) => c.id)),
    );
    const strings = tree.rootNode.descendantsOfType('string').filter((s) => !skipped.has(s.id));
    expect(strings.flatMap((s) => s.descendantsOfType('string_content').flatMap((c) => hardcodedHosts(c.text).map((host) => `line ${c.startPosition.row + 1}: ${host}`)))).toEqual([]);
  });

  it('reads a conditional module only with `!`, behind a test of its own condition (else BCP318)', () => {
    const tree = parseBicep(join(INFRA, 'main.bicep'));
    const conditional = new Map(
      tree.rootNode
        .descendantsOfType('module_declaration')
        .flatMap((m) => {
          const body = m.namedChildren.at(-1);
          const test = body?.type === 'if_statement' ? body.namedChildren[0]?.text.replace(/^\(|\)$/g, '') : undefined;
          return test === undefined ? [] : [[m.namedChildren[0]?.text ?? '', test] as [string, string]];
        }),
    );
    expect([...conditional.keys()]).toContain('network');
    const unguarded = tree.rootNode.descendantsOfType('member_expression').flatMap((read) => {
      const symbol = read.childForFieldName('object');
      if (symbol?.type !== 'identifier' || !conditional.has(symbol.text)) return [];
      const asserted = read.children.some((c) => c.type === '!');
      let guarded = false;
      for (let node = read.parent, child = read; node !== null; child = node, node = node.parent) {
        if (node.type === 'ternary_expression' && node.childForFieldName('condition')?.text === conditional.get(symbol.text) && node.childForFieldName('consequence')?.id === child.id) guarded = true;
      }
      return asserted && guarded ? [] : [`line ${read.startPosition.row + 1}: ${read.text}`];
    });
    expect(unguarded).toEqual([]);
  });
});
