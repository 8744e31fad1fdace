import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Parser from 'tree-sitter';
import Bicep from 'tree-sitter-bicep';

export const REPO = join(__dirname, '..', '..', '..');
export const INFRA = join(REPO, 'infra');

const parser = new Parser();
parser.setLanguage(Bicep as unknown as Parser.Language);

export function parseBicep(file: string): Parser.Tree {
  return parser.parse(readFileSync(file, 'utf8'));
}

/** Every .bicep file under infra/, as repository-relative paths. */
export function bicepFiles(dir = INFRA): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.bicep'))
    .map((entry) => relative(REPO, join(entry.parentPath, entry.name)))
    .sort();
}

export interface SyntaxProblem {
  readonly kind: 'ERROR' | 'MISSING';
  readonly line: number;
  readonly text: string;
}

/** ERROR and MISSING nodes anywhere in the tree (hasError alone does not say where). */
export function syntaxProblems(node: Parser.SyntaxNode): SyntaxProblem[] {
  const here: SyntaxProblem[] =
    node.type === 'ERROR' || node.isMissing
      ? [{ kind: node.isMissing ? 'MISSING' : 'ERROR', line: node.startPosition.row + 1, text: node.text.slice(0, 80) }]
      : [];
  return [...here, ...node.children.flatMap(syntaxProblems)];
}

/**
 * The keys of the objects built inside user-defined functions (settings.bicep: the app settings),
 * with interpolations written as `<N>`: `'BACKEND_${i + 1}_URL'` → `BACKEND_<N>_URL`, as the README writes them.
 */
export function settingNames(tree: Parser.Tree): Set<string> {
  const names = new Set<string>();
  for (const func of tree.rootNode.descendantsOfType('user_defined_function')) {
    for (const property of func.descendantsOfType('object_property')) {
      const key = property.namedChildren[0];
      if (key?.type === 'identifier') names.add(key.text);
      if (key?.type === 'string') names.add(key.text.slice(1, -1).replace(/\$\{[^}]*\}/g, '<N>'));
    }
  }
  return names;
}

/** The value expression of each `name: value` property in the file, by name. */
export function settingValues(tree: Parser.Tree): Map<string, string> {
  const values = new Map<string, string>();
  for (const property of tree.rootNode.descendantsOfType('object_property')) {
    const [key, value] = property.namedChildren;
    if (key?.type === 'identifier' && value !== undefined) values.set(key.text, value.text);
  }
  return values;
}

/** Names of user-defined functions (`func name(...)`). */
export function functionNames(tree: Parser.Tree): string[] {
  return tree.rootNode.descendantsOfType('user_defined_function').map((func) => func.childForFieldName('name')?.text ?? '');
}

/** Property names of a user-defined object type (`type name = { … }`). */
export function typeProperties(tree: Parser.Tree, typeName: string): string[] {
  const declaration = tree.rootNode.descendantsOfType('type_declaration').find((d) => d.namedChildren[0]?.text === typeName);
  const object = declaration?.namedChildren.find((child) => child.type === 'object');
  return (object?.namedChildren ?? []).filter((child) => child.type === 'object_property').map((child) => child.namedChildren[0]?.text ?? '');
}

/** Paths that `module x '<path>'` and `import … from '<path>'` name, relative to the file. */
export function referencedFiles(tree: Parser.Tree): string[] {
  const nodes = [...tree.rootNode.descendantsOfType('module_declaration'), ...tree.rootNode.descendantsOfType('import_functionality')];
  return nodes.flatMap((node) => node.namedChildren.filter((child) => child.type === 'string').map((child) => child.text.slice(1, -1)));
}

export interface ParameterDeclaration {
  readonly name: string;
  readonly hasDefault: boolean;
}

export function parameterDeclarations(tree: Parser.Tree): ParameterDeclaration[] {
  return tree.rootNode.descendantsOfType('parameter_declaration').map((declaration) => ({
    name: declaration.namedChildren[0]?.text ?? '',
    hasDefault: declaration.namedChildren.length > 2, // name, type, default value
  }));
}
