import { createRuntime } from './createRuntime';
import { Runtime } from './Runtime';

let runtime: Runtime | undefined;

/** The process-wide runtime, built from process.env on first use (at function load, so bad settings fail start-up). */
export function getRuntime(): Runtime {
  runtime ??= createRuntime(process.env);
  return runtime;
}

/** The runtime if one was built, without building it. */
export function peekRuntime(): Runtime | undefined {
  return runtime;
}
