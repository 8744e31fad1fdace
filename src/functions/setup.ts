import { app, HttpMethod } from '@azure/functions';

// Without it, SSE arrives in one piece (library ≥ 4.3, host ≥ 4.28). Imported by every function file.
app.setup({ enableHttpStream: true });

/** Inference routes accept every method so a wrong one gets an OpenAI-shaped 405, not the host's bare 404. */
export const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
