import { HttpRequest, HttpResponseInit } from '@azure/functions';
import { RouterConfig } from '../config/types';
import { ModelsDeps } from './HandlerDeps';
import { presentedKey } from './ConsumerKeys';
import { openAiError } from './openAiError';
import { HttpHandler } from './guarded';

/**
 * `GET /openai/v1/models`: the deployment aliases a caller can name, in the OpenAI list shape
 * (what SDKs and frameworks read to offer models). Answered by the router itself, from its
 * settings: no backend is called. Backends without DEPLOYMENTS serve any name, which no list
 * can show; only listed aliases appear.
 */
export function modelsHandler(runtime: () => ModelsDeps): HttpHandler {
  return async (req: HttpRequest): Promise<HttpResponseInit> => {
    if (req.method !== 'GET') return openAiError(405, 'method_not_allowed', 'Use GET for models.', { allow: 'GET' });
    const { config, consumers } = runtime();
    if (consumers.identify(presentedKey((name) => req.headers.get(name))) === undefined) {
      return openAiError(401, 'invalid_api_key', 'Missing or invalid router key: send it as "api-key: <key>" or "Authorization: Bearer <key>".');
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(modelList(config)) };
  };
}

export function modelList(config: Pick<RouterConfig, 'backends'>) {
  const aliases = new Set<string>();
  for (const backend of config.backends) for (const alias of backend.deployments?.keys() ?? []) aliases.add(alias);
  return { object: 'list', data: [...aliases].sort().map((id) => ({ id, object: 'model', created: 0, owned_by: 'aoai-smart-router' })) };
}
