import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type Parser from 'tree-sitter';
import { parseBicep, REPO } from './bicep';

/**
 * A small evaluator for the Bicep this project writes, over the tree-sitter parse: it expands a
 * template for given parameters the way ARM would at the start of a deployment (parameters,
 * variables, user-defined and imported functions, lambdas, loops, conditions, modules with their
 * scopes) and lists every resource it would deploy, with its name, id and evaluated body.
 *
 * It is no Bicep compiler: no type checks beyond the parameter decorators, and values only known
 * while deploying (a vault's URI, an identity's ids, a host name) are stood in by plausible values
 * or by `«symbol.path»` placeholders. uniqueString() and guid() are deterministic hashes of their
 * arguments with ARM's output shapes (13 base32 characters, a GUID), not ARM's exact algorithms.
 * An expression or function it does not know throws, so a template change it cannot follow fails
 * the tests instead of passing them unchecked.
 */

type Node = Parser.SyntaxNode;

export interface Scope {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly tenantId: string;
}

export const DEFAULT_SCOPE: Scope = {
  subscriptionId: '11111111-1111-1111-1111-111111111111',
  resourceGroup: 'rg-aoai-router',
  location: 'swedencentral',
  tenantId: '22222222-2222-2222-2222-222222222222',
};

export interface ResourceInstance {
  /** Symbol in its file, with the loop index: `secret[1]`. */
  readonly symbol: string;
  /** Repository-relative file that declares it. */
  readonly file: string;
  /** Name of the deployment (module) it belongs to: `main`, `main/key-vault`, … */
  readonly deployment: string;
  readonly type: string;
  readonly apiVersion: string;
  /** The `name` as written (a child resource: its own segment only). */
  readonly name: string;
  /** Full ARM name (`vault/secret` for a child). */
  readonly fullName: string;
  readonly id: string;
  readonly existing: boolean;
  /** False: its condition is false (or its module's), so it is not deployed. */
  readonly deployed: boolean;
  /** The evaluated declaration body (name, properties, …), placeholders as strings. */
  readonly body: Record<string, unknown>;
}

export interface DeploymentResult {
  readonly file: string;
  readonly name: string;
  readonly scope: Scope;
  readonly deployed: boolean;
  readonly params: Record<string, unknown>;
  readonly resources: ResourceInstance[];
  readonly modules: DeploymentResult[];
  readonly outputs: Record<string, unknown>;
}

export class BicepEvalError extends Error {
  override readonly name = 'BicepEvalError';
}

// ---------------------------------------------------------------------------------------------
// Values

class Lambda {
  constructor(
    readonly params: string[],
    readonly body: Node,
    readonly env: Env,
    /** Member and subscript nodes the parse put outside the lambda (see evaluate). */
    readonly postfix: readonly Node[] = [],
  ) {}
}

/** A value ARM knows only while deploying: `«vault.properties.x»`. */
class Pending {
  constructor(readonly path: string) {}
  toString(): string {
    return `«${this.path}»`;
  }
}

class Resource {
  constructor(
    readonly instance: ResourceInstance,
    readonly location: unknown,
  ) {}
}

class ModuleRef {
  constructor(
    readonly symbol: string,
    readonly result: DeploymentResult,
  ) {}
}

/** A disabled (condition false) resource or module: dereferencing it fails, as in ARM. */
class Disabled {
  constructor(readonly symbol: string) {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function fail(node: Node | undefined, message: string): never {
  const where = node === undefined ? '' : ` (line ${node.startPosition.row + 1}: ${node.text.slice(0, 60)})`;
  throw new BicepEvalError(`${message}${where}`);
}

function hash(parts: readonly unknown[]): Buffer {
  return createHash('sha256').update(JSON.stringify(parts.map(toText))).digest();
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function uniqueString(parts: readonly unknown[]): string {
  const bytes = hash(parts);
  return Array.from({ length: 13 }, (_, i) => BASE32[(bytes[i] ?? 0) % 32]).join('');
}

function guid(parts: readonly unknown[]): string {
  const hex = hash(parts).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** ARM's string(): strings as they are, booleans True/False, objects and arrays as JSON. */
function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null) return '';
  if (value instanceof Pending) return value.toString();
  if (value instanceof Resource || value instanceof ModuleRef || value instanceof Lambda || value instanceof Disabled) {
    throw new BicepEvalError(`cannot turn a ${value.constructor.name} into a string`);
  }
  return JSON.stringify(materialize(value));
}

/** Pending values become their placeholder strings; resources, modules and lambdas are errors. */
export function materialize(value: unknown): unknown {
  if (value instanceof Pending) return value.toString();
  if (Array.isArray(value)) return value.map(materialize);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, materialize(v)]));
  if (value instanceof Resource || value instanceof ModuleRef || value instanceof Lambda || value instanceof Disabled) {
    throw new BicepEvalError(`a ${value.constructor.name} cannot be a value here`);
  }
  return value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(materialize(a)) === JSON.stringify(materialize(b));
}

/** ARM union(): arrays keep the first placement of each value; objects merge, nested objects recursively. */
function union(values: unknown[]): unknown {
  if (values.every(Array.isArray)) {
    const out: unknown[] = [];
    for (const value of (values as unknown[][]).flat()) if (!out.some((seen) => deepEqual(seen, value))) out.push(value);
    return out;
  }
  if (values.every(isObject)) return values.reduce(mergeObjects, {});
  throw new BicepEvalError('union() takes arrays or objects, not a mix');
}

