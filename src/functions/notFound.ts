import { app } from '@azure/functions';
import { guarded } from '../http/guarded';
import { openAiError } from '../http/openAiError';
import { ALL_METHODS } from './setup';

/** Catch-all: routing prefers every specific template, so only unknown routes land here. */
app.http('notFound', {
  route: '{*path}',
  methods: ALL_METHODS,
  authLevel: 'anonymous',
  handler: guarded('notFound', async (req) => openAiError(404, 'not_found', `Unknown route ${req.method} ${new URL(req.url).pathname}.`)),
});
