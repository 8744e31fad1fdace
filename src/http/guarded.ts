import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { refused } from './outcomes';

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/**
 * Every HTTP function's outer shell. Under Azure's worker, a handler that throws in stream mode
 * leaves the caller waiting for the host's timeout (about 240 s) with no answer: so nothing may
 * escape. A bug anywhere (key check, limits, parsing, routing, status) becomes an OpenAI-shaped
 * 500 at once, with the details in the log only.
 */
export function guarded(name: string, handler: HttpHandler): HttpHandler {
  return async (req, context) => {
    try {
      return reservedQuery(req) ?? (await handler(req, context));
    } catch (err) {
      context.error(`${name} failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return refused({ kind: 'router-error' });
    }
  };
}

/**
 * The platform turns query parameters into invocation metadata, and one named `headers` takes
 * the place of the request headers: the handler would see none (a valid key would get 401).
 */
function reservedQuery(req: HttpRequest): HttpResponseInit | undefined {
  for (const name of req.query.keys()) {
    if (name.toLowerCase() === 'headers') return refused({ kind: 'reserved-query-parameter', name });
  }
  return undefined;
}