function mergeObjects(left: Record<string, unknown>, right: Record<string, unknown>): Record<string, unknown> {
  const out = { ...left };
  for (const [key, value] of Object.entries(right)) {
    const before = out[key];
    out[key] = isObject(before) && isObject(value) ? mergeObjects(before, value) : value;
  }
  return out;
}

function property(target: unknown, key: string, safe: boolean, node: Node): unknown {
  if (target === null || target === undefined) {
    if (safe) return null;
    fail(node, `reading "${key}" of null`);
  }
  if (target instanceof Disabled) fail(node, `"${target.symbol}" is not deployed (its condition is false), so "${key}" cannot be read`);
  if (target instanceof Pending) return new Pending(`${target.path}.${key}`);
  if (target instanceof ModuleRef) {
    if (key === 'outputs') return target.result.outputs;
    if (key === 'name') return target.result.name.split('/').pop();
    fail(node, `modules have outputs and name, not "${key}"`);
  }
  if (target instanceof Resource) return resourceProperty(target, key);
  if (isObject(target)) {
    if (key in target) return target[key];
    const found = Object.keys(target).find((k) => k.toLowerCase() === key.toLowerCase()); // ARM property names ignore case
    if (found !== undefined) return target[found];
    if (safe) return null;
    fail(node, `no property "${key}" (has ${Object.keys(target).join(', ')})`);
  }
  fail(node, `reading "${key}" of ${Array.isArray(target) ? 'an array' : typeof target}`);
}

/** Values ARM knows only while deploying, in the shape Azure gives them (public cloud). */
function runtimeValue(resource: Resource, path: string): unknown {
  const { type, fullName, id } = resource.instance;
  const known: Record<string, Record<string, () => unknown>> = {
    'microsoft.keyvault/vaults': { 'properties.vaultUri': () => `https://${fullName}.vault.azure.net/` },
    'microsoft.web/sites': { 'properties.defaultHostName': () => `${fullName}.azurewebsites.net` },
    'microsoft.storage/storageaccounts': {
      'properties.primaryEndpoints': () => ({
        blob: `https://${fullName}.blob.core.windows.net/`,
        queue: `https://${fullName}.queue.core.windows.net/`,
        table: `https://${fullName}.table.core.windows.net/`,
      }),
    },
    'microsoft.managedidentity/userassignedidentities': {
      'properties.clientId': () => guid([id, 'clientId']),
      'properties.principalId': () => guid([id, 'principalId']),
    },
    'microsoft.insights/components': {
      'properties.ConnectionString': () =>
        `InstrumentationKey=${guid([id, 'ikey'])};IngestionEndpoint=https://${toText(resource.location)}.in.applicationinsights.azure.com/`,
    },
  };
  const make = known[type.toLowerCase()]?.[path];
  return make === undefined ? new Pending(`${resource.instance.symbol}.${path}`) : make();
}

function resourceProperty(resource: Resource, key: string): unknown {
  const { instance } = resource;
  switch (key) {
    case 'id':
      return instance.id;
    case 'name':
      return instance.name;
    case 'type':
      return instance.type;
    case 'apiVersion':
      return instance.apiVersion;
    case 'location':
      return resource.location;
    case 'properties':
      return new RuntimeObject(resource, 'properties');
    default:
      return runtimeValue(resource, key);
  }
}

/** `resource.properties…`: walks on until a known runtime value or a placeholder. */
class RuntimeObject extends Pending {
  constructor(
    readonly resource: Resource,
    path: string,
  ) {
    super(`${resource.instance.symbol}.${path}`);
    this.relative = path;
  }
  readonly relative: string;
}

function runtimeProperty(target: RuntimeObject, key: string): unknown {
  const path = `${target.relative}.${key}`;
  const value = runtimeValue(target.resource, path);
  return value instanceof Pending ? new RuntimeObject(target.resource, path) : value;
}

// ---------------------------------------------------------------------------------------------
// Files and environments

interface Declaration {
  readonly kind: 'param' | 'var' | 'resource' | 'module' | 'output' | 'func' | 'type' | 'import' | 'targetScope' | 'metadata';
  readonly name: string;
  readonly node: Node;
  readonly decorators: Node[];
}

interface BicepFile {
  readonly path: string;
  readonly declarations: Declaration[];
  /** User-defined functions of the file and the ones it imports, by name. */
  readonly functions: Map<string, { node: Node; file: BicepFile }>;
}

const files = new Map<string, BicepFile>();

