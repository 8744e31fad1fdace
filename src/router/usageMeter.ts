import { estimateUsage, findUsage, TokenUsage } from '../core/usage';

const TAIL_BYTES = 4096;
const CONTENT_DELTA = '"delta":{"content":"';

/** Usage of a buffered JSON answer: `usage` sits at the end, so only the tail is searched first. */
export function usageOfBody(body: Buffer): TokenUsage | undefined {
  const tail = findUsage(body.subarray(Math.max(0, body.length - TAIL_BYTES)).toString('utf8'));
  if (tail !== undefined || body.length <= TAIL_BYTES || body.length > 1 << 20) return tail;
  return findUsage(body.toString('utf8'));
}

/**
 * Watches an SSE stream go by: keeps the stream's tail (where the final usage chunk arrives
 * when the client asked for it) and counts content deltas for an estimate when it did not.
 * The client receives exactly what the backend sent either way.
 */
export class StreamUsageMeter {
  private tail = '';
  private deltas = 0;

  constructor(private readonly promptEstimate: number) {}

  observe(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    for (let at = text.indexOf(CONTENT_DELTA); at >= 0; at = text.indexOf(CONTENT_DELTA, at + 1)) this.deltas++;
    this.tail = (this.tail + text).slice(-TAIL_BYTES);
  }

  usage(): TokenUsage {
    return findUsage(this.tail) ?? estimateUsage(this.promptEstimate, this.deltas);
  }
}
