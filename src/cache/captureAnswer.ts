import { OperationRow } from '../core/operations';
import { estimateUsage, findUsage, TokenUsage } from '../core/usage';
import { RoutedResponse } from '../router/types';
import { MAX_STORED_BODY_BYTES } from './CacheStore';
import { AnswerKind, isCompleteAnswer } from './completeAnswer';

/** A whole answer, as the caller received it. */
export interface Captured {
  readonly body: Buffer;
  readonly contentType: string;
  readonly usage: TokenUsage | undefined;
}

/**
 * The same response, with its body watched on the way to the caller: `onComplete` fires
 * once the caller has it all and it is a whole answer (never for an error, a truncated or
 * interrupted answer, a cancelled stream, or one too large to store). A JSON body is already
 * buffered; a stream is teed chunk by chunk, the caller never waits for the copy.
 */
export function captureAnswer(
  response: RoutedResponse,
  operation: OperationRow,
  json: Readonly<Record<string, unknown>>,
  stream: boolean,
  onComplete: (captured: Captured) => void,
): RoutedResponse {
  if (response.status !== 200) return response;
  const kind: AnswerKind = operation.name === 'responses' ? 'responses' : 'chat';
  const contentType = response.headers['content-type'] ?? (stream ? 'text/event-stream' : 'application/json');
  const finish = (body: Buffer): void => {
    if (body.length > MAX_STORED_BODY_BYTES || !isCompleteAnswer(kind, stream, body.toString('utf8'))) return;
    onComplete({ body, contentType, usage: usageOf(body, operation, json, stream) });
  };
  if (Buffer.isBuffer(response.body)) {
    finish(response.body);
    return response;
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  const tap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      size += chunk.byteLength;
      if (size <= MAX_STORED_BODY_BYTES) parts.push(chunk);
    },
    flush() {
      if (size <= MAX_STORED_BODY_BYTES) finish(Buffer.concat(parts));
    },
  });
  return { ...response, body: response.body.pipeThrough(tap) };
}

/** Reported usage, else (a stream that did not ask for it) the router's usual estimate. */
function usageOf(body: Buffer, operation: OperationRow, json: Readonly<Record<string, unknown>>, stream: boolean): TokenUsage | undefined {
  const text = body.toString('utf8');
  const reported = findUsage(text, operation.usage);
  if (reported !== undefined || !stream || operation.stream === undefined) return reported;
  const marker = operation.stream.contentDelta;
  let deltas = 0;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) deltas++;
  return estimateUsage(operation.estimatePrompt(json), deltas);
}