function loadFile(path: string): BicepFile {
  const cached = files.get(path);
  if (cached !== undefined) return cached;
  const tree = parseBicep(path);
  const declarations: Declaration[] = [];
  let pending: Node[] = [];
  const kinds: Record<string, Declaration['kind']> = {
    parameter_declaration: 'param',
    variable_declaration: 'var',
    resource_declaration: 'resource',
    module_declaration: 'module',
    output_declaration: 'output',
    user_defined_function: 'func',
    type_declaration: 'type',
    import_functionality: 'import',
    target_scope_assignment: 'targetScope',
    metadata_declaration: 'metadata',
  };
  for (const child of tree.rootNode.namedChildren) {
    if (child.type === 'comment' || child.type === 'diagnostic_comment') continue;
    if (child.type === 'decorators') {
      pending = child.namedChildren.filter((d) => d.type === 'decorator');
      continue;
    }
    const kind = kinds[child.type];
    if (kind === undefined) fail(child, `unsupported top-level ${child.type}`);
    const name = kind === 'func' ? (child.childForFieldName('name')?.text ?? '') : (child.namedChildren.find((c) => c.type === 'identifier')?.text ?? '');
    declarations.push({ kind, name, node: child, decorators: pending });
    pending = [];
  }
  const file: BicepFile = { path, declarations, functions: new Map() };
  files.set(path, file);
  for (const d of declarations) {
    if (d.kind === 'func') file.functions.set(d.name, { node: d.node, file });
    if (d.kind === 'import') {
      const from = d.node.namedChildren.find((c) => c.type === 'string');
      if (from === undefined) fail(d.node, 'import without a file');
      const imported = loadFile(join(dirname(path), from.text.slice(1, -1)));
      for (const id of d.node.namedChildren.filter((c) => c.type === 'identifier')) {
        const fn = imported.functions.get(id.text);
        if (fn !== undefined) file.functions.set(id.text, fn);
      }
    }
  }
  return file;
}

interface Env {
  readonly locals: ReadonlyMap<string, unknown>;
  readonly context: Context;
  /** False inside a user-defined function: it sees its parameters only. */
  readonly seesSymbols: boolean;
  readonly file: BicepFile;
}

interface SymbolEntry {
  readonly declaration: Declaration;
  state: 'new' | 'busy' | 'done';
  value?: unknown;
}

class Context {
  readonly symbols = new Map<string, SymbolEntry>();
  readonly resources: ResourceInstance[] = [];
  readonly modules: DeploymentResult[] = [];
  readonly params: Record<string, unknown> = {};

  constructor(
    readonly file: BicepFile,
    readonly scope: Scope,
    readonly deploymentName: string,
    readonly given: Readonly<Record<string, unknown>>,
  ) {
    for (const d of file.declarations) {
      if (['param', 'var', 'resource', 'module'].includes(d.kind)) this.symbols.set(d.name, { declaration: d, state: 'new' });
    }
    const declared = new Set(file.declarations.filter((d) => d.kind === 'param').map((d) => d.name));
    const unknown = Object.keys(given).filter((name) => !declared.has(name));
    if (unknown.length > 0) throw new BicepEvalError(`${relative(REPO, file.path)}: parameters not declared: ${unknown.join(', ')}`);
  }

  get env(): Env {
    return { locals: new Map(), context: this, seesSymbols: true, file: this.file };
  }

  lookup(name: string, node: Node): unknown {
    const symbol = this.symbols.get(name);
    if (symbol === undefined) fail(node, `unknown symbol "${name}"`);
    if (symbol.state === 'done') return symbol.value;
    if (symbol.state === 'busy') fail(node, `"${name}" depends on itself`);
    symbol.state = 'busy';
    symbol.value = this.evaluateDeclaration(symbol.declaration);
    symbol.state = 'done';
    return symbol.value;
  }

  private evaluateDeclaration(d: Declaration): unknown {
    switch (d.kind) {
      case 'param':
        return this.evaluateParam(d);
      case 'var':
        return evaluate(lastNamed(d.node), this.env);
      case 'resource':
        return declareResources(d, this);
      case 'module':
        return declareModules(d, this);
      default:
        fail(d.node, `cannot evaluate a ${d.kind}`);
    }
  }

  private evaluateParam(d: Declaration): unknown {
    const [, type, fallback] = d.node.namedChildren;
    let value: unknown;
    if (d.name in this.given) value = this.given[d.name];
    else if (fallback !== undefined) value = evaluate(fallback, this.env);
    else throw new BicepEvalError(`${relative(REPO, this.file.path)}: parameter "${d.name}" has no value and no default`);
    checkParam(d, type, value, this.env);
    this.params[d.name] = materialize(value);
    return value;
  }
}

function lastNamed(node: Node): Node {
  const last = node.namedChildren.filter((c) => c.type !== 'comment').at(-1);
  if (last === undefined) fail(node, 'empty declaration');
  return last;
}

function decoratorCall(decorator: Node): { name: string; args: Node[] } {
  const call = decorator.namedChildren[0];
  if (call?.type !== 'call_expression') return { name: call?.text ?? '', args: [] };
  return { name: call.childForFieldName('function')?.text ?? '', args: call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [] };
}

function checkParam(d: Declaration, type: Node | undefined, value: unknown, env: Env): void {
  const where = `parameter "${d.name}"`;
  const primitive = type?.namedChildren[0]?.type === 'primitive_type' ? type.text : undefined;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'number' ? 'int' : typeof value === 'boolean' ? 'bool' : typeof value === 'string' ? 'string' : 'object';
  if (primitive !== undefined && primitive !== actual && !(value instanceof Pending)) throw new BicepEvalError(`${where}: expected ${primitive}, got ${actual}`);
  if (type?.namedChildren[0]?.type === 'array_type' && !Array.isArray(value)) throw new BicepEvalError(`${where}: expected an array`);
  for (const decorator of d.decorators) {
    const { name, args } = decoratorCall(decorator);
    const arg = args[0] === undefined ? undefined : evaluate(args[0], env);
    const size = typeof value === 'string' || Array.isArray(value) ? value.length : undefined;
    if (name === 'minLength' && size !== undefined && size < Number(arg)) throw new BicepEvalError(`${where}: shorter than @minLength(${toText(arg)})`);
    if (name === 'maxLength' && size !== undefined && size > Number(arg)) throw new BicepEvalError(`${where}: longer than @maxLength(${toText(arg)})`);
    if (name === 'minValue' && typeof value === 'number' && value < Number(arg)) throw new BicepEvalError(`${where}: below @minValue(${toText(arg)})`);
    if (name === 'maxValue' && typeof value === 'number' && value > Number(arg)) throw new BicepEvalError(`${where}: above @maxValue(${toText(arg)})`);
    if (name === 'allowed' && Array.isArray(arg) && !arg.some((allowed) => deepEqual(allowed, value))) throw new BicepEvalError(`${where}: not one of @allowed`);
  }
}

