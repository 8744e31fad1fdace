/**
 * Replaces the string value of a top-level key in a JSON object text, leaving every other byte
 * as the caller sent it (a re-serialised body would turn `12345678901234567890` into
 * `12345678901234567000` and `1e400` into `null`). Undefined when the key is not there as a
 * top-level string.
 */
export function replaceTopLevelString(text: string, key: string, value: string): string | undefined {
  const quotedKey = JSON.stringify(key);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return undefined;
      if (depth === 1 && end - i + 1 === quotedKey.length && text.startsWith(quotedKey, i)) {
        const colon = skipSpace(text, end + 1);
        const start = text.charCodeAt(colon) === COLON ? skipSpace(text, colon + 1) : -1;
        if (start >= 0 && text.charCodeAt(start) === QUOTE) {
          const valueEnd = stringEnd(text, start);
          if (valueEnd < 0) return undefined;
          return text.slice(0, start) + JSON.stringify(value) + text.slice(valueEnd + 1);
        }
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return undefined;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

/** Index of the quote closing the string that opens at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}
