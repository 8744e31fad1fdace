import { BackendConfig } from '../config/types';
import { Backend, routingView } from './backend';
import { backendKey, deploymentKey } from './windows';

/** One backend serving one alias under its own deployment name. Built once per alias. */
export interface RouteTarget {
  readonly backend: Backend;
  readonly deployment: string;
  readonly deploymentKey: string;
  readonly backendKey: string;
  /** Sent as `x-ms-spillover-deployment`: where Azure puts this deployment's overflow. */
  readonly spilloverDeployment?: string;
}

/** The backends that serve `alias`, sorted by priority (stable within a priority). */
export function targetsFor(backends: readonly BackendConfig[], alias: string): RouteTarget[] {
  const targets: RouteTarget[] = [];
  for (const config of backends) {
    const backend = routingView(config);
    const deployment = config.deployments === undefined ? alias : config.deployments.get(alias);
    if (deployment === undefined) continue;
    const spillover = config.spillover === undefined ? undefined : 'all' in config.spillover ? config.spillover.all : config.spillover.byAlias.get(alias);
    targets.push({
      backend,
      deployment,
      deploymentKey: deploymentKey(backend.name, deployment),
      backendKey: backendKey(backend.name),
      ...(spillover === undefined ? {} : { spilloverDeployment: spillover }),
    });
  }
  return targets.sort((a, b) => a.backend.priority - b.backend.priority);
}

/**
 * Every backend, for operations that name no deployment (stored objects, new conversations).
 * Their windows are kept apart from the deployments': a 429 on a retrieve benches no model.
 */
export function storedObjectTargets(backends: readonly BackendConfig[]): RouteTarget[] {
  return backends
    .map((config) => ({
      backend: routingView(config),
      deployment: '',
      deploymentKey: deploymentKey(config.name, STORED_OBJECTS),
      backendKey: backendKey(config.name),
    }))
    .sort((a, b) => a.backend.priority - b.backend.priority);
}

/** Not a legal deployment name, so it never meets a real one. */
export const STORED_OBJECTS = ':stored';

/** Caches targetsFor per alias; the backend list never changes after start-up. */
export class TargetIndex {
  private readonly byAlias = new Map<string, readonly RouteTarget[]>();
  private readonly stored: readonly RouteTarget[];

  constructor(private readonly backends: readonly BackendConfig[]) {
    this.stored = storedObjectTargets(backends);
  }

  /** The candidates for a request: its alias's targets ('' = any backend), only the bound backend's when bound. */
  candidates(alias: string, boundTo: string | undefined): readonly RouteTarget[] {
    const targets = alias === '' ? this.stored : this.get(alias);
    return boundTo === undefined ? targets : targets.filter((t) => t.backend.name === boundTo);
  }

  get(alias: string): readonly RouteTarget[] {
    let targets = this.byAlias.get(alias);
    if (targets === undefined) {
      targets = targetsFor(this.backends, alias);
      // Aliases come from callers: cap the cache so random names cannot grow it without bound.
      if (this.byAlias.size < 10_000) this.byAlias.set(alias, targets);
    }
    return targets;
  }
}