// ---------------------------------------------------------------------------------------------
// Resources and modules

/** The body of a declaration, with its loop and condition: `[for (x, i) in list: if (c) { … }]`. */
function expandBody(node: Node, env: Env): { body: Node; env: Env; condition: boolean; index: number | undefined }[] {
  const shape = node.namedChildren.filter((c) => c.type !== 'comment').at(-1);
  if (shape === undefined) fail(node, 'declaration without a body');
  const single = (body: Node, at: Env, index: number | undefined) => {
    if (body.type === 'if_statement') {
      const [test, inner] = body.namedChildren;
      if (test === undefined || inner === undefined) fail(body, 'bad if');
      return { body: inner, env: at, condition: truthy(evaluate(test, at), test), index };
    }
    return { body, env: at, condition: true, index };
  };
  if (shape.type !== 'for_statement') return [single(shape, env, undefined)];
  const loop = forLoop(shape, env);
  return loop.items.map((item, i) => single(loop.body, withLocals(env, loop.bind(item, i)), i));
}

function forLoop(node: Node, env: Env): { items: unknown[]; body: Node; bind: (item: unknown, i: number) => Map<string, unknown> } {
  const body = node.childForFieldName('body');
  if (body === undefined || body === null) fail(node, 'for without a body');
  const parameters = node.namedChildren.find((c) => c.type === 'for_loop_parameters');
  const initializer = node.childForFieldName('initializer');
  let item: string | undefined;
  let index: string | undefined;
  if (parameters !== undefined) {
    item = parameters.namedChildren.find((c) => c.type === 'loop_variable')?.text;
    index = parameters.namedChildren.find((c) => c.type === 'loop_enumerator')?.text;
  } else item = initializer?.text;
  const source = node.namedChildren.filter((c) => c.type !== 'comment' && c.id !== body.id && c.id !== parameters?.id && c.id !== initializer?.id)[0];
  if (source === undefined || item === undefined) fail(node, 'unsupported for loop');
  const items = evaluate(source, env);
  if (!Array.isArray(items)) fail(source, 'for loops go over arrays');
  return {
    items,
    body,
    bind: (value, i) =>
      new Map<string, unknown>([
        [item, value],
        ...(index === undefined ? [] : ([[index, i]] as [string, unknown][])),
      ]),
  };
}

function objectBody(node: Node, env: Env): Map<string, Node> {
  if (node.type !== 'object') fail(node, 'expected an object body');
  const props = new Map<string, Node>();
  for (const prop of node.namedChildren.filter((c) => c.type === 'object_property')) {
    const [key, value] = prop.namedChildren;
    if (key === undefined || value === undefined) fail(prop, 'bad property');
    props.set(key.type === 'string' ? toText(evaluate(key, env)) : key.text, value);
  }
  if (node.namedChildren.some((c) => c.type === 'resource_declaration')) fail(node, 'nested resource declarations are not supported');
  return props;
}

function declareResources(d: Declaration, context: Context): unknown {
  const typeNode = d.node.namedChildren.find((c) => c.type === 'string');
  if (typeNode === undefined) fail(d.node, 'resource without a type');
  const [type = '', apiVersion = ''] = typeNode.text.slice(1, -1).split('@');
  const existing = d.node.children.some((c) => c.type === 'existing');
  const expanded = expandBody(d.node, context.env);
  const isLoop = expanded.length !== 1 || expanded[0]?.index !== undefined;
  const refs = expanded.map(({ body, env, condition, index }) => {
    const props = objectBody(body, env);
    const get = (key: string) => {
      const node = props.get(key);
      return node === undefined ? undefined : evaluate(node, env);
    };
    const name = toText(get('name'));
    const parent = get('parent');
    const scope = get('scope');
    if (parent !== undefined && !(parent instanceof Resource)) fail(body, 'parent must be a resource');
    const fullName = parent instanceof Resource ? `${parent.instance.fullName}/${name}` : name;
    const { subscriptionId, resourceGroup } = context.scope;
    let id: string;
    if (parent instanceof Resource) id = `${parent.instance.id}/${type.split('/').at(-1) ?? ''}/${name}`;
    else if (scope instanceof Resource) id = `${scope.instance.id}/providers/${type}/${name}`;
    else if (scope === undefined) id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
    else fail(body, 'unsupported resource scope');
    const deployed = condition && !existing;
    const evaluatedBody: Record<string, unknown> = {};
    for (const [key, node] of props) {
      if (key === 'parent' || key === 'scope' || key === 'dependsOn') continue;
      evaluatedBody[key] = deployed || key === 'name' ? materialize(evaluate(node, env)) : undefined;
    }
    const instance: ResourceInstance = {
      symbol: index === undefined ? d.name : `${d.name}[${index}]`,
      file: relative(REPO, context.file.path),
      deployment: context.deploymentName,
      type,
      apiVersion,
      name,
      fullName,
      id,
      existing,
      deployed,
      body: evaluatedBody,
    };
    context.resources.push(instance);
    return condition || existing ? new Resource(instance, get('location') ?? context.scope.location) : new Disabled(instance.symbol);
  });
  return isLoop ? refs : refs[0];
}

