import { BackendRequest } from '../backend/BackendClient';
import { RouterConfig } from '../config/types';
import { outputAllowance } from '../core/estimateTokens';
import { backendPath } from '../core/operations';
import { replaceTopLevelString } from '../core/replaceJsonString';
import { RouteTarget } from '../core/targets';
import { AuthHeader } from '../credentials/CredentialSource';
import { ProxyRequest } from './types';

/**
 * The request one backend receives: the caller's body byte for byte (the v1 shapes rewrite the
 * `model` value only, when DEPLOYMENTS maps the alias to another name), the backend's own
 * credential, and none of the caller's.
 */
export function backendRequest(request: ProxyRequest, target: RouteTarget, auth: AuthHeader, config: RouterConfig, remainingMs: number): BackendRequest {
  const { backend, deployment } = target;
  const path = `${backend.basePath}${backendPath(request.operation, request.api, deployment, request.params)}${request.search}`;
  const headers: Record<string, string> = { ...request.forwardHeaders, [auth.name]: auth.value };
  if (request.body !== undefined) headers['content-type'] ??= 'application/json';
  // Only from the operator's settings: a caller's would steer traffic to any deployment of the account.
  if (target.spilloverDeployment !== undefined) headers['x-ms-spillover-deployment'] = target.spilloverDeployment;
  return {
    origin: backend.origin,
    path,
    method: request.method,
    headers,
    body: bodyFor(request, deployment),
    headersTimeoutMs: Math.min(headersBudgetMs(request, config), remainingMs),
    bodyTimeoutMs: remainingMs,
  };
}

function bodyFor(request: ProxyRequest, deployment: string): Buffer | undefined {
  const { body } = request;
  const namesModel = request.api !== 'deployments' && request.operation.alias !== 'none';
  if (body === undefined || !namesModel || deployment === request.alias) return body;
  const renamed = replaceTopLevelString(body.toString('utf8'), 'model', deployment);
  return renamed === undefined ? Buffer.from(JSON.stringify({ ...request.json, model: deployment })) : Buffer.from(renamed, 'utf8');
}

/**
 * A stream's headers come with its first event; a non-stream answer's only once the whole
 * generation is done, so its budget grows with the tokens it may generate.
 */
export function headersBudgetMs(request: ProxyRequest, config: RouterConfig): number {
  if (request.stream) return config.backendTimeoutMs;
  return config.backendTimeoutMs + outputAllowance(request.operation.generates, request.json) * config.timeoutPerOutputTokenMs;
}
