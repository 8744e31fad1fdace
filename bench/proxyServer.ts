/** The shared shell of the two baseline proxies: listen on a free local port, announce it, stop on a signal. */
import { createServer, IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The backend answer headers both proxies pass on to the caller. */
export const PASSED_HEADERS = [
  'content-type',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ms-region',
  'apim-request-id',
  'x-request-id',
];

export type Forward = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Serves `forward` (502 on failure) and prints `<label> listening on <url>`; SIGTERM/SIGINT exit cleanly. */
export function serveProxy(label: string, forward: Forward, options: ServerOptions): void {
  const server = createServer(options, (req, res) => {
    forward(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(err));
      else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(`${label} listening on http://127.0.0.1:${port}`);
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
