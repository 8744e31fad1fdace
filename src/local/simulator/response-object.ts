/**
 * The response object of the Responses API, field for field as Azure OpenAI sends it (and
 * as the openai SDK's `Response` type reads it), built from the request it answers. The
 * finished object is built once; queued, in-progress and cancelled views derive from it.
 */
import { fillerText } from './filler';
import { storedId } from './ids';
import type { ResponseStatus } from './memory';
import { seal } from './seal';
import { isObject, type CompletionBudget, type JsonObject } from './tokens';

export interface ResponseSpec {
  readonly id: string;
  readonly createdAt: number;
  readonly deployment: string;
  readonly body: JsonObject;
  readonly background: boolean;
  readonly store: boolean;
  readonly previousResponseId: string | undefined;
  readonly conversationId: string | undefined;
  readonly inputTokens: number;
  readonly budget: CompletionBudget;
  /** Sealing secret when the request includes `reasoning.encrypted_content`. */
  readonly sealWith: Buffer | undefined;
}

export interface BuiltResponse {
  readonly id: string;
  readonly object: JsonObject;
  readonly output: readonly JsonObject[];
}

export function buildResponse(spec: ResponseSpec): BuiltResponse {
  const { body, budget } = spec;
  const incomplete = budget.finishReason === 'length';
  const output = outputItems(spec, incomplete);
  const object: JsonObject = {
    id: spec.id,
    object: 'response',
    created_at: spec.createdAt,
    status: incomplete ? 'incomplete' : 'completed',
    background: spec.background,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
    model: spec.deployment,
    output,
    parallel_tool_calls: typeof body.parallel_tool_calls === 'boolean' ? body.parallel_tool_calls : true,
    previous_response_id: spec.previousResponseId ?? null,
    conversation: spec.conversationId === undefined ? null : { id: spec.conversationId },
    reasoning: reasoningOf(body.reasoning),
    store: spec.store,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: isObject(body.text) ? { format: TEXT_FORMAT, ...body.text } : { format: TEXT_FORMAT },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: body.truncation === 'auto' ? 'auto' : 'disabled',
    usage: usageOf(spec.inputTokens, budget.tokens),
    user: typeof body.user === 'string' ? body.user : null,
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
  return { id: spec.id, object, output };
}

const TEXT_FORMAT = { type: 'text' } as const;

function reasoningOf(value: unknown): JsonObject {
  const reasoning = isObject(value) ? value : {};
  return { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null };
}

function usageOf(inputTokens: number, outputTokens: number): JsonObject {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

/** A reasoning item first when the caller asked for its encrypted content, then the answer. */
function outputItems(spec: ResponseSpec, incomplete: boolean): JsonObject[] {
  const text = { type: 'output_text', text: fillerText(spec.budget.tokens), annotations: [] };
  const message = {
    id: storedId('msg_'),
    type: 'message',
    status: incomplete ? 'incomplete' : 'completed',
    role: 'assistant',
    content: [text],
  };
  if (spec.sealWith === undefined) return [message];
  const id = storedId('rs_');
  const reasoning = { id, type: 'reasoning', summary: [], encrypted_content: seal(spec.sealWith, JSON.stringify({ id })) };
  return [reasoning, message];
}

/** The object while queued, generating, or after a cancel: nothing generated yet, no usage. */
export function responseView(object: JsonObject, status: ResponseStatus): JsonObject {
  if (status === object.status) return object;
  return { ...object, status, incomplete_details: null, output: [], usage: null };
}

/** Whether the caller asked for `reasoning.encrypted_content`. */
export function includesEncryptedReasoning(body: JsonObject): boolean {
  return Array.isArray(body.include) && body.include.includes('reasoning.encrypted_content');
}
