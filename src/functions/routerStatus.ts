import { app } from '@azure/functions';
import { guarded } from '../http/guarded';
import { statusHandler } from '../http/statusHandler';
import { getRuntime } from '../runtime/getRuntime';
import { ALL_METHODS } from './setup';

app.http('routerStatus', {
  route: 'router/status',
  methods: ALL_METHODS,
  authLevel: 'anonymous', // checked against ROUTER_ADMIN_KEY inside
  handler: guarded('routerStatus', statusHandler(getRuntime)),
});
