import { UsageFields } from './operations';

/** Token counts of one answered request, as the backend reported them or as estimated. */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  /** Prompt tokens Azure served from its prompt cache (cheaper, and free PTU capacity). */
  readonly cachedTokens?: number;
  /** Completion tokens spent on hidden reasoning. */
  readonly reasoningTokens?: number;
  /** True when the backend did not report usage (a stream without include_usage). */
  readonly estimated: boolean;
}

const USAGE_KEY = '"usage":';

/**
 * Finds the `usage` object in a JSON body or SSE chunk without parsing the whole body: the
 * last `"usage":{…}` is cut out by brace matching and parsed alone.
 */
export function findUsage(text: string, fields: UsageFields): TokenUsage | undefined {
  const at = text.lastIndexOf(USAGE_KEY);
  if (at < 0) return undefined;
  let start = at + USAGE_KEY.length;
  while (text[start] === ' ') start++;
  if (text[start] !== '{') return undefined;
  const end = matchingBrace(text, start);
  if (end < 0) return undefined;
  try {
    const usage = JSON.parse(text.slice(start, end + 1)) as Record<string, unknown>;
    const count = (name: string): number | undefined => (typeof usage[name] === 'number' ? usage[name] : undefined);
    const prompt = count(fields.prompt) ?? 0;
    const completion = count(fields.completion) ?? 0;
    const total = count(fields.total) ?? prompt + completion;
    const detail = (object: string, name: string): number | undefined => {
      const value = (usage[object] as Record<string, unknown> | null | undefined)?.[name];
      return typeof value === 'number' ? value : undefined;
    };
    const cached = detail(fields.promptDetails, 'cached_tokens');
    const reasoning = detail(fields.completionDetails, 'reasoning_tokens');
    return {
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: total,
      ...(cached === undefined ? {} : { cachedTokens: cached }),
      ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
      estimated: false,
    };
  } catch {
    return undefined;
  }
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return i;
  }
  return -1;
}

/** For streams without reported usage: the prompt estimate, and about one token per content delta. */
export function estimateUsage(promptTokens: number, contentDeltas: number): TokenUsage {
  return { promptTokens, completionTokens: contentDeltas, totalTokens: promptTokens + contentDeltas, estimated: true };
}
