import { BackendClient, BackendRequest } from '../backend/BackendClient';
import { BackendConfig, RouterConfig } from '../config/types';
import { backendPath, OPERATIONS } from '../core/operations';
import { targetsFor } from '../core/targets';
import { backendKey, deploymentKey } from '../core/windows';
import { CredentialSource } from '../credentials/CredentialSource';
import { discard } from '../router/relayStream';
import { StateStore } from '../state/StateStore';

export interface ProbeResult {
  readonly backend: string;
  readonly outcome: 'ok' | 'throttled' | 'failed' | 'no-credential';
  readonly latencyMs?: number;
  readonly detail?: string;
}

export interface ProbeDeps {
  readonly config: RouterConfig;
  readonly client: BackendClient;
  readonly credentials: CredentialSource;
  readonly state: StateStore;
  readonly now: () => number;
  /** Counts a failed probe towards the backend's circuit, like a failed request. */
  readonly probeFailed: (backend: BackendConfig) => void;
}

/** Probes every backend at once with a cheap, valid call and records latency and health. */
export function probeBackends(deps: ProbeDeps): Promise<ProbeResult[]> {
  return Promise.all(deps.config.backends.map((backend) => probeOne(deps, backend)));
}

async function probeOne(deps: ProbeDeps, backend: BackendConfig): Promise<ProbeResult> {
  const auth = deps.credentials.authHeader(backend);
  if (auth === undefined) return { backend: backend.name, outcome: 'no-credential' };
  const { request, key } = probeRequest(deps.config, backend);
  const startMs = deps.now();
  const sent = await deps.client.send({ ...request, headers: { ...request.headers, [auth.name]: auth.value } });
  const latencyMs = deps.now() - startMs;
  if (sent.kind !== 'response') {
    deps.probeFailed(backend);
    return { backend: backend.name, outcome: 'failed', detail: sent.kind };
  }
  discard(sent.response.body);
  const status = sent.response.status;
  if (status === 429) return { backend: backend.name, outcome: 'throttled', latencyMs };
  if (status >= 200 && status < 300) {
    deps.state.recordLatency(key, latencyMs, deps.now());
    return { backend: backend.name, outcome: 'ok', latencyMs };
  }
  if (status >= 500 || status === 408) deps.probeFailed(backend);
  return { backend: backend.name, outcome: 'failed', latencyMs, detail: `HTTP ${status}` };
}

/**
 * A one-token chat completion to PROBE_DEPLOYMENT when this backend serves it (measures the
 * model path), otherwise the models listing (free, and never a URL that answers 404).
 */
function probeRequest(
  config: RouterConfig,
  backend: BackendConfig,
): { request: Omit<BackendRequest, 'headers'> & { headers: Record<string, string> }; key: string } {
  const common = { origin: backend.origin, headersTimeoutMs: config.probe.timeoutMs, bodyTimeoutMs: config.probe.timeoutMs };
  const alias = config.probe.deployment;
  const target = alias === undefined ? undefined : targetsFor([backend], alias)[0];
  if (target === undefined) {
    const path = `${backend.basePath}/openai/models?api-version=${encodeURIComponent(config.probe.apiVersion)}`;
    return { request: { ...common, path, method: 'GET', headers: {}, body: undefined }, key: backendKey(backend.name) };
  }
  const path = `${backend.basePath}${backendPath(OPERATIONS.chat, 'deployments', target.deployment)}?api-version=${encodeURIComponent(config.probe.apiVersion)}`;
  const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }));
  return {
    request: { ...common, path, method: 'POST', headers: { 'content-type': 'application/json' }, body },
    key: deploymentKey(backend.name, target.deployment),
  };
}
