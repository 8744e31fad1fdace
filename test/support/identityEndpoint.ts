import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * An App Service-style managed identity endpoint (what IDENTITY_ENDPOINT + IDENTITY_HEADER
 * point at in Azure Functions), so ManagedIdentityCredential runs its real code path:
 * GET ?api-version=2019-08-01&resource=…[&client_id=…] with header X-IDENTITY-HEADER.
 */
export interface IdentityEndpoint {
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for a child process. */
  readonly env: Readonly<Record<string, string>>;
  /** Every token request that reached the endpoint (failed ones included). */
  readonly calls: ReadonlyArray<{ readonly resource: string; readonly clientId: string | undefined }>;
  callsFor(resource: string): number;
  /** Every token handed out, for leak scans. */
  issued(): string[];
  isIssued(token: string, resource: string): boolean;
  /** While true, token requests answer 500. */
  setFailing(failing: boolean): void;
  close(): Promise<void>;
}

export const COGNITIVE_RESOURCE = 'https://cognitiveservices.azure.com';
export const VAULT_RESOURCE = 'https://vault.azure.net';

export async function startIdentityEndpoint(options: { lifetimeSeconds?: number } = {}): Promise<IdentityEndpoint> {
  const secretHeader = `identity-header-${randomBytes(8).toString('hex')}`;
  const tokens = new Map<string, string>(); // token → resource
  const calls: Array<{ resource: string; clientId: string | undefined }> = [];
  let failing = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const resource = url.searchParams.get('resource') ?? '';
    calls.push({ resource, clientId: url.searchParams.get('client_id') ?? undefined });
    const refusal = refuse(req, url, secretHeader, failing);
    if (refusal !== undefined) return reply(res, refusal.status, refusal.body);
    const token = `mi-token-${randomBytes(18).toString('hex')}`;
    tokens.set(token, resource);
    const expiresOn = Math.floor(Date.now() / 1000) + (options.lifetimeSeconds ?? 3600);
    reply(res, 200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: url.searchParams.get('client_id') ?? 'system-assigned',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: secretHeader },
    calls,
    callsFor: (resource) => calls.filter((c) => c.resource === resource).length,
    issued: () => [...tokens.keys()],
    isIssued: (token, resource) => tokens.get(token) === resource,
    setFailing: (value) => {
      failing = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function refuse(req: IncomingMessage, url: URL, secretHeader: string, failing: boolean): { status: number; body: unknown } | undefined {
  if (failing) return { status: 500, body: { error: 'service_unavailable', error_description: 'The identity endpoint is failing (test switch).' } };
  if (req.method !== 'GET' || url.pathname !== '/msi/token') return { status: 404, body: { error: 'not_found' } };
  if (req.headers['x-identity-header'] !== secretHeader)
    return { status: 401, body: { error: 'unauthorized', error_description: 'X-IDENTITY-HEADER missing or wrong' } };
  if (url.searchParams.get('api-version') !== '2019-08-01' || !url.searchParams.get('resource')) {
    return { status: 400, body: { error: 'invalid_request', error_description: 'api-version=2019-08-01 and resource are required' } };
  }
  return undefined;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
