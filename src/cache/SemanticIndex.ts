import type { Index } from 'usearch';

/** Up to this many entries a context is searched exactly (cheaper than a graph); past it, by an HNSW index. */
const EXACT_SEARCH_MAX = 256;
/** Candidates read from the graph: a few, as the best of them decides. */
const GRAPH_K = 4;

export interface SemanticMatch {
  readonly id: string;
  readonly similarity: number;
}

interface Bucket {
  readonly dimensions: number;
  readonly vectors: Map<string, Float32Array>;
  graph: { index: Index; numberOf: Map<string, bigint>; idOf: Map<bigint, string> } | undefined;
}

/**
 * Last-turn embeddings grouped by context hash: a lookup only ever compares turns whose
 * context matched exactly. Small groups are scanned (unit vectors: a dot product each);
 * a group that grows past EXACT_SEARCH_MAX gets a usearch HNSW index (cosine), loaded only
 * then, so exact mode and cold starts never load the native module.
 */
export class SemanticIndex {
  private readonly buckets = new Map<string, Bucket>();
  private nextNumber = 1n;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(contextHash: string, id: string, vector: Float32Array): void {
    const unit = normalised(vector);
    let bucket = this.buckets.get(contextHash);
    if (bucket === undefined) {
      bucket = { dimensions: unit.length, vectors: new Map(), graph: undefined };
      this.buckets.set(contextHash, bucket);
    }
    if (bucket.dimensions !== unit.length || bucket.vectors.has(id)) return;
    bucket.vectors.set(id, unit);
    this.count++;
    if (bucket.graph !== undefined) this.addToGraph(bucket, id, unit);
    else if (bucket.vectors.size > EXACT_SEARCH_MAX) this.buildGraph(bucket);
  }

  remove(contextHash: string, id: string): void {
    const bucket = this.buckets.get(contextHash);
    if (bucket === undefined || !bucket.vectors.delete(id)) return;
    this.count--;
    const number = bucket.graph?.numberOf.get(id);
    if (bucket.graph !== undefined && number !== undefined) {
      bucket.graph.index.remove(number);
      bucket.graph.numberOf.delete(id);
      bucket.graph.idOf.delete(number);
    }
    if (bucket.vectors.size === 0) this.buckets.delete(contextHash);
  }

  /** The nearest turn in this context at or above `threshold`, if any. */
  nearest(contextHash: string, vector: Float32Array, threshold: number): SemanticMatch | undefined {
    const bucket = this.buckets.get(contextHash);
    if (bucket === undefined || bucket.dimensions !== vector.length) return undefined;
    const query = normalised(vector);
    const best = bucket.graph === undefined ? scan(bucket.vectors, query) : this.searchGraph(bucket, query);
    return best !== undefined && best.similarity >= threshold ? best : undefined;
  }

  private searchGraph(bucket: Bucket, query: Float32Array): SemanticMatch | undefined {
    const graph = bucket.graph;
    if (graph === undefined) return undefined;
    const found = graph.index.search(query, GRAPH_K, 1);
    let best: SemanticMatch | undefined;
    for (let i = 0; i < found.keys.length; i++) {
      const id = graph.idOf.get(found.keys[i] ?? -1n);
      const similarity = 1 - (found.distances[i] ?? 2);
      if (id !== undefined && (best === undefined || similarity > best.similarity)) best = { id, similarity };
    }
    return best;
  }

  private buildGraph(bucket: Bucket): void {
    const { Index: Hnsw, MetricKind, ScalarKind } = loadUsearch();
    const index = new Hnsw({
      dimensions: bucket.dimensions,
      metric: MetricKind.Cos,
      quantization: ScalarKind.F32,
      connectivity: 16,
      expansion_add: 128,
      expansion_search: 64,
      multi: false,
    });
    bucket.graph = { index, numberOf: new Map(), idOf: new Map() };
    for (const [id, vector] of bucket.vectors) this.addToGraph(bucket, id, vector);
  }

  private addToGraph(bucket: Bucket, id: string, vector: Float32Array): void {
    const graph = bucket.graph;
    if (graph === undefined) return;
    const number = this.nextNumber++;
    graph.index.add(number, vector, 1);
    graph.numberOf.set(id, number);
    graph.idOf.set(number, id);
  }
}

let usearch: typeof import('usearch') | undefined;

/** The native module, on first need only. */
function loadUsearch(): typeof import('usearch') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (cold start)
  usearch ??= require('usearch') as typeof import('usearch');
  return usearch;
}

function scan(vectors: ReadonlyMap<string, Float32Array>, query: Float32Array): SemanticMatch | undefined {
  let best: SemanticMatch | undefined;
  for (const [id, vector] of vectors) {
    let dot = 0;
    for (let i = 0; i < query.length; i++) dot += (query[i] ?? 0) * (vector[i] ?? 0);
    if (best === undefined || dot > best.similarity) best = { id, similarity: dot };
  }
  return best;
}

function normalised(vector: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += (vector[i] ?? 0) ** 2;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] ?? 0) * scale;
  return out;
}
