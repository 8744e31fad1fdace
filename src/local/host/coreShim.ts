// Stands in for `@azure/functions-core`, the module the real Functions worker injects. The
// `@azure/functions` library `require`s it lazily at the first `app.*` call and hands it every
// registration (metadata + handler). Supplying it ourselves lets the local host serve exactly the
// files Azure runs, with the metadata the library really generates, and nothing registered twice.
import Module from 'node:module';
import { format } from 'node:util';

export const CORE_MODULE_ID = '@azure/functions-core';

/** One binding as `toCoreFunctionMetadata` writes it (only the fields the host reads are typed). */
export interface BindingMetadata {
  type: string;
  direction?: string;
  name?: string;
  route?: string;
  methods?: string[];
  schedule?: string;
  runOnStartup?: boolean;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingMetadata>;
  retryOptions?: unknown;
}

export type FunctionHandler = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface Registration {
  name: string;
  metadata: FunctionMetadata;
  handler: FunctionHandler;
  /** The binding whose type ends in `Trigger` (exactly one per function). */
  trigger: BindingMetadata & { name: string };
}

export interface Disposable {
  dispose(): void;
}

export type CoreLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

/** What the host side keeps: every live registration and hook, in registration order. */
export interface CoreRegistry {
  readonly functions: Registration[];
  readonly hooks: Map<string, Set<HookCallback>>;
  programmingModel: unknown;
  /** Where `core.log` (library system messages) goes; replaced by the host at start. */
  systemLog: (level: CoreLogLevel, message: string) => void;
}

const registry: CoreRegistry = {
  functions: [],
  hooks: new Map(),
  programmingModel: undefined,
  systemLog: (level, message) => {
    // Debug chatter ("HTTP streaming enabled.") is noise locally; warnings and errors are not.
    if (level === 'warning' || level === 'error' || level === 'critical') console.warn(`[functions] ${message}`);
  },
};

export function getCoreRegistry(): CoreRegistry {
  return registry;
}

function findTrigger(metadata: FunctionMetadata): BindingMetadata & { name: string } {
  for (const [name, binding] of Object.entries(metadata.bindings)) {
    if (typeof binding.type === 'string' && binding.type.toLowerCase().endsWith('trigger')) {
      return { ...binding, name };
    }
  }
  throw new Error(`Function "${metadata.name}" has no trigger binding.`);
}

function registerFunction(metadata: FunctionMetadata, handler: FunctionHandler): Disposable {
  if (registry.functions.some((r) => r.name.toLowerCase() === metadata.name.toLowerCase())) {
    // The real host refuses duplicate names too; a silent overwrite would hide a bug.
    throw new Error(`A function named "${metadata.name}" is already registered.`);
  }
  const registration: Registration = { name: metadata.name, metadata, handler, trigger: findTrigger(metadata) };
  registry.functions.push(registration);
  return {
    dispose: () => {
      const at = registry.functions.indexOf(registration);
      if (at >= 0) registry.functions.splice(at, 1);
    },
  };
}

function registerHook(hookName: string, callback: HookCallback): Disposable {
  let set = registry.hooks.get(hookName);
  if (!set) registry.hooks.set(hookName, (set = new Set()));
  set.add(callback);
  return { dispose: () => set.delete(callback) };
}

/** The object `require('@azure/functions-core')` returns while the shim is installed. */
export const coreApi = {
  version: '4.0.0-local',
  hostVersion: '4.1000.0-local',
  setProgrammingModel(model: unknown): void {
    registry.programmingModel = model;
  },
  getProgrammingModel(): unknown {
    return registry.programmingModel;
  },
  registerFunction,
  registerHook,
  // Its mere presence is how `app.setup({ enableHttpStream: true })` recognises a host ≥ 4.28.
  log(level: CoreLogLevel, _category: string, ...args: unknown[]): void {
    registry.systemLog(level, format(...args));
  },
  Disposable: class {
    constructor(private readonly callback: () => void) {}
    dispose(): void {
      this.callback();
    }
  },
};

let installed = false;

/**
 * Makes `require('@azure/functions-core')` return {@link coreApi}. Must run before the first
 * `app.*` call of the process: the library caches the lookup, and a miss switches it to "test
 * mode" for good. Idempotent.
 */
export function installCoreShim(): CoreRegistry {
  if (installed) return registry;
  const proto = Module.prototype as { require: (this: unknown, id: string) => unknown };
  const original = proto.require;
  proto.require = function requireWithCoreShim(this: unknown, id: string): unknown {
    return id === CORE_MODULE_ID ? coreApi : original.call(this, id);
  };
  installed = true;
  return registry;
}
