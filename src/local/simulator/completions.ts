/** Legacy completions (`text_completion`), in Azure OpenAI's shapes (non-stream and SSE). */
import { includeUsage } from './chat';
import { fillerText } from './filler';
import { CHOICE_FILTER_RESULTS, PROMPT_FILTER_RESULTS } from './filter-results';
import { COMPLETIONS_MODEL, nextId, unixSeconds } from './ids';
import type { PlanResult } from './plan';
import { sendJson } from './reply';
import { sendStream, tokenStreamFrames } from './sse';
import { completionBudget, promptTexts, type CompletionBudget, type JsonObject } from './tokens';

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function planCompletions(body: JsonObject, defaultCompletionTokens: number): PlanResult {
  const prompt = promptTexts(body.prompt);
  const budget = completionBudget(body, defaultCompletionTokens);
  const usage: Usage = {
    prompt_tokens: prompt.tokens,
    completion_tokens: budget.tokens,
    total_tokens: prompt.tokens + budget.tokens,
  };
  return {
    operation: 'Completions_Create',
    chargeTokens: prompt.tokens + budget.charge,
    servedTokens: usage.total_tokens,
    flagged: prompt.flagged,
    respond: (ex) => {
      if (body.stream === true) sendStream(ex, completionFrames(budget, usage, includeUsage(body)));
      else sendJson(ex, 200, completionJson(budget, usage));
    },
  };
}

function completionJson(budget: CompletionBudget, usage: Usage): string {
  return JSON.stringify({
    id: nextId('cmpl-'),
    object: 'text_completion',
    created: unixSeconds(),
    model: COMPLETIONS_MODEL,
    choices: [
      {
        text: fillerText(budget.tokens),
        index: 0,
        finish_reason: budget.finishReason,
        logprobs: null,
        content_filter_results: CHOICE_FILTER_RESULTS,
      },
    ],
    usage,
    prompt_filter_results: PROMPT_FILTER_RESULTS,
  });
}

const tokenChoice = (tokenJson: string): string => `{"text":${tokenJson},"index":0,"logprobs":null,"finish_reason":null}`;

const FINAL_CHOICE = {
  stop: '{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}',
  length: '{"text":"","index":0,"logprobs":null,"finish_reason":"length"}',
} as const;

function completionFrames(budget: CompletionBudget, usage: Usage, withUsage: boolean): string[] {
  const head =
    `data: {"id":"${nextId('cmpl-')}","object":"text_completion","created":${unixSeconds()},` +
    `"model":"${COMPLETIONS_MODEL}","choices":[`;
  return tokenStreamFrames({
    head,
    leading: [],
    tokenChoice,
    tokens: budget.tokens,
    finalChoice: FINAL_CHOICE[budget.finishReason],
    usageJson: withUsage ? JSON.stringify(usage) : undefined,
  });
}
