/** Reads one response header by lower-case name. */
export type HeaderLookup = (name: string) => string | undefined;

const HTTP_DATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const NUMBER = /^\d+(\.\d+)?$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * How long the backend asked us to stay away, in ms, or undefined when it did not say.
 * Sources, most precise first: retry-after-ms, x-ms-retry-after-ms, retry-after (seconds,
 * decimal seconds or HTTP date), then the later of x-ratelimit-reset-requests/-tokens.
 * Garbage in one source falls through to the next.
 */
export function parseRetryAfterMs(header: HeaderLookup, nowMs: number): number | undefined {
  return readRetryAfter(header, nowMs)?.ms;
}

/** How long, and whether the backend said it to the millisecond (retry-after-ms, x-ms-retry-after-ms). */
export interface RetryAfter {
  readonly ms: number;
  readonly precise: boolean;
}

export function readRetryAfter(header: HeaderLookup, nowMs: number): RetryAfter | undefined {
  const precise = parseMilliseconds(header('retry-after-ms')) ?? parseMilliseconds(header('x-ms-retry-after-ms'));
  if (precise !== undefined) return { ms: precise, precise: true };
  const coarse =
    parseRetryAfter(header('retry-after'), nowMs) ?? laterOf(parseReset(header('x-ratelimit-reset-requests')), parseReset(header('x-ratelimit-reset-tokens')));
  return coarse === undefined ? undefined : { ms: coarse, precise: false };
}

function parseMilliseconds(value: string | undefined): number | undefined {
  const text = value?.trim();
  return text !== undefined && NUMBER.test(text) ? Math.ceil(Number(text)) : undefined;
}

function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (text === undefined) return undefined;
  if (NUMBER.test(text)) return Math.ceil(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** OpenAI-style reset values: "6m0s", "1.5s", "20ms", or plain seconds. */
function parseReset(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (text === undefined) return undefined;
  if (NUMBER.test(text)) return Math.ceil(Number(text) * 1000);
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * (UNIT_MS[unit ?? 's'] ?? 1000);
  }
  return Math.ceil(total);
}

function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : Math.max(a, b);
}

export interface BenchBounds {
  readonly defaultMs: number;
  readonly floorMs: number;
  /** Floor for millisecond answers: the backend knows when capacity frees up, so honour it closely. */
  readonly preciseFloorMs: number;
  readonly capMs: number;
}

/**
 * The bench length for a 429: what the backend asked, else the default, kept within floor and
 * cap. A millisecond answer gets the lower floor: near a full window Azure often asks for a few
 * ms, and sitting out a whole second leaves paid-for PTU capacity idle.
 */
export function throttleBenchMs(asked: RetryAfter | number | undefined, bounds: BenchBounds): number {
  const retry = typeof asked === 'number' ? { ms: asked, precise: false } : asked;
  const floor = retry?.precise === true ? Math.min(bounds.preciseFloorMs, bounds.floorMs) : bounds.floorMs;
  return Math.min(bounds.capMs, Math.max(floor, retry?.ms ?? bounds.defaultMs));
}
