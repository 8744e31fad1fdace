/** Chat completions, in Azure OpenAI's exact shapes (non-stream and SSE). */
import { missingProperty } from './errors';
import { fillerText } from './filler';
import { CHOICE_FILTER_RESULTS, PROMPT_FILTER_RESULTS } from './filter-results';
import { CHAT_MODEL, SYSTEM_FINGERPRINT, nextId, unixSeconds } from './ids';
import type { PlanResult } from './plan';
import { sendJson } from './reply';
import { sendStream, tokenStreamFrames } from './sse';
import {
  chatTriggersFilter,
  completionBudget,
  estimateChatPromptTokens,
  isObject,
  type CompletionBudget,
  type JsonObject,
} from './tokens';

/** The detail blocks current API versions send; constant, so shared. */
const COMPLETION_DETAILS = {
  accepted_prediction_tokens: 0,
  audio_tokens: 0,
  reasoning_tokens: 0,
  rejected_prediction_tokens: 0,
} as const;
const PROMPT_DETAILS = { audio_tokens: 0, cached_tokens: 0 } as const;

interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

function chatUsage(promptTokens: number, completionTokens: number): ChatUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    ...{ completion_tokens_details: COMPLETION_DETAILS, prompt_tokens_details: PROMPT_DETAILS },
  };
}

export function planChat(body: JsonObject, defaultCompletionTokens: number): PlanResult {
  const messages = body.messages;
  if (!Array.isArray(messages)) return missingProperty('messages');
  const promptTokens = estimateChatPromptTokens(messages);
  const budget = completionBudget(body, defaultCompletionTokens);
  const usage = chatUsage(promptTokens, budget.tokens);
  return {
    operation: 'ChatCompletions_Create',
    chargeTokens: promptTokens + budget.charge,
    servedTokens: usage.total_tokens,
    flagged: chatTriggersFilter(messages),
    respond: (ex) => {
      if (body.stream === true) sendStream(ex, chatFrames(budget, usage, includeUsage(body)));
      else sendJson(ex, 200, chatCompletionJson(budget, usage));
    },
  };
}

export function includeUsage(body: JsonObject): boolean {
  return isObject(body.stream_options) && body.stream_options.include_usage === true;
}

function chatCompletionJson(budget: CompletionBudget, usage: ChatUsage): string {
  return JSON.stringify({
    id: nextId('chatcmpl-'),
    object: 'chat.completion',
    created: unixSeconds(),
    model: CHAT_MODEL,
    choices: [
      {
        index: 0,
        finish_reason: budget.finishReason,
        logprobs: null,
        message: { role: 'assistant', content: fillerText(budget.tokens), refusal: null, annotations: [] },
        content_filter_results: CHOICE_FILTER_RESULTS,
      },
    ],
    usage,
    system_fingerprint: SYSTEM_FINGERPRINT,
    prompt_filter_results: PROMPT_FILTER_RESULTS,
  });
}

const tokenChoice = (tokenJson: string): string =>
  `{"index":0,"delta":{"content":${tokenJson}},"logprobs":null,"finish_reason":null}`;

const FINAL_CHOICE = {
  stop: '{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}',
  length: '{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}',
} as const;

const ROLE_CHOICE = '{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}';

function chatFrames(budget: CompletionBudget, usage: ChatUsage, withUsage: boolean): string[] {
  const head =
    `data: {"id":"${nextId('chatcmpl-')}","object":"chat.completion.chunk","created":${unixSeconds()},` +
    `"model":"${CHAT_MODEL}","system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":[`;
  return tokenStreamFrames({
    head,
    leading: [`${head}${ROLE_CHOICE}]}\n\n`],
    tokenChoice,
    tokens: budget.tokens,
    finalChoice: FINAL_CHOICE[budget.finishReason],
    usageJson: withUsage ? JSON.stringify(usage) : undefined,
  });
}
