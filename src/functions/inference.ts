import { app } from '@azure/functions';
import { proxyHandler } from '../http/proxyHandler';
import { Operation } from '../router/types';
import { getRuntime } from '../runtime/getRuntime';
import { ALL_METHODS } from './setup';

getRuntime(); // bad settings fail at start-up, naming the setting

/** Every inference route: one handler, told which API shape and operation it serves. */
const ROUTES: readonly { name: string; api: 'deployments' | 'v1'; operation: Operation }[] = [
  { name: 'chatCompletions', api: 'deployments', operation: 'chat/completions' },
  { name: 'completions', api: 'deployments', operation: 'completions' },
  { name: 'embeddings', api: 'deployments', operation: 'embeddings' },
  { name: 'v1ChatCompletions', api: 'v1', operation: 'chat/completions' },
  { name: 'v1Completions', api: 'v1', operation: 'completions' },
  { name: 'v1Embeddings', api: 'v1', operation: 'embeddings' },
];

for (const { name, api, operation } of ROUTES) {
  app.http(name, {
    route: api === 'deployments' ? `openai/deployments/{deployment}/${operation}` : `openai/v1/${operation}`,
    methods: ALL_METHODS,
    authLevel: 'anonymous', // the router checks its own caller keys (ROUTER_API_KEYS)
    handler: proxyHandler(getRuntime, api, operation),
  });
}
