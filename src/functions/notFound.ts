import { app } from '@azure/functions';
import { guarded } from '../http/guarded';
import { refused } from '../http/outcomes';
import { ALL_METHODS } from './setup';

/** Catch-all: routing prefers every specific template, so only unknown routes land here. */
app.http('notFound', {
  route: '{*path}',
  methods: ALL_METHODS,
  authLevel: 'anonymous',
  handler: guarded('notFound', async (req) => refused({ kind: 'unknown-route', method: req.method, path: new URL(req.url).pathname })),
});
