/**
 * Streams report exact usage only when asked (`stream_options.include_usage`); without it a
 * consumer's token limit could only be guessed, and guessed low. So the router asks for it on
 * every metered chat stream, and takes the extra usage frame back out for callers that did not
 * ask, who see the stream they would have seen.
 */
export function withStreamUsage(body: Buffer, json: Readonly<Record<string, unknown>>): Buffer | undefined {
  if (json.stream_options !== undefined) return undefined;
  const text = body.toString('utf8');
  const open = text.indexOf('{');
  if (open < 0) return undefined;
  // The caller's bytes stay as they were; one member goes in first.
  const empty = text
    .slice(open + 1)
    .trimStart()
    .startsWith('}');
  return Buffer.from(`${text.slice(0, open + 1)}"stream_options":{"include_usage":true}${empty ? '' : ','}${text.slice(open + 1)}`, 'utf8');
}

/** The usage-only frame (`"choices":[]` with a usage object) dropped from a run of complete SSE events. */
const USAGE_FRAME = /data: \{[^\n]*"choices":\[\][^\n]*"usage":\{[^\n]*\n\n/g;

export function withoutUsageFrames(events: string): string {
  return events.includes('"usage":{') ? events.replace(USAGE_FRAME, '') : events;
}
