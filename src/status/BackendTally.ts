import { CompletedRequest, RouterEvents } from '../router/RouterEvents';

/** What this instance served per backend since it started: the status page's cost columns. */
export interface BackendCounts {
  readonly served: number;
  readonly promptTokens: number;
  readonly cachedTokens: number;
  /** Answers Azure spilled from a provisioned deployment to a standard one: pay-as-you-go cost. */
  readonly spilledOver: number;
  /** The last `azure-openai-deployment-utilization` a PTU deployment of this backend reported. */
  readonly utilizationPercent: number | null;
}

const ZERO: BackendCounts = { served: 0, promptTokens: 0, cachedTokens: 0, spilledOver: 0, utilizationPercent: null };

/** Counts completed requests per backend, in memory, behind the request (an event listener). */
export class BackendTally {
  private readonly counts = new Map<string, BackendCounts>();

  readonly events: RouterEvents = { wantsUsage: true, completed: (r) => this.add(r) };

  add(r: CompletedRequest): void {
    const was = this.counts.get(r.backend.name) ?? ZERO;
    this.counts.set(r.backend.name, {
      served: was.served + 1,
      promptTokens: was.promptTokens + (r.usage?.promptTokens ?? 0),
      cachedTokens: was.cachedTokens + (r.usage?.cachedTokens ?? 0),
      spilledOver: was.spilledOver + (r.spilledOver ? 1 : 0),
      utilizationPercent: r.utilizationPercent ?? was.utilizationPercent,
    });
  }

  of(backend: string): BackendCounts & { readonly cachedShare: number | null } {
    const counts = this.counts.get(backend) ?? ZERO;
    return { ...counts, cachedShare: counts.promptTokens === 0 ? null : Number((counts.cachedTokens / counts.promptTokens).toFixed(3)) };
  }
}
