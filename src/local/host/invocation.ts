// What every invocation needs, whatever the trigger: an InvocationContext shaped like the one
// the worker builds (`InvocationModel.getArguments`), a log handler that tags lines with the
// function name, and the pre/post invocation hooks. Everything derivable from the registration
// is computed once per function, so an invocation only allocates what the worker would.
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { EffectiveFunctionOptions, FunctionOutput, InvocationContext, LogHandler, LogLevel } from '@azure/functions';
import { getCoreRegistry, type FunctionHandler, type HookCallback, type Registration } from './coreShim';

export type FunctionsLibrary = typeof import('@azure/functions');

/** Where the host writes; `console` by default. */
export interface HostLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { trace: 0, debug: 1, information: 2, warning: 3, error: 4, critical: 5, none: 6 };

/** `LOCAL_HOST_LOG_LEVEL` (trace … none); `information` by default, as host.json's default. */
export function minimumLogLevel(env: NodeJS.ProcessEnv): number {
  const wanted = env.LOCAL_HOST_LOG_LEVEL?.toLowerCase() as LogLevel | undefined;
  return wanted !== undefined && wanted in LEVEL_RANK ? LEVEL_RANK[wanted] : LEVEL_RANK.information;
}

export function createLogHandler(functionName: string, logger: HostLogger, minimum: number): LogHandler {
  return (level, ...args) => {
    const rank = LEVEL_RANK[level] ?? LEVEL_RANK.information;
    if (rank < minimum) return;
    const line = `[${new Date().toISOString()}] ${functionName}: ${format(...args)}`;
    if (rank >= LEVEL_RANK.error) logger.error(line);
    else if (rank === LEVEL_RANK.warning) logger.warn(line);
    else logger.log(line);
  };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export interface HostedFunction {
  name: string;
  registration: Registration;
  /** `context.options`, as `fromRpcBindings` derives it from the metadata. */
  options: EffectiveFunctionOptions;
  logHandler: LogHandler;
}

/** Mirrors the worker's `fromRpcBindings`: trigger, `$return`, extra inputs and outputs. */
export function effectiveOptions(registration: Registration): EffectiveFunctionOptions {
  const options: EffectiveFunctionOptions = { trigger: registration.trigger, extraInputs: [], extraOutputs: [] };
  for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
    const withName = { ...binding, name } as FunctionOutput;
    if (name === registration.trigger.name) continue;
    if (name === '$return') options.return = withName;
    else if (binding.direction === 'in') options.extraInputs.push(withName);
    else if (binding.direction === 'out') options.extraOutputs.push(withName);
  }
  return options;
}

export function hostFunction(registration: Registration, logger: HostLogger, minimumLevel: number): HostedFunction {
  return {
    name: registration.name,
    registration,
    options: effectiveOptions(registration),
    logHandler: createLogHandler(registration.name, logger, minimumLevel),
  };
}

export function createContext(lib: FunctionsLibrary, fn: HostedFunction): InvocationContext {
  return new lib.InvocationContext({
    invocationId: randomUUID(),
    functionName: fn.name,
    logHandler: fn.logHandler,
    options: fn.options,
  });
}

function hooksOf(name: string): Set<HookCallback> | undefined {
  const set = getCoreRegistry().hooks.get(name);
  return set && set.size > 0 ? set : undefined;
}

/** Shared by every hook of the app, like the worker's `appHookData`. */
const appHookData: Record<string, unknown> = {};

export async function runAppHooks(name: 'appStart' | 'appTerminate', extra: Record<string, unknown> = {}): Promise<void> {
  for (const hook of hooksOf(name) ?? []) await hook({ hookData: appHookData, appHookData, ...extra });
}

/**
 * Calls the handler, running `app.hook.preInvocation`/`postInvocation` around it as the worker
 * does (they may swap the handler, inputs or result). Without hooks it is a plain call.
 */
export async function invokeWithHooks(fn: HostedFunction, inputs: unknown[], context: InvocationContext): Promise<unknown> {
  const pre = hooksOf('preInvocation');
  const post = hooksOf('postInvocation');
  if (!pre && !post) return fn.registration.handler(...inputs, context);
  const hookData: Record<string, unknown> = {};
  const preContext: Record<string, unknown> = { hookData, appHookData, invocationContext: context, inputs, functionCallback: fn.registration.handler };
  for (const hook of pre ?? []) await hook(preContext);
  const handler = preContext.functionCallback as FunctionHandler;
  const finalInputs = preContext.inputs as unknown[];
  const postContext: Record<string, unknown> = { hookData, appHookData, invocationContext: context, inputs: finalInputs };
  try {
    postContext.result = await handler(...finalInputs, context);
  } catch (err) {
    postContext.error = err;
  }
  for (const hook of post ?? []) await hook(postContext);
  const { error } = postContext;
  if (error !== undefined && error !== null) throw error instanceof Error ? error : new Error(format(error));
  return postContext.result;
}
