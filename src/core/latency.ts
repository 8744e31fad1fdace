/** An exponentially weighted average of time-to-headers for one backend or backend+deployment. */
export interface LatencyFigure {
  readonly ewmaMs: number;
  readonly samples: number;
  readonly atMs: number;
}

export interface LatencyLookup {
  getLatency(key: string): LatencyFigure | undefined;
}

/** Weight of a new sample: about the last ten samples matter. */
export const EWMA_ALPHA = 0.2;
/** Figures older than this describe a backend that may have changed since. */
export const LATENCY_FRESH_MS = 10 * 60_000;

/**
 * A sample under half the figure moves it halfway at once: a demoted backend gets no live
 * traffic, only probes, and must not need many probe intervals to show it has recovered.
 */
export const RECOVERY_ALPHA = 0.5;

export function addSample(figure: LatencyFigure | undefined, sampleMs: number, atMs: number): LatencyFigure {
  if (figure === undefined || atMs - figure.atMs > LATENCY_FRESH_MS) return { ewmaMs: sampleMs, samples: 1, atMs };
  const alpha = sampleMs < figure.ewmaMs / 2 ? RECOVERY_ALPHA : EWMA_ALPHA;
  return { ewmaMs: figure.ewmaMs + alpha * (sampleMs - figure.ewmaMs), samples: figure.samples + 1, atMs };
}

/**
 * One figure from every instance's own: sample-weighted mean of the fresh ones, so an
 * instance that saw more traffic counts more and a dead instance's stale row counts not at all.
 */
export function combineFigures(figures: readonly LatencyFigure[], nowMs: number): LatencyFigure | undefined {
  let weight = 0;
  let sum = 0;
  let newest = 0;
  for (const f of figures) {
    if (nowMs - f.atMs > LATENCY_FRESH_MS) continue;
    const w = Math.min(f.samples, 50);
    weight += w;
    sum += w * f.ewmaMs;
    newest = Math.max(newest, f.atMs);
  }
  return weight === 0 ? undefined : { ewmaMs: sum / weight, samples: weight, atMs: newest };
}

export interface LatencyPolicy {
  /** A backend slower than this factor times its priority's best is demoted one level. */
  readonly demoteFactor: number;
  /** …and only when it is also at least this much slower in absolute terms (noise at low latency). */
  readonly demoteMinGapMs: number;
  /** The least share of its priority a slow backend keeps, so its figure stays fresh. */
  readonly minShare: number;
  /**
   * The noise band: a backend within this many milliseconds of its priority's best, or within
   * `noiseRatio` of it (whichever is wider), counts as just as fast. Loopback and same-region
   * figures differ by a millisecond or two from one sample to the next; squared, that alone
   * would split two identical backends 90/10.
   */
  readonly noiseMs: number;
  readonly noiseRatio: number;
}

export interface LatencyScore {
  /** Configured priority, or one level lower when demoted. Never higher than configured. */
  readonly effectivePriority: number;
  /** Weight multiplier within the priority: 1 for the fastest, down to `minShare`. */
  readonly speedFactor: number;
  readonly demoted: boolean;
}

/** How much slower than `bestMs` still counts as just as fast (see LatencyPolicy.noiseMs). */
export function noiseBandMs(bestMs: number, policy: Pick<LatencyPolicy, 'noiseMs' | 'noiseRatio'>): number {
  return Math.max(policy.noiseMs, policy.noiseRatio * bestMs);
}

/**
 * Scores one backend against the best figure of its configured priority. The first noise band
 * of a gap is forgiven: inside it the factor is 1; past it, inverse-square on what is left
 * (best ÷ (own − band))², so twice as slow beyond the band gets a quarter of the share, never
 * below the floor, with no cliff at the band's edge.
 */
export function scoreLatency(priority: number, figure: LatencyFigure | undefined, bestMs: number | undefined, policy: LatencyPolicy): LatencyScore {
  if (figure === undefined || bestMs === undefined || figure.ewmaMs <= bestMs) {
    return { effectivePriority: priority, speedFactor: 1, demoted: false };
  }
  const demoted = figure.ewmaMs > policy.demoteFactor * bestMs && figure.ewmaMs - bestMs >= policy.demoteMinGapMs;
  const beyondNoiseMs = figure.ewmaMs - noiseBandMs(bestMs, policy);
  const ratio = beyondNoiseMs <= bestMs ? 1 : Math.max(bestMs, 1) / beyondNoiseMs;
  return { effectivePriority: demoted ? priority + 1 : priority, speedFactor: Math.max(policy.minShare, ratio * ratio), demoted };
}
