/**
 * What Azure charges a request against TPM on arrival: an estimate of the prompt plus the
 * completion allowance (max_tokens / max_completion_tokens). About four characters a token,
 * as Azure's own estimator; precision only matters near the limit.
 */
export function estimateTokens(body: Readonly<Record<string, unknown>>): number {
  return estimatePromptTokens(body) + completionAllowance(body);
}

/** The prompt alone: what a stream's usage is estimated from when the backend did not report it. */
export function estimatePromptTokens(body: Readonly<Record<string, unknown>>): number {
  return Math.ceil(promptCharacters(body) / 4) + messageOverhead(body);
}

function promptCharacters(body: Readonly<Record<string, unknown>>): number {
  if (Array.isArray(body.messages)) {
    let total = 0;
    for (const message of body.messages as unknown[]) total += contentLength((message as { content?: unknown } | null)?.content);
    return total;
  }
  return contentLength(body.prompt) + contentLength(body.input);
}

function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content)) {
    let total = 0;
    for (const part of content as unknown[]) {
      total += typeof part === 'string' ? part.length : contentLength((part as { text?: unknown } | null)?.text);
    }
    return total;
  }
  return 0;
}

function messageOverhead(body: Readonly<Record<string, unknown>>): number {
  return Array.isArray(body.messages) ? 3 * body.messages.length + 3 : 0;
}

function completionAllowance(body: Readonly<Record<string, unknown>>): number {
  const n = typeof body.n === 'number' && body.n > 1 ? body.n : 1;
  const max = body.max_completion_tokens ?? body.max_tokens;
  return typeof max === 'number' && max > 0 ? max * n : 0;
}

/** What a caller that names no limit is assumed to generate, for time budgets only. */
export const UNLIMITED_OUTPUT_ASSUMED_TOKENS = 1024;

/**
 * The most output tokens this request may generate: its own limit (max_completion_tokens,
 * max_tokens, max_output_tokens, times n), else an assumption; embeddings generate none.
 */
export function outputAllowance(operation: string, body: Readonly<Record<string, unknown>>): number {
  if (operation === 'embeddings') return 0;
  const n = typeof body.n === 'number' && body.n > 1 ? body.n : 1;
  const max = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  return (typeof max === 'number' && max > 0 ? max : UNLIMITED_OUTPUT_ASSUMED_TOKENS) * n;
}
