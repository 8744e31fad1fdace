import { app } from '@azure/functions';
import { guarded } from '../http/guarded';
import { modelsHandler } from '../http/modelsHandler';
import { getRuntime } from '../runtime/getRuntime';
import { ALL_METHODS } from './setup';

app.http('v1Models', {
  route: 'openai/v1/models',
  methods: ALL_METHODS,
  authLevel: 'anonymous', // the router checks its own caller keys (ROUTER_API_KEYS)
  handler: guarded('v1Models', modelsHandler(getRuntime)),
});
