/**
 * A response as Responses-API server-sent events: `event: <type>\ndata: <json>\n\n`, each
 * carrying its `sequence_number`, from `response.created` to the terminal
 * `response.completed` (or `response.incomplete`), with no `data: [DONE]` after it.
 * One delta per filler token, spliced from precomputed pieces like the chat frames.
 */
import { fillerTokenJson } from './filler';
import type { ResponseStatus } from './memory';
import { responseView } from './response-object';
import type { JsonObject } from './tokens';

export interface ResponseEvents {
  readonly frames: string[];
  /** Index (= sequence number) of the `response.in_progress` event. */
  readonly inProgressAt: number;
}

export function responseEvents(object: JsonObject, tokens: number): ResponseEvents {
  const frames: string[] = [];
  const push = (type: string, fields: JsonObject): void => {
    frames.push(frame(type, JSON.stringify({ type, ...fields, sequence_number: frames.length })));
  };
  const view = (status: ResponseStatus): JsonObject => ({ response: responseView(object, status) });
  const background = object.background === true;
  push('response.created', view(background ? 'queued' : 'in_progress'));
  if (background) push('response.queued', view('queued'));
  const inProgressAt = frames.length;
  push('response.in_progress', view('in_progress'));
  const output = Array.isArray(object.output) ? (object.output as JsonObject[]) : [];
  for (const [index, item] of output.entries()) {
    if (item.type === 'message') pushMessage(frames, push, item, index, tokens);
    else {
      push('response.output_item.added', { output_index: index, item: { id: item.id, type: item.type, summary: [] } });
      push('response.output_item.done', { output_index: index, item });
    }
  }
  const terminal = object.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  push(terminal, { response: object });
  return { frames, inProgressAt };
}

type Push = (type: string, fields: JsonObject) => void;

function pushMessage(frames: string[], push: Push, item: JsonObject, index: number, tokens: number): void {
  const itemId = String(item.id);
  const at = { item_id: itemId, output_index: index, content_index: 0 };
  const content = Array.isArray(item.content) ? (item.content as JsonObject[]) : [];
  const text = typeof content[0]?.text === 'string' ? content[0].text : '';
  push('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
  push('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], text: '' } });
  const head = `{"type":"response.output_text.delta","item_id":${JSON.stringify(itemId)},` + `"output_index":${index},"content_index":0,"delta":`;
  for (let token = 0; token < tokens; token++) {
    const json = `${head}${fillerTokenJson(token)},"logprobs":[],"sequence_number":${frames.length}}`;
    frames.push(frame('response.output_text.delta', json));
  }
  push('response.output_text.done', { ...at, text, logprobs: [] });
  push('response.content_part.done', { ...at, part: { type: 'output_text', annotations: [], text } });
  push('response.output_item.done', { output_index: index, item });
}

function frame(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}
