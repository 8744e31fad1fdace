/**
 * What Azure charges a request against TPM on arrival: an estimate of the prompt (the
 * operation's own estimator, see operations.ts) plus the completion allowance
 * (max_tokens / max_completion_tokens). About four characters a token, as Azure's own
 * estimator; precision only matters near the limit.
 */
export function estimateTokens(estimatePrompt: (body: Readonly<Record<string, unknown>>) => number, body: Readonly<Record<string, unknown>>): number {
  return estimatePrompt(body) + completionAllowance(body);
}

/**
 * Chat: the messages' text (and tool calls), images, plus Azure's per-message overhead, and
 * the tool definitions and response schema Azure puts into the prompt too. A limit that only
 * counted message text would let tools and schemas through for free.
 */
export function estimateChatPrompt(body: Readonly<Record<string, unknown>>): number {
  if (!Array.isArray(body.messages)) return 0;
  let characters = jsonLength(body.tools) + jsonLength(body.functions) + jsonLength(body.response_format);
  let images = 0;
  for (const message of body.messages as unknown[]) {
    const fields = (message ?? {}) as { content?: unknown; tool_calls?: unknown };
    characters += contentLength(fields.content) + jsonLength(fields.tool_calls);
    images += imageParts(fields.content);
  }
  return Math.ceil(characters / 4) + images * IMAGE_TOKENS + 3 * body.messages.length + 3;
}

/** A high-detail 1024×1024 image: 85 base tokens plus 4 tiles of 170. Smaller ones cost less; this errs high. */
const IMAGE_TOKENS = 765;

function imageParts(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  return (content as unknown[]).filter(
    (part) => (part as { type?: unknown } | null)?.type === 'image_url' || (part as { type?: unknown } | null)?.type === 'input_image',
  ).length;
}

const jsonLength = (value: unknown): number => (value === undefined || value === null ? 0 : JSON.stringify(value).length);

/** Legacy completions: the prompt. */
export function estimateCompletionsPrompt(body: Readonly<Record<string, unknown>>): number {
  return Math.ceil(contentLength(body.prompt) / 4);
}

/** Embeddings: the input text(s). */
export function estimateEmbeddingsInput(body: Readonly<Record<string, unknown>>): number {
  return Math.ceil(contentLength(body.input) / 4);
}

/**
 * Responses: `instructions`, then `input` as a string or as items (messages with string or part
 * content, tool outputs), plus the tool definitions Azure counts into the prompt too.
 */
export function estimateResponsesPrompt(body: Readonly<Record<string, unknown>>): number {
  let characters = contentLength(body.instructions);
  if (typeof body.input === 'string') characters += body.input.length;
  else if (Array.isArray(body.input)) {
    for (const item of body.input as unknown[]) {
      const fields = (item ?? {}) as { content?: unknown; output?: unknown; arguments?: unknown };
      characters += contentLength(fields.content) + contentLength(fields.output) + contentLength(fields.arguments);
    }
  }
  if (Array.isArray(body.tools)) characters += JSON.stringify(body.tools).length;
  return Math.ceil(characters / 4);
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

function completionAllowance(body: Readonly<Record<string, unknown>>): number {
  const max = outputLimit(body);
  return max === undefined ? 0 : max * choices(body);
}

/** The caller's own output limit, whichever field its API names it in. */
function outputLimit(body: Readonly<Record<string, unknown>>): number | undefined {
  const max = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  return typeof max === 'number' && max > 0 ? max : undefined;
}

const choices = (body: Readonly<Record<string, unknown>>): number => (typeof body.n === 'number' && body.n > 1 ? body.n : 1);

/** What a caller that names no limit is assumed to generate, for time budgets only. */
export const UNLIMITED_OUTPUT_ASSUMED_TOKENS = 1024;

/**
 * The most output tokens this request may generate: its own limit (max_completion_tokens,
 * max_tokens, max_output_tokens, times n), else an assumption; operations that do not
 * generate (embeddings, reads of stored objects) none.
 */
export function outputAllowance(generates: boolean, body: Readonly<Record<string, unknown>>): number {
  if (!generates) return 0;
  return (outputLimit(body) ?? UNLIMITED_OUTPUT_ASSUMED_TOKENS) * choices(body);
}
