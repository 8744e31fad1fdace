/**
 * Server-sent events the way Azure OpenAI streams them: `data: <json>\n\n` frames, then
 * `data: [DONE]` for chat and completions; the Responses grammar (`event:` + `data:`, no
 * `[DONE]`) shares the headers and the ending.
 */
import { fillerTokenJson } from './filler';
import { PROMPT_FILTER_RESULTS } from './filter-results';
import { countAnswer, cutConnection, deliver, replyHeaders } from './reply';
import type { Exchange } from './state';

const SSE_TYPE = 'text/event-stream';

export const DONE_FRAME = 'data: [DONE]\n\n';

/** Azure's first frame carries only the prompt filter verdict, with empty id/model and no choices. */
export const PROMPT_FILTER_FRAME = `data: ${JSON.stringify({
  choices: [],
  created: 0,
  id: '',
  model: '',
  object: '',
  prompt_filter_results: PROMPT_FILTER_RESULTS,
})}\n\n`;

export interface TokenStream {
  /** Frame text up to and including `"choices":[`, shared by every frame of the answer. */
  readonly head: string;
  /** Frames between the prompt-filter frame and the tokens (the chat role frame). */
  readonly leading: readonly string[];
  /** The choice object for one token, given the token as a JSON string literal. */
  readonly tokenChoice: (tokenJson: string) => string;
  readonly tokens: number;
  readonly finalChoice: string;
  /** Serialized usage when the caller asked for stream_options.include_usage. */
  readonly usageJson: string | undefined;
}

/** Builds every frame by splicing precomputed pieces: no JSON.stringify per token. */
export function tokenStreamFrames(stream: TokenStream): string[] {
  const { head, tokenChoice } = stream;
  const frames = [PROMPT_FILTER_FRAME, ...stream.leading];
  for (let index = 0; index < stream.tokens; index++) {
    frames.push(`${head}${tokenChoice(fillerTokenJson(index))}]}\n\n`);
  }
  frames.push(`${head}${stream.finalChoice}]}\n\n`);
  // Azure/OpenAI send usage last, in a frame of its own with no choices.
  if (stream.usageJson !== undefined) frames.push(`${head}],"usage":${stream.usageJson}}\n\n`);
  frames.push(DONE_FRAME);
  return frames;
}

/** Writes the 200 and the SSE headers, counting the answer; the frames follow. */
export function openEventStream(ex: Exchange): void {
  const headers = replyHeaders(ex, SSE_TYPE);
  headers['cache-control'] = 'no-cache';
  countAnswer(ex, 200);
  ex.res.writeHead(200, headers);
}

/** Sends 200 + the frames, each as its own write, `chunkIntervalMs` apart. */
export function sendStream(ex: Exchange, frames: readonly string[]): void {
  deliver(ex, true, () => {
    openEventStream(ex);
    const count = Math.min(frames.length, ex.dropAfterChunks ?? frames.length);
    if (ex.state.chunkIntervalMs <= 0) writeAll(ex, frames, count);
    else writePaced(ex, frames, count, ex.state.chunkIntervalMs);
  });
}

function writeAll(ex: Exchange, frames: readonly string[], count: number): void {
  for (let index = 0; index < count; index++) ex.res.write(frames[index]);
  finishEventStream(ex);
}

/** First frame at once (Azure sends the filter verdict right away), then one per interval. */
function writePaced(ex: Exchange, frames: readonly string[], count: number, intervalMs: number): void {
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => clearTimeout(timer);
  const tick = (): void => {
    if (ex.res.destroyed) return;
    if (index >= count) {
      ex.res.off('close', stop);
      finishEventStream(ex);
      return;
    }
    ex.res.write(frames[index++]);
    timer = setTimeout(tick, intervalMs);
  };
  ex.res.once('close', stop);
  tick();
}

/** Ends the stream, or cuts it when a `dropMidStream` fault hit the request. */
export function finishEventStream(ex: Exchange): void {
  if (ex.dropAfterChunks === undefined) ex.res.end();
  else cutConnection(ex.res);
}
