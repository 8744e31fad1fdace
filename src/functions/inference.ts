import { app } from '@azure/functions';
import { ApiShape, OPERATION_ROWS } from '../core/operations';
import { guarded } from '../http/guarded';
import { proxyHandler } from '../http/proxyHandler';
import { getRuntime } from '../runtime/getRuntime';
import { ALL_METHODS } from './setup';

getRuntime(); // bad settings fail at start-up, naming the setting

const PREFIX: Record<ApiShape, string> = { deployments: '', v1: 'v1', preview: 'preview' };

/** Every inference route, one per operation row and API shape, all behind one handler. */
for (const operation of OPERATION_ROWS) {
  for (const [api, route] of Object.entries(operation.routes) as [ApiShape, string][]) {
    const name = PREFIX[api] === '' ? operation.name : `${PREFIX[api]}${operation.name[0]?.toUpperCase()}${operation.name.slice(1)}`;
    app.http(name, {
      route,
      methods: ALL_METHODS, // a wrong method gets an OpenAI-shaped 405, not the host's bare 404
      authLevel: 'anonymous', // the router checks its own caller keys (ROUTER_API_KEYS)
      handler: guarded(name, proxyHandler(getRuntime, api, operation)),
    });
  }
}
