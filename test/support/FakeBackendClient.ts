import { Readable } from 'node:stream';
import { BackendClient, BackendRequest, BackendResult } from '../../src/backend/BackendClient';

export type Script = (request: BackendRequest, origin: string) => BackendResult | Promise<BackendResult>;

/** A scripted BackendClient: tests inject it instead of mocking modules. Records every call. */
export class FakeBackendClient implements BackendClient {
  readonly calls: BackendRequest[] = [];

  constructor(private readonly script: Script) {}

  async send(request: BackendRequest): Promise<BackendResult> {
    this.calls.push(request);
    return this.script(request, request.origin);
  }

  async close(): Promise<void> {}

  /** Origins called, in order, as host names (e.g. "ptu.openai.azure.com" → "ptu"). */
  get called(): string[] {
    return this.calls.map((c) => new URL(c.origin).hostname.split('.')[0] ?? '');
  }
}

export function reply(status: number, body: unknown = {}, headers: Record<string, string> = {}): BackendResult {
  return {
    kind: 'response',
    response: {
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: Readable.from([Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))]),
    },
  };
}

export function replyStream(chunks: string[], failAfter?: number): BackendResult {
  async function* generate() {
    for (const [i, chunk] of chunks.entries()) {
      if (failAfter !== undefined && i === failAfter) throw new Error('socket hang up');
      yield Buffer.from(chunk);
    }
  }
  return { kind: 'response', response: { status: 200, headers: { 'content-type': 'text/event-stream' }, body: Readable.from(generate()) } };
}

export const transportFailure = (kind: 'timeout' | 'network'): BackendResult => ({ kind, error: new Error(kind) });
