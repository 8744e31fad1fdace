import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { TestCertificate } from './selfSignedCert';

/** One Application Insights envelope as the exporter sends it (Breeze schema). */
export interface Envelope {
  readonly name: string;
  readonly iKey?: string;
  readonly time: string;
  readonly tags?: Record<string, string>;
  readonly data: { readonly baseType: string; readonly baseData: Record<string, unknown> };
}

/**
 * An Application Insights ingestion endpoint over HTTPS (the exporter refuses plain http):
 * POST /v2.1/track and /v2/track take a JSON array of envelopes, gzip-compressed or not, and
 * answer what the real service answers when it accepts everything.
 */
export interface IngestionEndpoint {
  /** e.g. https://127.0.0.1:40123/ (the form IngestionEndpoint= takes in a connection string). */
  readonly url: string;
  readonly envelopes: Envelope[];
  /** Every request that arrived, e.g. `POST /v2.1/track gzip`. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startIngestionEndpoint(certificate: TestCertificate): Promise<IngestionEndpoint> {
  const envelopes: Envelope[] = [];
  const requests: string[] = [];
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    void readAll(req).then((raw) => {
      const encoding = req.headers['content-encoding'] ?? 'identity';
      requests.push(`${req.method} ${req.url} ${encoding}`);
      const path = new URL(req.url ?? '/', 'https://localhost').pathname;
      if (req.method !== 'POST' || !/^\/v2(\.1)?\/track$/.test(path)) return reply(res, 404, { error: 'not an ingestion route' });
      const body = encoding === 'gzip' ? gunzipSync(raw) : raw;
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      const batch = (Array.isArray(parsed) ? parsed : [parsed]) as Envelope[];
      envelopes.push(...batch);
      reply(res, 200, { itemsReceived: batch.length, itemsAccepted: batch.length, errors: [] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    envelopes,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
