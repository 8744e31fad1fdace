import { app, HttpMethod } from '@azure/functions';
import { peekRuntime } from '../runtime/getRuntime';

// Without it, SSE arrives in one piece (library ≥ 4.3, host ≥ 4.28). Imported by every function file.
app.setup({ enableHttpStream: true });

// Graceful shutdown: last state sync, telemetry flush. Only if a runtime was ever built.
app.hook.appTerminate(async () => {
  await peekRuntime()?.shutdown();
});

/** Inference routes accept every method so a wrong one gets an OpenAI-shaped 405, not the host's bare 404. */
export const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
