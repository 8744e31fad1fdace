import { HttpRequest, HttpResponseInit } from '@azure/functions';
import { isValidDeploymentName } from '../core/deploymentName';
import { ApiShape, OperationRow } from '../core/operations';
import { ProxyRequest } from '../router/types';
import { pickForwardHeaders } from '../router/headers';
import { openAiError } from './openAiError';
import { readBody } from './readBody';

export interface ParseContext {
  readonly api: ApiShape;
  readonly operation: OperationRow;
  readonly consumer: string;
  readonly maxBodyBytes: number;
}

export type Parsed = { readonly ok: true; readonly request: ProxyRequest } | { readonly ok: false; readonly response: HttpResponseInit };

const fail = (response: HttpResponseInit): Parsed => ({ ok: false, response });

/** Turns an authenticated HTTP request into a ProxyRequest, or the OpenAI-shaped 4xx that explains why not. */
export async function parseProxyRequest(req: HttpRequest, ctx: ParseContext): Promise<Parsed> {
  const pathAlias = ctx.api === 'deployments' && ctx.operation.alias === 'path' ? (req.params.deployment ?? '') : undefined;
  if (pathAlias !== undefined && !isValidDeploymentName(pathAlias)) return fail(badDeploymentName(pathAlias));
  const read = await readBody(req.body, req.headers.get('content-length'), ctx.maxBodyBytes);
  if (!read.ok) {
    return fail(read.reason === 'too-large'
      ? openAiError(413, 'request_too_large', `The request body is larger than the router's limit of ${ctx.maxBodyBytes} bytes (ROUTER_MAX_BODY_BYTES).`)
      : openAiError(400, 'invalid_request', 'The request body could not be read.'));
  }
  const json = parseJsonObject(read.body);
  if (json === undefined) return fail(openAiError(400, 'invalid_json', 'The request body must be a JSON object.'));
  const alias = pathAlias ?? json.model;
  if (typeof alias !== 'string' || alias === '') {
    return fail(openAiError(400, 'missing_model', 'The request body must name the deployment in "model".'));
  }
  if (!isValidDeploymentName(alias)) return fail(badDeploymentName(alias));
  const url = req.url;
  const queryStart = url.indexOf('?');
  return {
    ok: true,
    request: {
      api: ctx.api,
      operation: ctx.operation,
      alias,
      search: queryStart < 0 ? '' : url.slice(queryStart),
      body: read.body,
      json,
      stream: json.stream === true,
      forwardHeaders: pickForwardHeaders((name) => req.headers.get(name)),
      consumer: ctx.consumer,
    },
  };
}

function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function badDeploymentName(name: string): HttpResponseInit {
  const shown = JSON.stringify(name.slice(0, 80));
  return openAiError(400, 'invalid_deployment_name', `The deployment name ${shown} is not valid: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
}