function declareModules(d: Declaration, context: Context): unknown {
  const pathNode = d.node.namedChildren.find((c) => c.type === 'string');
  if (pathNode === undefined) fail(d.node, 'module without a path');
  const path = join(dirname(context.file.path), pathNode.text.slice(1, -1));
  const expanded = expandBody(d.node, context.env);
  const isLoop = expanded.length !== 1 || expanded[0]?.index !== undefined;
  const refs = expanded.map(({ body, env, condition, index }) => {
    const props = objectBody(body, env);
    const get = (key: string) => {
      const node = props.get(key);
      return node === undefined ? undefined : evaluate(node, env);
    };
    const name = toText(get('name'));
    const scopeValue = get('scope');
    let scope = context.scope;
    if (scopeValue !== undefined) {
      if (!isObject(scopeValue) || typeof scopeValue.id !== 'string') fail(body, 'module scope must be a resource group');
      const [, , subscriptionId = '', , resourceGroup = ''] = scopeValue.id.split('/');
      scope = { ...context.scope, subscriptionId, resourceGroup, location: toText(scopeValue.location) };
    }
    const symbol = index === undefined ? d.name : `${d.name}[${index}]`;
    const deploymentName = `${context.deploymentName}/${name}`;
    if (!condition) {
      // ARM evaluates nothing of a disabled module but its name: its parameters may read disabled symbols.
      context.modules.push({ file: relative(REPO, path), name: deploymentName, scope, deployed: false, params: {}, resources: [], modules: [], outputs: {} });
      return new Disabled(symbol);
    }
    const params = get('params') ?? {};
    if (!isObject(params)) fail(body, 'module params must be an object');
    const result = deploy(path, params, { scope, name: deploymentName });
    context.modules.push(result);
    return new ModuleRef(symbol, result);
  });
  return isLoop ? refs : refs[0];
}

// ---------------------------------------------------------------------------------------------
// Expressions

function withLocals(env: Env, locals: ReadonlyMap<string, unknown>): Env {
  return { ...env, locals: new Map([...env.locals, ...locals]) };
}

function truthy(value: unknown, node: Node): boolean {
  if (typeof value !== 'boolean') fail(node, `expected a bool, got ${toText(value)}`);
  return value;
}

function tokens(node: Node): string[] {
  return node.children.filter((c) => !c.isNamed).map((c) => c.type);
}

/**
 * tree-sitter-bicep gives `.x` and `[i]` the lowest precedence at the end of an expression:
 * `!a.b` parses as `(!a).b`, `c ? x : y.z` as `(c ? x : y).z`, `(z) => z.key` as `((z) => z).key`.
 * Bicep binds them tightest. So a member or subscript chain is carried down to the rightmost
 * operand of an unparenthesized unary, binary, ternary or lambda, and applied there.
 */
const CARRIES_POSTFIX = new Set(['unary_expression', 'binary_expression', 'ternary_expression', 'lambda_expression', 'member_expression', 'subscript_expression']);

export function evaluate(node: Node, env: Env, chain: readonly Node[] = []): unknown {
  if (chain.length > 0 && !CARRIES_POSTFIX.has(node.type)) return chain.reduce((value, step) => applyPostfix(value, step, env), evaluate(node, env));
  switch (node.type) {
    case 'string':
      return evaluateString(node, env);
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'null':
      return null;
    case 'parenthesized_expression': {
      const inner = node.namedChildren.filter((c) => c.type !== 'comment');
      if (inner.length !== 1 || inner[0] === undefined) fail(node, 'unsupported parenthesized expression');
      return evaluate(inner[0], env);
    }
    case 'identifier':
      return identifier(node, env);
    case 'array':
      return arrayItems(node, env);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of objectBody(node, env)) out[key] = evaluate(value, env);
      return out;
    }
    case 'member_expression':
    case 'subscript_expression': {
      const objectNode = node.childForFieldName('object');
      if (objectNode === null) fail(node, 'bad member access');
      return evaluate(objectNode, env, [node, ...chain]);
    }
    case 'call_expression':
      return call(node, env);
    case 'lambda_expression': {
      const [head, body] = node.namedChildren;
      if (head === undefined || body === undefined || node.namedChildren.length !== 2) fail(node, 'unsupported lambda');
      const params = head.type === 'identifier' ? [head.text] : head.namedChildren.map((c) => c.text);
      return new Lambda(params, body, env, chain);
    }
    case 'ternary_expression': {
      const condition = node.childForFieldName('condition');
      const consequence = node.childForFieldName('consequence');
      const alternative = node.childForFieldName('alternative');
      if (condition === null || consequence === null || alternative === null) fail(node, 'bad ternary');
      return truthy(evaluate(condition, env), condition) ? evaluate(consequence, env) : evaluate(alternative, env, chain);
    }
    case 'unary_expression': {
      const argument = node.childForFieldName('argument');
      const operator = node.childForFieldName('operator')?.type;
      if (argument === null) fail(node, 'bad unary');
      const value = evaluate(argument, env, chain);
      if (operator === '!') return !truthy(value, argument);
      if (operator === '-' && typeof value === 'number') return -value;
      return fail(node, `unsupported unary ${operator}`);
    }
    case 'binary_expression':
      return binary(node, env, chain);
    case 'for_statement': {
      const loop = forLoop(node, env);
      return loop.items.flatMap((item, i) => {
        const at = withLocals(env, loop.bind(item, i));
        if (loop.body.type === 'if_statement') {
          const [test, inner] = loop.body.namedChildren;
          if (test === undefined || inner === undefined) fail(loop.body, 'bad if');
          return truthy(evaluate(test, at), test) ? [evaluate(inner, at)] : [];
        }
        return [evaluate(loop.body, at)];
      });
    }
    default:
      return fail(node, `unsupported expression ${node.type}`);
  }
}

