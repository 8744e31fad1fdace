import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../infra/support/bicep';
import { coreToolsPackage, gitRulesPackage, readFuncignore } from '../infra/support/funcPackage';

// The status page reads these at start-up (require.resolve, so the publish package test's require scan does not see them).
const UPLOT_FILES = ['node_modules/uplot/dist/uPlot.iife.min.js', 'node_modules/uplot/dist/uPlot.min.css'];

describe("the status page's charting library", () => {
  it('is a runtime dependency (func publish installs and uploads dependencies, not dev dependencies)', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies.uplot).toMatch(/^\^?1\.6\./);
    for (const file of UPLOT_FILES) expect(readFileSync(join(REPO, file), 'utf8').length).toBeGreaterThan(1000);
  });

  it('is kept by .funcignore under Core Tools rules and git rules', () => {
    const funcignore = readFuncignore();
    expect(coreToolsPackage(UPLOT_FILES, funcignore)).toEqual(UPLOT_FILES);
    expect(gitRulesPackage(UPLOT_FILES, funcignore)).toEqual(UPLOT_FILES);
  });
});
