/** The request pipeline: read, record, faults, route, method, auth, api-version, then the operation. */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { MISSING_API_VERSION, METHOD_NOT_ALLOWED, NOT_FOUND } from './errors';
import { handleConversations } from './conversations';
import { applyFault } from './fault-actions';
import { handleInference } from './inference';
import { MODELS_LIST } from './models';
import { sendJson } from './reply';
import { handleResponses } from './responses';
import { apiVersionOf, matchRoute } from './routes';
import { recordRequest, type BackendState, type Exchange } from './state';

const ignore = (): void => undefined;

export function createRequestHandler(state: BackendState): RequestListener {
  return (req, res) => {
    state.stats.received++;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    // A client that aborts mid-body must not crash the simulator with an unhandled 'error'.
    req.on('error', ignore);
    req.on('end', () => handleRequest(state, req, res, body));
  };
}

function handleRequest(state: BackendState, req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const query = mark < 0 ? '' : url.slice(mark + 1);
  const method = req.method ?? 'GET';
  recordRequest(state, { method, path, query, headers: req.headers, body });
  const ex: Exchange = {
    state,
    req,
    res,
    query,
    body,
    deployment: undefined,
    extraDelayMs: 0,
    latencyScale: 1,
    dropAfterChunks: undefined,
    servedTokens: 0,
  };
  const fault = state.faults.take();
  if (fault !== undefined && applyFault(ex, fault)) return;
  dispatch(ex, path, method);
}

function dispatch(ex: Exchange, path: string, method: string): void {
  const route = matchRoute(path);
  if (route.kind === 'unknown') return sendJson(ex, 404, NOT_FOUND);
  if (route.kind === 'inference') ex.deployment = route.deployment;
  if (!route.methods.includes(method)) return sendJson(ex, 405, METHOD_NOT_ALLOWED, { allow: route.allow });
  const denied = ex.state.auth?.(ex.req.headers);
  if (denied !== undefined) return sendJson(ex, 401, denied);
  const apiVersion = apiVersionOf(ex.query);
  if (route.needsApiVersion && apiVersion === undefined) return sendJson(ex, 400, MISSING_API_VERSION);
  switch (route.kind) {
    case 'models':
      return sendJson(ex, 200, MODELS_LIST);
    case 'inference':
      return handleInference(ex, route.operation, route.deployment, apiVersion);
    case 'responses':
      return handleResponses(ex, route, method, apiVersion);
    case 'conversations':
      return handleConversations(ex, route, method);
  }
}