/**
 * tree-sitter-bicep reads `[ a[0] ]` as two items, `a` and `[0]`, and the first call of a
 * multi-line array, `[ f(x) … ]`, as `f` and `(x)`. In Bicep each is one item: an item touching
 * the one before it (no space between) indexes it, or calls it.
 */
function arrayItems(node: Node, env: Env): unknown[] {
  const children = node.namedChildren.filter((c) => c.type !== 'comment');
  /** An item's innermost operand and the member/subscript steps around it, innermost first. */
  const split = (item: Node) => {
    const chain: Node[] = [];
    let base = item;
    for (let object = base.childForFieldName('object'); (base.type === 'member_expression' || base.type === 'subscript_expression') && object !== null; object = base.childForFieldName('object')) {
      chain.unshift(base);
      base = object;
    }
    return { base, chain };
  };
  const touches = (before: Node | undefined, after: Node) => before !== undefined && before.endIndex === after.startIndex;
  const items: unknown[] = [];
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as Node;
    const next = children[i + 1];
    if (child.type === 'identifier' && next !== undefined && split(next).base.type === 'parenthesized_expression' && touches(child, split(next).base)) continue; // a call: see below
    const { base, chain } = split(child);
    const before = children[i - 1];
    let value: unknown;
    if (base.type === 'parenthesized_expression' && before?.type === 'identifier' && touches(before, base)) {
      value = callNamed(before.text, base.namedChildren.filter((c) => c.type !== 'comment'), base, env);
    } else if (base.type === 'array' && touches(before, base)) {
      const [indexNode, ...rest] = base.namedChildren;
      if (indexNode === undefined || rest.length > 0) fail(base, 'unsupported subscript inside an array');
      const index = evaluate(indexNode, env);
      const target = items.pop();
      if (Array.isArray(target) && typeof index === 'number') value = target[index];
      else if (typeof index === 'string') value = property(target, index, false, base);
      else fail(base, 'unsupported subscript inside an array');
    } else {
      items.push(evaluate(child, env));
      continue;
    }
    items.push(chain.reduce((current, step) => applyPostfix(current, step, env), value));
  }
  return items;
}

function evaluateString(node: Node, env: Env): string {
  if (node.text.startsWith("'''")) return node.text.slice(3, -3);
  const escapes: Record<string, string> = { "\\'": "'", '\\\\': '\\', '\\n': '\n', '\\r': '\r', '\\t': '\t', '\\$': '$' };
  return node.namedChildren
    .map((part) => {
      if (part.type === 'string_content') return part.text;
      if (part.type === 'escape_sequence') return escapes[part.text] ?? fail(part, 'unsupported escape');
      if (part.type === 'interpolation') {
        const inner = part.namedChildren[0];
        if (inner === undefined) fail(part, 'empty interpolation');
        return toText(evaluate(inner, env));
      }
      return fail(part, `unsupported string part ${part.type}`);
    })
    .join('');
}

function identifier(node: Node, env: Env): unknown {
  const name = node.text;
  if (env.locals.has(name)) return env.locals.get(name);
  if (!env.seesSymbols) fail(node, `"${name}" is not a parameter of this function`);
  return env.context.lookup(name, node);
}

function applyPostfix(target: unknown, node: Node, env: Env): unknown {
  if (node.type === 'member_expression') {
    const key = node.childForFieldName('property')?.text;
    if (key === undefined) fail(node, 'bad member access');
    const ops = tokens(node);
    if (ops.includes('!') && (target === null || target instanceof Disabled)) fail(node, 'non-null assertion on a null value');
    if (target instanceof RuntimeObject) return runtimeProperty(target, key);
    return property(target, key, ops.includes('.?'), node);
  }
  const indexNode = node.childForFieldName('index');
  if (indexNode === null) fail(node, 'bad subscript');
  const index = evaluate(indexNode, env);
  const safe = tokens(node).includes('[?');
  if (Array.isArray(target)) {
    if (typeof index !== 'number') fail(node, 'arrays are indexed by numbers');
    if (index < 0 || index >= target.length) return safe ? null : fail(node, `index ${index} out of range (${target.length})`);
    return target[index];
  }
  if (typeof index === 'string') return property(target, index, safe, node);
  return fail(node, 'unsupported subscript');
}

