import { HttpRequest, HttpResponseInit } from '@azure/functions';
import { RouterConfig } from '../config/types';
import { ModelsDeps } from './HandlerDeps';
import { presentedKey } from './ConsumerKeys';
import { refused } from './outcomes';
import { HttpHandler } from './guarded';

/**
 * `GET /openai/v1/models`: the deployment aliases a caller can name, in the OpenAI list shape
 * (what SDKs and frameworks read to offer models). Answered by the router itself, from its
 * settings: no backend is called. Backends without DEPLOYMENTS serve any name, which no list
 * can show; only listed aliases appear.
 */
export function modelsHandler(runtime: () => ModelsDeps): HttpHandler {
  return async (req: HttpRequest): Promise<HttpResponseInit> => {
    if (req.method !== 'GET') return refused({ kind: 'wrong-method', allow: ['GET'], what: 'models' });
    const { config, consumers } = runtime();
    if (consumers.identify(presentedKey((name) => req.headers.get(name))) === undefined) return refused({ kind: 'invalid-consumer-key' });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(modelList(config)) };
  };
}

export function modelList(config: Pick<RouterConfig, 'backends'>) {
  const aliases = new Set<string>();
  for (const backend of config.backends) for (const alias of backend.deployments?.keys() ?? []) aliases.add(alias);
  return { object: 'list', data: [...aliases].sort().map((id) => ({ id, object: 'model', created: 0, owned_by: 'aoai-smart-router' })) };
}
