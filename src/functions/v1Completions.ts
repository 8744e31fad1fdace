import { app } from '@azure/functions';
import { proxyHandler } from '../http/proxyHandler';
import { getRuntime } from '../runtime/getRuntime';
import { ALL_METHODS } from './setup';

getRuntime(); // bad settings fail at start-up, naming the setting

app.http('v1Completions', {
  route: 'openai/v1/completions',
  methods: ALL_METHODS,
  authLevel: 'anonymous', // the router checks its own caller keys (ROUTER_API_KEYS)
  handler: proxyHandler(getRuntime, 'v1', 'completions'),
});
