import { BackendRequest } from '../backend/BackendClient';
import { RouterConfig } from '../config/types';
import { outputAllowance } from '../core/estimateTokens';
import { backendPath } from '../core/operations';
import { RouteTarget } from '../core/targets';
import { AuthHeader } from '../credentials/CredentialSource';
import { ProxyRequest } from './types';

/**
 * The request one backend receives: the caller's body byte for byte (the v1 route rewrites
 * `model` only when DEPLOYMENTS maps the alias to another name), the backend's own
 * credential, and none of the caller's.
 */
export function backendRequest(request: ProxyRequest, target: RouteTarget, auth: AuthHeader, config: RouterConfig, remainingMs: number): BackendRequest {
  const { backend, deployment } = target;
  const renamed = deployment !== request.alias;
  const path = `${backend.basePath}${backendPath(request.operation, request.api, deployment)}${request.search}`;
  const body = request.api === 'v1' && renamed ? Buffer.from(JSON.stringify({ ...request.json, model: deployment })) : request.body;
  const headers: Record<string, string> = { ...request.forwardHeaders, [auth.name]: auth.value };
  headers['content-type'] ??= 'application/json';
  return {
    origin: backend.origin,
    path,
    method: 'POST',
    headers,
    body,
    headersTimeoutMs: Math.min(headersBudgetMs(request, config), remainingMs),
    bodyTimeoutMs: remainingMs,
  };
}

/**
 * A stream's headers come with its first event; a non-stream answer's only once the whole
 * generation is done, so its budget grows with the tokens it may generate.
 */
export function headersBudgetMs(request: ProxyRequest, config: RouterConfig): number {
  if (request.stream) return config.backendTimeoutMs;
  return config.backendTimeoutMs + outputAllowance(request.operation.generates, request.json) * config.timeoutPerOutputTokenMs;
}
