/** Legacy completions (`text_completion`), in Azure OpenAI's shapes (non-stream and SSE). */
import { fillerTextJson } from './filler';
import { CHOICE_FILTER_JSON, PROMPT_FILTER_JSON } from './filter-results';
import { COMPLETIONS_MODEL, nextId, unixSeconds } from './ids';
import type { PlanResult } from './plan';
import { sendJson } from './reply';
import { sendStream, tokenStreamFrames } from './sse';
import { completionBudget, includeUsage, promptTexts, type CompletionBudget, type JsonObject } from './tokens';

function usageJson(promptTokens: number, completionTokens: number): string {
  const total = promptTokens + completionTokens;
  return `{"prompt_tokens":${promptTokens},"completion_tokens":${completionTokens},"total_tokens":${total}}`;
}

export function planCompletions(body: JsonObject, defaultCompletionTokens: number): PlanResult {
  const prompt = promptTexts(body.prompt);
  const budget = completionBudget(body, defaultCompletionTokens);
  const usage = usageJson(prompt.tokens, budget.tokens);
  return {
    operation: 'Completions_Create',
    chargeTokens: prompt.tokens + budget.charge,
    servedTokens: prompt.tokens + budget.tokens,
    flagged: prompt.flagged,
    respond: (ex) => {
      if (body.stream === true) sendStream(ex, completionFrames(budget, usage, includeUsage(body)));
      else sendJson(ex, 200, completionJson(budget, usage));
    },
  };
}

/** Spliced from precomputed fragments, like the chat answer: one serialization per answer. */
function completionJson(budget: CompletionBudget, usage: string): string {
  return (
    `{"id":"${nextId('cmpl-')}","object":"text_completion","created":${unixSeconds()},"model":"${COMPLETIONS_MODEL}",` +
    `"choices":[{"text":${fillerTextJson(budget.tokens)},"index":0,"finish_reason":"${budget.finishReason}",` +
    `"logprobs":null,"content_filter_results":${CHOICE_FILTER_JSON}}],"usage":${usage},` +
    `"prompt_filter_results":${PROMPT_FILTER_JSON}}`
  );
}

const tokenChoice = (tokenJson: string): string => `{"text":${tokenJson},"index":0,"logprobs":null,"finish_reason":null}`;

const FINAL_CHOICE = {
  stop: '{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}',
  length: '{"text":"","index":0,"logprobs":null,"finish_reason":"length"}',
} as const;

function completionFrames(budget: CompletionBudget, usage: string, withUsage: boolean): string[] {
  const head = `data: {"id":"${nextId('cmpl-')}","object":"text_completion","created":${unixSeconds()},` + `"model":"${COMPLETIONS_MODEL}","choices":[`;
  return tokenStreamFrames({
    head,
    leading: [],
    tokenChoice,
    tokens: budget.tokens,
    finalChoice: FINAL_CHOICE[budget.finishReason],
    usageJson: withUsage ? usage : undefined,
  });
}
