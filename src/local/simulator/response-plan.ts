/**
 * A Responses create request read and checked against this resource's memory, before the
 * limiter runs: what it will cost, and the finished response it will become. Everything
 * that can refuse it (a previous response, conversation, item or reasoning blob this
 * resource does not hold) is decided here, so a misrouted follow-up is not charged.
 */
import {
  BACKGROUND_NEEDS_STORE,
  belowMinimum,
  conversationNotFound,
  invalidType,
  missingProperty,
  PREVIOUS_RESPONSE_OR_CONVERSATION,
  previousResponseNotFound,
} from './errors';
import { storedId, unixSeconds } from './ids';
import type { StoredConversation, StoredResponse } from './memory';
import { buildResponse, includesEncryptedReasoning, type BuiltResponse } from './response-object';
import { itemsTokens, readInput, Refusal } from './response-input';
import type { BackendState } from './state';
import { completionBudget, estimateChatPromptTokens, isObject, type JsonObject } from './tokens';

/** OpenAI refuses smaller caps on the Responses API. */
const MIN_OUTPUT_TOKENS = 16;

export interface ResponsePlan {
  readonly operation: string;
  /** Charged on arrival: input (with the inherited context) + max_output_tokens, like chat. */
  readonly chargeTokens: number;
  readonly servedTokens: number;
  readonly flagged: boolean;
  readonly stream: boolean;
  readonly background: boolean;
  readonly store: boolean;
  readonly response: BuiltResponse;
  readonly outputTokens: number;
  readonly inputItems: readonly JsonObject[];
  readonly conversation: StoredConversation | undefined;
  /** Tokens re-read from the previous response or conversation (this resource just read them: cached when long enough). */
  readonly contextTokens: number;
  /** Instructions and input as the prompt cache compares them. */
  readonly promptText: string;
  readonly inputTokens: number;
}

interface Context {
  readonly previous: StoredResponse | undefined;
  readonly conversation: StoredConversation | undefined;
  /** Tokens the model re-reads from them. */
  readonly tokens: number;
}

export function planResponse(state: BackendState, body: JsonObject, deployment: string): ResponsePlan | Refusal {
  const { memory } = state;
  const store = body.store !== false;
  const background = body.background === true;
  if (background && !store) return new Refusal(400, BACKGROUND_NEEDS_STORE);
  const cap = outputCap(body.max_output_tokens);
  if (cap instanceof Refusal) return cap;
  const context = readContext(state, body);
  if (context instanceof Refusal) return context;
  const input = readInput(memory, body.input);
  if (input instanceof Refusal) return input;
  if (body.input === undefined && context.previous === undefined && context.conversation === undefined) {
    return new Refusal(400, missingProperty('input'));
  }
  const instructions = typeof body.instructions === 'string' ? estimateChatPromptTokens([{ content: body.instructions }]) : 0;
  const inputTokens = context.tokens + instructions + input.tokens;
  const budget = completionBudget({ max_tokens: cap }, state.completionTokens);
  const response = buildResponse({
    id: storedId('resp_'),
    createdAt: unixSeconds(),
    deployment,
    body,
    background,
    store,
    previousResponseId: context.previous?.id,
    conversationId: context.conversation?.id,
    inputTokens,
    budget,
    sealWith: includesEncryptedReasoning(body) ? memory.secret : undefined,
  });
  return {
    operation: 'Responses_Create',
    chargeTokens: inputTokens + budget.charge,
    servedTokens: inputTokens + budget.tokens,
    flagged: input.flagged,
    stream: body.stream === true,
    background,
    store,
    response,
    outputTokens: budget.tokens,
    inputItems: input.items,
    conversation: context.conversation,
    contextTokens: context.tokens,
    promptText: `${typeof body.instructions === 'string' ? body.instructions : ''}\u0002${JSON.stringify(input.items)}`,
    inputTokens,
  };
}

function outputCap(value: unknown): number | undefined | Refusal {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return new Refusal(400, invalidType('max_output_tokens', 'an integer', value));
  }
  if (value < MIN_OUTPUT_TOKENS) return new Refusal(400, belowMinimum('max_output_tokens', MIN_OUTPUT_TOKENS, value));
  return value;
}

/** The stored context the request continues: a previous response, or a conversation, of this resource. */
function readContext(state: BackendState, body: JsonObject): Context | Refusal {
  const { memory } = state;
  const previousId = body.previous_response_id;
  const conversationId = conversationIdOf(body.conversation);
  if (conversationId instanceof Refusal) return conversationId;
  if (previousId !== undefined && previousId !== null && conversationId !== undefined) {
    return new Refusal(400, PREVIOUS_RESPONSE_OR_CONVERSATION);
  }
  if (typeof previousId === 'string') {
    const previous = memory.responses.get(previousId);
    if (previous === undefined) return new Refusal(400, previousResponseNotFound(previousId));
    return { previous, conversation: undefined, tokens: previous.contextTokens };
  }
  if (previousId !== undefined && previousId !== null) {
    return new Refusal(400, invalidType('previous_response_id', 'a string', previousId));
  }
  if (conversationId === undefined) return { previous: undefined, conversation: undefined, tokens: 0 };
  const conversation = memory.conversations.get(conversationId);
  if (conversation === undefined) return new Refusal(404, conversationNotFound(conversationId, 'conversation'));
  return { previous: undefined, conversation, tokens: itemsTokens(conversation.items) };
}

/** `conversation` is an id or `{id}`. */
function conversationIdOf(value: unknown): string | undefined | Refusal {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.id === 'string') return value.id;
  return new Refusal(400, invalidType('conversation', 'a string or an object with an id', value));
}
