import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allResources, BicepEvalError, deploy, DEFAULT_SCOPE } from './support/bicepEval';

// The evaluator the deployment-plan tests rely on, against small templates whose ARM result is
// known (the Bicep and ARM template function docs), including where the tree-sitter parse differs
// from Bicep's own.

const dir = mkdtempSync(join(tmpdir(), 'bicep-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

function outputs(source: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  const file = join(dir, `t${count++}.bicep`);
  writeFileSync(file, source);
  return deploy(file, params).outputs;
}

const value = (expression: string, prelude = '') => outputs(`${prelude}\noutput v object = { v: ${expression} }\n`).v as { v: unknown };

describe('the Bicep evaluator', () => {
  it.each([
    ['!a.b', 'var a = { b: false }', true],
    ["c ? 'x' : d.e", 'var c = false\nvar d = { e: 1 }', 1],
    ['x && y.z', 'var x = true\nvar y = { z: true }', true],
    ["map(items({ b: 2, a: 1 }), (z) => z.key)", '', ['a', 'b']],
    ["map([ { k: [ 7 ] } ], (z) => z.k[0])", '', [7]],
    ["filter([ 1, 2, 3 ], (n) => n > 1)", '', [2, 3]],
    ["reduce([ 1, 2, 3 ], 0, (acc, n) => acc + n)", '', 6],
    ['[ a[0] ]', 'var a = [ 5 ]', [5]],
    ["[\n  take('abc', 2)\n  toUpper('d')\n]", '', ['ab', 'D']],
    ["[ take('abc', 1), length('ab') ]", '', ['a', 2]],
    ["[\n  split('a/b', '/')[1]\n  a.b\n]", "var a = { b: 'c' }", ['b', 'c']],
  ])('reads %s as Bicep does', (expression, prelude, expected) => {
    expect(value(expression, prelude).v).toEqual(expected);
  });

  it('merges objects with union() recursively, later values winning, nested arrays replaced', () => {
    expect(value("union({ p: { one: 'a', three: 'c1' }, n: [ 1, 2 ] }, { p: { three: 'c2', four: 'd' }, n: [ 3, 4 ] })").v).toEqual({ p: { one: 'a', three: 'c2', four: 'd' }, n: [3, 4] });
    expect(value("union([ 'one', 'two', 'three' ], [ 'three', 'four' ])").v).toEqual(['one', 'two', 'three', 'four']);
  });

  it('handles safe access, ?? and string functions with ARM semantics', () => {
    expect(value("a.?missing ?? 'fallback'", 'var a = {}').v).toBe('fallback');
    expect(value("endsWith('ABC', 'bc')").v).toBe(true);
    expect(value("string(true)").v).toBe('True');
    expect(value("split('/a/b', '/')").v).toEqual(['', 'a', 'b']);
    expect((value('uniqueString(resourceGroup().id)').v as string)).toMatch(/^[a-z2-7]{13}$/);
  });

  it('refuses a property that does not exist, as ARM does', () => {
    expect(() => value('a.missing', 'var a = {}')).toThrow(BicepEvalError);
  });

  it('checks parameters against their decorators and refuses undeclared ones', () => {
    const source = "@maxLength(3)\nparam p string = 'ab'\n@allowed([ 1, 2 ])\nparam q int = 1\noutput o string = p\n";
    expect(outputs(source)).toEqual({ o: 'ab' });
    expect(() => outputs(source, { p: 'abcd' })).toThrow(/maxLength/);
    expect(() => outputs(source, { q: 3 })).toThrow(/allowed/);
    expect(() => outputs(source, { r: 1 })).toThrow(/not declared/);
  });

  it('deploys modules into their scope, with ids for existing and child resources', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'child.bicep'), "param n string\nresource a 'Microsoft.X/things@2020-01-01' existing = {\n  name: n\n}\nresource c 'Microsoft.X/things/parts@2020-01-01' = {\n  parent: a\n  name: 'p'\n}\noutput id string = c.id\n");
    writeFileSync(
      join(sub, 'main.bicep'),
      "param on bool\nmodule m 'child.bicep' = [for (n, i) in [ 'x', 'y' ]: if (on || i == 0) {\n  name: 'm-${i}'\n  scope: resourceGroup('other-sub', 'other-rg')\n  params: { n: n }\n}]\noutput ids array = [ m[0].outputs.id ]\n",
    );
    const result = deploy(join(sub, 'main.bicep'), { on: false });
    expect(result.outputs.ids).toEqual(['/subscriptions/other-sub/resourceGroups/other-rg/providers/Microsoft.X/things/x/parts/p']);
    expect(result.modules.map((m) => [m.name, m.deployed])).toEqual([['main/m-0', true], ['main/m-1', false]]);
    expect(allResources(result).filter((r) => r.deployed).map((r) => r.fullName)).toEqual(['x/p']);
    expect(result.scope).toEqual(DEFAULT_SCOPE);
  });
});
