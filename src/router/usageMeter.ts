import { OperationRow, UsageFields } from '../core/operations';
import { estimateUsage, findUsage, TokenUsage } from '../core/usage';

const TAIL_BYTES = 4096;

/** Usage of a buffered JSON answer: `usage` sits at the end, so only the tail is searched first. */
export function usageOfBody(body: Buffer, fields: UsageFields): TokenUsage | undefined {
  const tail = findUsage(body.subarray(Math.max(0, body.length - TAIL_BYTES)).toString('utf8'), fields);
  if (tail !== undefined || body.length <= TAIL_BYTES || body.length > 1 << 20) return tail;
  return findUsage(body.toString('utf8'), fields);
}

/**
 * Watches an SSE stream go by: keeps the stream's tail (where the final usage arrives) and
 * counts the operation's content-delta markers for an estimate when the stream reports no
 * usage. A marker split across chunks still counts once. The client receives exactly what
 * the backend sent either way.
 */
export class StreamUsageMeter {
  private tail = '';
  private deltas = 0;
  private readonly marker: string;
  private readonly promptEstimate: number;
  private readonly fields: UsageFields;

  constructor(operation: OperationRow, body: Readonly<Record<string, unknown>>) {
    this.marker = operation.stream?.contentDelta ?? '';
    this.promptEstimate = operation.estimatePrompt(body);
    this.fields = operation.usage;
  }

  observe(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    // Searched over the unseen text plus the carry-over that could start a marker.
    if (this.marker !== '') {
      const carry = this.tail.slice(-(this.marker.length - 1));
      const window = carry + text;
      for (let at = window.indexOf(this.marker); at >= 0; at = window.indexOf(this.marker, at + 1)) this.deltas++;
    }
    this.tail = (this.tail + text).slice(-TAIL_BYTES);
  }

  usage(): TokenUsage {
    return findUsage(this.tail, this.fields) ?? estimateUsage(this.promptEstimate, this.deltas);
  }
}
