/** Chat finish reasons of a whole answer; `length` (truncated) and `content_filter` are never cached. */
const FINISHED: ReadonlySet<string> = new Set(['stop', 'tool_calls', 'function_call']);
/** Responses stream events that mean the answer is not whole. */
const BROKEN_EVENTS: ReadonlySet<string> = new Set(['error', 'response.failed', 'response.incomplete']);

export type AnswerKind = 'chat' | 'responses';

/**
 * Whether a 200 answer is whole and worth replaying: every chat choice finished on its own,
 * a Responses object completed; for streams, the stream ended as the API ends one (chat's
 * `[DONE]`, Responses' `response.completed`) with no error or interruption frame anywhere.
 */
export function isCompleteAnswer(kind: AnswerKind, stream: boolean, body: string): boolean {
  if (!stream) return kind === 'chat' ? chatFinished([parse(body)]) : responseCompleted(parse(body));
  const frames = dataFrames(body);
  if (kind === 'chat') {
    if (frames[frames.length - 1] !== '[DONE]') return false;
    const chunks = frames.slice(0, -1).map(parse);
    if (chunks.some((c) => c === undefined || c.error !== undefined)) return false;
    return chatFinished(chunks);
  }
  const events = frames.map(parse);
  if (events.some((e) => e === undefined || BROKEN_EVENTS.has(String(e.type)) || e.error !== undefined)) return false;
  const done = events.find((e) => e?.type === 'response.completed');
  return done !== undefined && responseCompleted(done.response as Record<string, unknown> | undefined);
}

function chatFinished(chunks: readonly (Record<string, unknown> | undefined)[]): boolean {
  const reasons: string[] = [];
  for (const chunk of chunks) {
    if (chunk === undefined || !Array.isArray(chunk.choices)) return false;
    for (const choice of chunk.choices as Record<string, unknown>[]) {
      if (typeof choice?.finish_reason === 'string') reasons.push(choice.finish_reason);
    }
  }
  return reasons.length > 0 && reasons.every((reason) => FINISHED.has(reason));
}

function responseCompleted(response: Record<string, unknown> | undefined): boolean {
  return response !== undefined && response.status === 'completed' && response.background !== true;
}

/** The payload of every `data:` line, in order (SSE events are separated by blank lines). */
export function dataFrames(body: string): string[] {
  const frames: string[] = [];
  for (const line of body.split(/\r?\n/)) if (line.startsWith('data:')) frames.push(line.slice(5).trim());
  return frames;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
