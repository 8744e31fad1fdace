import { Readable, Transform } from 'node:stream';

const EVENT_END = Buffer.from('\n\n');
/** A first event longer than this is not one we can judge; it is relayed as it is. */
const FIRST_EVENT_MAX_BYTES = 64 * 1024;

/**
 * Rewrites each complete SSE event (`…\n\n`) of a body with `rewrite`, holding back only an
 * incomplete tail, so a value split across chunks is still seen whole. A source error reaches
 * the returned stream (which ends the caller's stream with the interrupted event); destroying
 * the returned stream destroys the source, aborting the backend call.
 */
export function rewriteEvents(body: Readable, rewrite: (event: string) => string): Readable {
  let pending: Buffer = Buffer.alloc(0);
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const end = pending.lastIndexOf(EVENT_END);
      if (end < 0) return done();
      const complete = pending.subarray(0, end + EVENT_END.length);
      pending = pending.subarray(end + EVENT_END.length);
      done(null, Buffer.from(rewrite(complete.toString('utf8')), 'utf8'));
    },
    flush(done) {
      done(null, pending.length === 0 ? undefined : Buffer.from(rewrite(pending.toString('utf8')), 'utf8'));
    },
  });
  body.on('error', (error) => transform.destroy(error));
  transform.on('close', () => {
    if (!body.destroyed && !body.readableEnded) body.destroy();
  });
  return body.pipe(transform);
}

/**
 * The type of a stream's first event (`event:` line, else the data's `"type"`), read without
 * consuming it: the bytes go back to the front of the body. Undefined when the body ends or
 * fails before one whole event arrives.
 */
export function peekFirstEventType(body: Readable): Promise<string | undefined | Error> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: string | undefined | Error): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const head = Buffer.concat(chunks);
      const end = head.indexOf(EVENT_END);
      if (end < 0 && size < FIRST_EVENT_MAX_BYTES) return;
      body.pause();
      body.unshift(head);
      finish(eventType(head.subarray(0, end < 0 ? head.length : end).toString('utf8')));
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void => finish(error);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

function eventType(event: string): string {
  const named = /^event:\s*(\S+)/m.exec(event);
  if (named?.[1] !== undefined) return named[1];
  return /"type"\s*:\s*"([^"]+)"/.exec(event)?.[1] ?? 'message';
}