function binary(node: Node, env: Env, chain: readonly Node[]): unknown {
  const leftNode = node.childForFieldName('left');
  const rightNode = node.childForFieldName('right');
  const operator = node.childForFieldName('operator')?.type;
  if (leftNode === null || rightNode === null || operator === undefined) fail(node, 'bad binary expression');
  const left = evaluate(leftNode, env);
  if (operator === '&&') return truthy(left, leftNode) && truthy(evaluate(rightNode, env, chain), rightNode);
  if (operator === '||') return truthy(left, leftNode) || truthy(evaluate(rightNode, env, chain), rightNode);
  if (operator === '??') return left ?? evaluate(rightNode, env, chain);
  const right = evaluate(rightNode, env, chain);
  switch (operator) {
    case '==':
      return deepEqual(left, right);
    case '!=':
      return !deepEqual(left, right);
    case '=~':
      return toText(left).toLowerCase() === toText(right).toLowerCase();
    case '!~':
      return toText(left).toLowerCase() !== toText(right).toLowerCase();
  }
  if (typeof left !== 'number' || typeof right !== 'number') fail(node, `${operator} needs numbers`);
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return Math.trunc(left / right);
    case '%':
      return left % right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
  return fail(node, `unsupported operator ${operator}`);
}

function callLambda(fn: unknown, args: unknown[], node: Node): unknown {
  if (!(fn instanceof Lambda)) fail(node, 'expected a lambda');
  return evaluate(fn.body, withLocals(fn.env, new Map(fn.params.map((p, i) => [p, args[i]]))), fn.postfix);
}

function asArray(value: unknown, node: Node): unknown[] {
  if (!Array.isArray(value)) fail(node, 'expected an array');
  return value;
}

