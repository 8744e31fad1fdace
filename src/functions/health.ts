import { app } from '@azure/functions';
import { guarded } from '../http/guarded';
import './setup';

/** Liveness only: no auth, no internals. */
app.http('health', {
  route: 'health',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: guarded('health', async () => ({ status: 200, jsonBody: { status: 'ok' }, headers: { 'cache-control': 'no-store' } })),
});
