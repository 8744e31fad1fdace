/** An in-memory Azurite of a bench's own, on a free port, so it never touches one that tests may be using. */
import { createServer } from 'node:net';
import { startAzurite, type Azurite } from '../src/local/azurite';

/** Azurite cannot listen on port 0, so ask the OS for a free port first. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startBenchAzurite(): Promise<Azurite> {
  return startAzurite(await freePort());
}