function asString(value: unknown, node: Node): string {
  if (typeof value !== 'string') fail(node, `expected a string, got ${JSON.stringify(materialize(value))}`);
  return value;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** resourceId([subscriptionId], [resourceGroupName], type, name…) and subscriptionResourceId([subscriptionId], type, name…). */
function resourceIdFrom(args: unknown[], scope: Scope, node: Node, subscriptionLevel: boolean): string {
  const texts = args.map((a) => asString(a, node));
  const at = texts.findIndex((t) => /^[A-Za-z0-9]+\.[A-Za-z0-9.]+\/[A-Za-z0-9/]+$/.test(t));
  if (at < 0) fail(node, 'no resource type');
  const before = texts.slice(0, at);
  let subscriptionId = scope.subscriptionId;
  let resourceGroup = scope.resourceGroup;
  if (subscriptionLevel && before.length === 1) subscriptionId = before[0] ?? '';
  else if (!subscriptionLevel && before.length === 1) resourceGroup = before[0] ?? '';
  else if (!subscriptionLevel && before.length === 2) [subscriptionId = '', resourceGroup = ''] = before;
  else if (before.length > 0) fail(node, 'too many arguments before the resource type');
  const [namespace = '', ...types] = (texts[at] ?? '').split('/');
  const names = texts.slice(at + 1);
  if (names.length !== types.length) fail(node, 'resource id: one name per type segment');
  const tail = types.map((t, i) => `${t}/${names[i] ?? ''}`).join('/');
  const base = subscriptionLevel ? `/subscriptions/${subscriptionId}` : `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  return `${base}/providers/${namespace}/${tail}`;
}

const ENVIRONMENT = {
  name: 'AzureCloud',
  resourceManager: 'https://management.azure.com/',
  authentication: { loginEndpoint: 'https://login.microsoftonline.com/' },
  suffixes: { storage: 'core.windows.net', keyvaultDns: '.vault.azure.net', sqlServerHostname: '.database.windows.net', acrLoginServer: '.azurecr.io' },
};

function call(node: Node, env: Env): unknown {
  const fnNode = node.childForFieldName('function');
  const argNodes = (node.childForFieldName('arguments')?.namedChildren ?? []).filter((c) => c.type !== 'comment');
  if (fnNode === null) fail(node, 'bad call');
  const name = fnNode.type === 'member_expression' ? (fnNode.childForFieldName('property')?.text ?? '') : fnNode.text;
  return callNamed(name, argNodes, node, env);
}

function callNamed(name: string, argNodes: readonly Node[], node: Node, env: Env): unknown {
  const userFn = env.file.functions.get(name);
  const args = argNodes.map((a) => evaluate(a, env));
  if (userFn !== undefined) {
    const params = (userFn.node.namedChildren.find((p) => p.type === 'parameters')?.namedChildren ?? []).filter((p) => p.type === 'parameter').map((p) => p.namedChildren[0]?.text ?? '');
    const body = lastNamed(userFn.node);
    const fnEnv: Env = { locals: new Map(params.map((p, i) => [p, args[i]])), context: env.context, seesSymbols: false, file: userFn.file };
    return evaluate(body, fnEnv);
  }
  const [a, b, c] = args;
  const scope = env.context.scope;
  switch (name) {
    case 'resourceGroup':
      if (args.length === 0) return { id: `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}`, name: scope.resourceGroup, location: scope.location };
      {
        const [subscriptionId, groupName] = args.length === 1 ? [scope.subscriptionId, asString(a, node)] : [asString(a, node), asString(b, node)];
        const same = subscriptionId === scope.subscriptionId && groupName.toLowerCase() === scope.resourceGroup.toLowerCase();
        return { id: `/subscriptions/${subscriptionId}/resourceGroups/${groupName}`, name: groupName, location: same ? scope.location : new Pending(`resourceGroup(${groupName}).location`) };
      }
    case 'subscription':
      return { id: `/subscriptions/${scope.subscriptionId}`, subscriptionId: scope.subscriptionId, tenantId: scope.tenantId };
    case 'environment':
      return ENVIRONMENT;
    case 'uniqueString':
      return uniqueString(args);
    case 'guid':
      return guid(args);
    case 'resourceId':
      return resourceIdFrom(args, scope, node, false);
    case 'subscriptionResourceId':
      return resourceIdFrom(args, scope, node, true);
    case 'take':
    case 'skip': {
      const count = Math.max(0, Number(b));
      if (typeof a === 'string' || Array.isArray(a)) return name === 'take' ? a.slice(0, count) : a.slice(count);
      return fail(node, `${name}() takes a string or an array`);
    }
    case 'length':
      if (typeof a === 'string' || Array.isArray(a)) return a.length;
      if (isObject(a)) return Object.keys(a).length;
      return fail(node, 'length() of what?');
    case 'empty':
      return isEmpty(a);
    case 'union':
      return union(args);
    case 'concat':
      return args.every(Array.isArray) ? args.flat() : args.map(toText).join('');
    case 'contains':
      if (typeof a === 'string') return a.includes(asString(b, node));
      if (Array.isArray(a)) return a.some((x) => deepEqual(x, b));
      if (isObject(a)) return Object.keys(a).some((k) => k.toLowerCase() === asString(b, node).toLowerCase());
      return fail(node, 'contains() of what?');
    case 'first':
      return typeof a === 'string' ? a.slice(0, 1) : (asArray(a, node)[0] ?? null);
    case 'last':
      return typeof a === 'string' ? a.slice(-1) : (asArray(a, node).at(-1) ?? null);
    case 'split': {
      const delimiters = Array.isArray(b) ? b.map((d) => asString(d, node)) : [asString(b, node)];
      return delimiters.reduce<string[]>((parts, d) => parts.flatMap((p) => p.split(d)), [asString(a, node)]);
    }
    case 'join':
      return asArray(a, node).map(toText).join(asString(b, node));
    case 'replace':
      return asString(a, node).split(asString(b, node)).join(asString(c, node));
    case 'toLower':
      return asString(a, node).toLowerCase();
    case 'toUpper':
      return asString(a, node).toUpperCase();
    case 'startsWith':
      return asString(a, node).toLowerCase().startsWith(asString(b, node).toLowerCase()); // ARM: case-insensitive
    case 'endsWith':
      return asString(a, node).toLowerCase().endsWith(asString(b, node).toLowerCase());
    case 'string':
      return toText(a);
    case 'int':
      return typeof a === 'number' ? a : Number.parseInt(asString(a, node), 10);
    case 'bool':
      return typeof a === 'boolean' ? a : asString(a, node).toLowerCase() === 'true';
    case 'range':
      return Array.from({ length: Number(b) }, (_, i) => Number(a) + i);
    case 'map':
      return asArray(a, node).map((item, i) => callLambda(b, [item, i], node));
    case 'filter':
      return asArray(a, node).filter((item, i) => truthy(callLambda(b, [item, i], node), node));
    case 'reduce':
      return asArray(a, node).reduce((acc: unknown, item, i) => callLambda(c, [acc, item, i], node), b);
    case 'toObject':
      return Object.fromEntries(asArray(a, node).map((item) => [toText(callLambda(b, [item], node)), c === undefined ? item : callLambda(c, [item], node)]));
    case 'items':
      if (!isObject(a)) fail(node, 'items() of an object');
      return Object.keys(a)
        .sort((x, y) => x.localeCompare(y, 'en', { sensitivity: 'base' }))
        .map((key) => ({ key, value: a[key] }));
    case 'loadTextContent':
      return readFileSync(join(dirname(env.file.path), asString(a, node)), 'utf8'); // compile time, relative to the file
    default:
      return fail(node, `unsupported function ${name}()`);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Expands `file` (absolute, or relative to the repository) for `params`, as a deployment to
 * `scope` would. Throws BicepEvalError for a parameter ARM would refuse (unknown, missing, out of
 * its decorators' bounds) or an expression this evaluator does not follow.
 */
export function deploy(file: string, params: Readonly<Record<string, unknown>>, options: { scope?: Scope; name?: string } = {}): DeploymentResult {
  const path = file.startsWith('/') ? file : join(REPO, file);
  const context = new Context(loadFile(path), options.scope ?? DEFAULT_SCOPE, options.name ?? 'main', params);
  const declarations = context.file.declarations;
  for (const d of declarations) if (['param', 'resource', 'module', 'var'].includes(d.kind)) context.lookup(d.name, d.node);
  const outputs: Record<string, unknown> = {};
  for (const d of declarations.filter((x) => x.kind === 'output')) outputs[d.name] = materialize(evaluate(lastNamed(d.node), context.env));
  return {
    file: relative(REPO, path),
    name: context.deploymentName,
    scope: context.scope,
    deployed: true,
    params: context.params,
    resources: context.resources,
    modules: context.modules,
    outputs,
  };
}

/** Every resource of the deployment and its modules, deployed or not. */
export function allResources(result: DeploymentResult): ResourceInstance[] {
  return [...result.resources, ...result.modules.flatMap(allResources)];
}

/** Every nested deployment (module instance), with the scope it deploys into. */
export function allModules(result: DeploymentResult): DeploymentResult[] {
  return result.modules.flatMap((m) => [m, ...allModules(m)]);
}
