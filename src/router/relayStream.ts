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
    error: {
      type: 'server_error',
      code: 'backend_stream_interrupted',
      message: 'The backend connection was lost mid-stream; the response is incomplete. Retry the request.',
    },
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
export interface RelayOptions {
  readonly observe?: (chunk: Buffer) => void;
  /** The event that ends a stream the backend dropped, in the stream's own grammar. */
  readonly interrupted?: Uint8Array;
  /**
   * The whole request's time left: a stream that outlives it ends with the interrupted event and
   * its backend call is aborted, so nothing reaches the platform's 230 s kill.
   */
  readonly remainingMs?: number;
}

export function relayStream(body: Readable, onEnd: (end: StreamEnd, error?: Error) => void, options: RelayOptions = {}): ReadableStream<Uint8Array> {
  const { observe, interrupted = INTERRUPTED_EVENT, remainingMs } = options;
  let settled = false;
  let timer: NodeJS.Timeout | undefined;
  const settle = (end: StreamEnd, error?: Error): boolean => {
    if (settled) return false;
    settled = true;
    clearTimeout(timer);
    onEnd(end, error);
    return true;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (remainingMs !== undefined) {
          timer = setTimeout(() => body.destroy(new Error('the request deadline passed mid-stream')), Math.max(1, remainingMs));
          timer.unref();
        }
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
    },
    { highWaterMark: 8 },
  );
}

export interface ReadLimits {
  /** Larger answers are cut off and count as failed: no backend may fill the instance's memory. */
  readonly maxBytes: number;
  /** The whole body must arrive within this; undici's body timeout only bounds the gaps. */
  readonly remainingMs: number;
}

/** Why a body could not be read whole: the backend dropped it, it outgrew the cap, or time ran out. */
export class BodyReadError extends Error {
  constructor(readonly reason: 'dropped' | 'too-large' | 'deadline') {
    super(`backend body ${reason}`);
    this.name = 'BodyReadError';
  }
}

/** Reads a whole JSON body within limits. Rejects with BodyReadError (and destroys the body) otherwise. */
export function readAll(body: Readable, limits: ReadLimits = { maxBytes: Number.POSITIVE_INFINITY, remainingMs: 0 }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (reason: BodyReadError['reason']): void => {
      clearTimeout(timer);
      body.destroy();
      reject(new BodyReadError(reason));
    };
    const timer = limits.remainingMs > 0 ? setTimeout(() => fail('deadline'), limits.remainingMs) : undefined;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return fail('too-large');
      chunks.push(chunk);
    });
    body.once('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks));
    });
    body.once('error', () => {
      clearTimeout(timer);
      reject(new BodyReadError('dropped'));
    });
  });
}

/** Drains a body we will not use so its connection goes back to the pool. */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.resume();
}
