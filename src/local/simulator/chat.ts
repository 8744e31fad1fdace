/** Chat completions, in Azure OpenAI's exact shapes (non-stream and SSE). Each answer is serialized once. */
import { missingProperty } from './errors';
import { fillerTextJson } from './filler';
import { CHOICE_FILTER_JSON, PROMPT_FILTER_JSON } from './filter-results';
import { CHAT_MODEL, SYSTEM_FINGERPRINT, nextId, unixSeconds } from './ids';
import type { PlanResult } from './plan';
import { sendJson } from './reply';
import { cachedLatencyMs, chatPromptText } from './promptCache';
import { sendStream, tokenStreamFrames } from './sse';
import { chatTriggersFilter, completionBudget, estimateChatPromptTokens, includeUsage, type CompletionBudget, type JsonObject } from './tokens';

/** The detail blocks current API versions send; constant, so serialized once. */
const COMPLETION_DETAILS = JSON.stringify({
  completion_tokens_details: {
    accepted_prediction_tokens: 0,
    audio_tokens: 0,
    reasoning_tokens: 0,
    rejected_prediction_tokens: 0,
  },
}).slice(1, -1);

function chatUsageJson(promptTokens: number, completionTokens: number, cachedTokens: number): string {
  const total = promptTokens + completionTokens;
  return (
    `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${total},${COMPLETION_DETAILS},` +
    `"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":${cachedTokens}}}`
  );
}

export function planChat(body: JsonObject, defaultCompletionTokens: number): PlanResult {
  const messages = body.messages;
  if (!Array.isArray(messages)) return missingProperty('messages');
  const promptTokens = estimateChatPromptTokens(messages);
  const budget = completionBudget(body, defaultCompletionTokens);
  return {
    operation: 'ChatCompletions_Create',
    chargeTokens: promptTokens + budget.charge,
    servedTokens: promptTokens + budget.tokens,
    flagged: chatTriggersFilter(messages),
    respond: (ex) => {
      // Only an admitted request reads (and fills) the prompt cache.
      const cached = ex.state.promptCache.serve(ex.deployment ?? '', chatPromptText(messages), promptTokens, ex.state.now());
      ex.latencyScale = cachedLatencyMs(1000, cached, promptTokens) / 1000;
      const usage = chatUsageJson(promptTokens, budget.tokens, cached);
      if (body.stream === true) sendStream(ex, chatFrames(budget, usage, includeUsage(body)));
      else sendJson(ex, 200, chatCompletionJson(budget, usage));
    },
  };
}

/**
 * Spliced from precomputed fragments: the bytes JSON.stringify would produce, without
 * walking the constant filter annotations again for every answer.
 */
function chatCompletionJson(budget: CompletionBudget, usageJson: string): string {
  return (
    `{"id":"${nextId('chatcmpl-')}","object":"chat.completion","created":${unixSeconds()},"model":"${CHAT_MODEL}",` +
    `"choices":[{"index":0,"finish_reason":"${budget.finishReason}","logprobs":null,` +
    `"message":{"role":"assistant","content":${fillerTextJson(budget.tokens)},"refusal":null,"annotations":[]},` +
    `"content_filter_results":${CHOICE_FILTER_JSON}}],"usage":${usageJson},` +
    `"system_fingerprint":"${SYSTEM_FINGERPRINT}","prompt_filter_results":${PROMPT_FILTER_JSON}}`
  );
}

const tokenChoice = (tokenJson: string): string => `{"index":0,"delta":{"content":${tokenJson}},"logprobs":null,"finish_reason":null}`;

const FINAL_CHOICE = {
  stop: '{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}',
  length: '{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}',
} as const;

const ROLE_CHOICE = '{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}';

function chatFrames(budget: CompletionBudget, usageJson: string, withUsage: boolean): string[] {
  const head =
    `data: {"id":"${nextId('chatcmpl-')}","object":"chat.completion.chunk","created":${unixSeconds()},` +
    `"model":"${CHAT_MODEL}","system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":[`;
  return tokenStreamFrames({
    head,
    leading: [`${head}${ROLE_CHOICE}]}\n\n`],
    tokenChoice,
    tokens: budget.tokens,
    finalChoice: FINAL_CHOICE[budget.finishReason],
    usageJson: withUsage ? usageJson : undefined,
  });
}
