import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { TestCertificate } from './selfSignedCert';

export { createTestCertificate, hasOpenssl } from './selfSignedCert';
export type { TestCertificate } from './selfSignedCert';

/**
 * A Key Vault-compatible endpoint over HTTPS, enough for SecretClient.getSecret: requests
 * without an accepted bearer token get the 401 challenge real vaults send, then
 * GET /secrets/<name>[/<version>] answers the secret bundle. Secrets change at runtime.
 */
export interface KeyVaultEndpoint {
  readonly url: string;
  setSecret(name: string, value: string): void;
  /** While true, every request answers 503. */
  setFailing(failing: boolean): void;
  /** 401 challenges sent, and successful secret reads by name. */
  readonly stats: { challenges: number; readonly reads: Map<string, number> };
  readsOf(name: string): number;
  close(): Promise<void>;
}

const TENANT = '72f988bf-0000-0000-0000-000000000000';

export async function startKeyVaultEndpoint(certificate: TestCertificate, acceptToken: (token: string) => boolean): Promise<KeyVaultEndpoint> {
  const secrets = new Map<string, { value: string; version: string }>();
  const stats = { challenges: 0, reads: new Map<string, number>() };
  let failing = false;
  let url = '';
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    if (failing) return reply(res, 503, { error: { code: 'ServiceUnavailable', message: 'The vault is failing (test switch).' } });
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !acceptToken(token)) {
      stats.challenges++;
      res.setHeader('WWW-Authenticate', `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="https://vault.azure.net"`);
      return reply(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    }
    answerSecret(req, res, url, secrets, stats.reads);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    setSecret: (name, value) => secrets.set(name, { value, version: randomBytes(16).toString('hex') }),
    setFailing: (value) => {
      failing = value;
    },
    stats,
    readsOf: (name) => stats.reads.get(name) ?? 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answerSecret(
  req: IncomingMessage,
  res: ServerResponse,
  vaultUrl: string,
  secrets: Map<string, { value: string; version: string }>,
  reads: Map<string, number>,
): void {
  const path = new URL(req.url ?? '/', vaultUrl);
  const match = /^\/secrets\/([^/]+)(?:\/([^/]*))?\/?$/.exec(path.pathname);
  if (req.method !== 'GET' || match?.[1] === undefined || !path.searchParams.has('api-version')) {
    return reply(res, 400, { error: { code: 'BadParameter', message: 'Only GET /secrets/<name>?api-version=… is simulated.' } });
  }
  const name = decodeURIComponent(match[1]);
  const secret = secrets.get(name);
  if (secret === undefined)
    return reply(res, 404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name} was not found in this key vault.` } });
  reads.set(name, (reads.get(name) ?? 0) + 1);
  const now = Math.floor(Date.now() / 1000);
  reply(res, 200, {
    value: secret.value,
    id: `${vaultUrl}/secrets/${name}/${secret.version}`,
    attributes: { enabled: true, created: now, updated: now, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 },
    tags: {},
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
