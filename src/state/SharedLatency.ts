import { combineFigures, LatencyFigure } from '../core/latency';

/**
 * Latency as every instance sees it: this instance's own figures (live) combined with the
 * other instances' rows (pulled). Combined figures are kept ready so a lookup is one Map read.
 */
export class SharedLatency {
  private readonly others = new Map<string, Map<string, LatencyFigure>>();
  private readonly combined = new Map<string, LatencyFigure>();

  constructor(private readonly now: () => number) {}

  get(key: string): LatencyFigure | undefined {
    return this.combined.get(key);
  }

  all(): ReadonlyMap<string, LatencyFigure> {
    return this.combined;
  }

  /** After this instance's figure for `key` changed. */
  updateOwn(key: string, own: LatencyFigure): void {
    this.recombine(key, own);
  }

  /** After a pull: replaces what the other instances said. */
  replaceOthers(rows: Map<string, Map<string, LatencyFigure>>, ownFigures: ReadonlyMap<string, LatencyFigure>): void {
    this.others.clear();
    for (const [key, byInstance] of rows) this.others.set(key, byInstance);
    // Keys combined before count too: a key whose rows were deleted and whose own figure expired goes.
    for (const key of new Set([...rows.keys(), ...ownFigures.keys(), ...this.combined.keys()])) this.recombine(key, ownFigures.get(key));
  }

  private recombine(key: string, own: LatencyFigure | undefined): void {
    const figures = [...(this.others.get(key)?.values() ?? [])];
    if (own !== undefined) figures.push(own);
    const combined = combineFigures(figures, this.now());
    if (combined === undefined) this.combined.delete(key);
    else this.combined.set(key, combined);
  }
}
