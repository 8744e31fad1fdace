export type BodyRead = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly reason: 'too-large' | 'aborted' };

/**
 * Reads a request body up to `maxBytes`. A declared Content-Length over the limit is refused
 * before reading; an undeclared one is cut off as soon as it passes the limit, so an
 * unbounded body is never buffered.
 */
export async function readBody(stream: ReadableStream<Uint8Array> | null, declaredLength: string | null, maxBytes: number): Promise<BodyRead> {
  if (declaredLength !== null && Number(declaredLength) > maxBytes) {
    void stream?.cancel().catch(() => undefined);
    return { ok: false, reason: 'too-large' };
  }
  if (stream === null) return { ok: true, body: Buffer.alloc(0) };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        void reader.cancel().catch(() => undefined);
        return { ok: false, reason: 'too-large' };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  const only = chunks.length === 1 ? chunks[0] : undefined;
  return { ok: true, body: only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : Buffer.concat(chunks) };
}
