import { ApiShape, OperationRow } from '../core/operations';
import { ProxyRequest } from './types';

export interface OwnRequestSpec {
  readonly api: ApiShape;
  readonly operation: OperationRow;
  readonly alias: string;
  readonly json: Readonly<Record<string, unknown>>;
  readonly consumer: string;
  /** The query string with its `?` (e.g. the api-version of the `deployments` shape), or ''. */
  readonly search?: string;
}

/**
 * A POST the router makes on a consumer's behalf (the semantic cache's embedding call), built as
 * parsing would have built it: the body serialised once, unbound, no caller headers.
 */
export function ownRequest(spec: OwnRequestSpec): ProxyRequest {
  return {
    api: spec.api,
    operation: spec.operation,
    method: 'POST',
    alias: spec.alias,
    params: {},
    boundTo: undefined,
    search: spec.search ?? '',
    body: Buffer.from(JSON.stringify(spec.json)),
    json: spec.json,
    stream: spec.json.stream === true,
    forwardHeaders: {},
    consumer: spec.consumer,
  };
}
