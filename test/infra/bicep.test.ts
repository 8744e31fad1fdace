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
