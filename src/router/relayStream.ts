import { Readable } from 'node:stream';

export type StreamEnd = 'complete' | 'interrupted' | 'cancelled';

const encoder = new TextEncoder();

/** The SSE event that ends a stream whose backend dropped: the OpenAI SDK raises it as an APIError. */
export const INTERRUPTED_EVENT = encoder.encode(
  `data: ${JSON.stringify({
    error: {
      message: 'The backend connection was lost mid-stream; the response is incomplete. Retry the request.',
      type: 'server_error',
      code: 'backend_stream_interrupted',
    },
  })}\n\n`,
);

/**
 * The Responses API's way to say the same: an `error` event. It also carries `error`, which
 * is what makes the OpenAI SDKs raise it rather than hand it over as one more event.
 */
const RESPONSES_INTERRUPTED_EVENT = encoder.encode(
  `event: error\ndata: ${JSON.stringify({
    type: 'error',
    code: 'backend_stream_interrupted',
    message: 'The backend connection was lost mid-stream; the response is incomplete. Retry the request.',
    param: null,
    error: { type: 'server_error', code: 'backend_stream_interrupted', message: 'The backend connection was lost mid-stream; the response is incomplete. Retry the request.' },
  })}\n\n`,
);

/** The interrupted event in the grammar of the stream it ends. */
export function interruptedEvent(grammar: 'chat' | 'responses'): Uint8Array {
  return grammar === 'responses' ? RESPONSES_INTERRUPTED_EVENT : INTERRUPTED_EVENT;
}

/**
 * Relays a backend SSE body chunk by chunk. After bytes are sent there is no failover, so a
 * backend that drops ends the stream with an OpenAI-shaped error event rather than a clean
 * end; a caller that cancels (disconnects) destroys the backend body, aborting its call.
 */
export function relayStream(body: Readable, onEnd: (end: StreamEnd, error?: Error) => void, observe?: (chunk: Buffer) => void, interrupted: Uint8Array = INTERRUPTED_EVENT): ReadableStream<Uint8Array> {
  let settled = false;
  const settle = (end: StreamEnd, error?: Error): boolean => {
    if (settled) return false;
    settled = true;
    onEnd(end, error);
    return true;
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      body.on('data', (chunk: Buffer) => {
        observe?.(chunk);
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) body.pause();
      });
      body.once('end', () => {
        if (settle('complete')) controller.close();
      });
      body.once('error', (error: Error) => {
        if (!settle('interrupted', error)) return;
        controller.enqueue(interrupted);
        controller.close();
      });
    },
    pull() {
      body.resume();
    },
    cancel() {
      settle('cancelled');
      body.destroy();
    },
  }, { highWaterMark: 8 });
}

/** Reads a whole (small) JSON body. Rejects if the backend drops mid-body. */
export function readAll(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks)));
    body.once('error', reject);
  });
}

/** Drains a body we will not use so its connection goes back to the pool. */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.resume();
}
