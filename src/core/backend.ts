import type { BackendType } from '../config/types';

/**
 * What routing and sending know of a backend: its name, place in the order and endpoint. Not
 * its credential (an API key stays with the credential source, looked up by name), nor its
 * per-alias maps (already resolved into each target's deployment).
 */
export interface Backend {
  readonly name: string;
  readonly priority: number;
  readonly weight: number;
  readonly type: BackendType | undefined;
  /** scheme://host:port of BACKEND_<N>_URL, and the path before `/openai` (usually ''). */
  readonly origin: string;
  readonly basePath: string;
}

/** The routing view of a configured backend: a copy that leaves the credential and maps behind. */
export function routingView(backend: Backend): Backend {
  const { name, priority, weight, type, origin, basePath } = backend;
  return { name, priority, weight, type, origin, basePath };
}
