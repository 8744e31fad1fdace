import { createServer } from 'node:net';
import { Azurite, startAzurite } from '../../src/local/azurite';

/** A free port: Azurite itself cannot listen on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A private in-memory Azurite for one test file. */
export async function startTestAzurite(): Promise<Azurite> {
  return startAzurite(await freePort());
}
