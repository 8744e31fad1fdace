import { EntryHead } from './CacheStore';
import { SemanticIndex } from './SemanticIndex';

const idOf = (partition: string, key: string): string => `${partition}/${key}`;

/**
 * This instance's view of every entry in the store (heads only): a miss is decided here with
 * no I/O, and only a likely hit reads the store. Fed by this instance's own writes at once and
 * by the background sync with everyone else's. Expired heads leave the view (and the index).
 */
export class CacheView {
  private readonly heads = new Map<string, EntryHead>();

  constructor(private readonly index: SemanticIndex | undefined) {}

  get size(): number {
    return this.heads.size;
  }

  has(partition: string, key: string, nowMs: number): boolean {
    const head = this.heads.get(idOf(partition, key));
    return head !== undefined && head.expiresAtMs > nowMs;
  }

  add(head: EntryHead, nowMs: number): void {
    if (head.expiresAtMs <= nowMs) return;
    const id = idOf(head.partition, head.key);
    const known = this.heads.get(id);
    if (known !== undefined && known.storedAtMs >= head.storedAtMs) return;
    if (known !== undefined) this.drop(id, known);
    this.heads.set(id, head);
    if (this.index !== undefined && head.contextHash !== undefined && head.vector !== undefined) this.index.add(head.contextHash, id, head.vector);
  }

  remove(partition: string, key: string): void {
    const id = idOf(partition, key);
    const head = this.heads.get(id);
    if (head !== undefined) this.drop(id, head);
  }

  /** The entry whose last turn is nearest in this exact context, at or above the threshold. */
  nearest(contextHash: string, vector: Float32Array, threshold: number, nowMs: number): EntryHead | undefined {
    const match = this.index?.nearest(contextHash, vector, threshold);
    const head = match === undefined ? undefined : this.heads.get(match.id);
    return head !== undefined && head.expiresAtMs > nowMs ? head : undefined;
  }

  /** Drops what expired; returns it so the store can be swept too. */
  expire(nowMs: number): EntryHead[] {
    const gone: EntryHead[] = [];
    for (const [id, head] of this.heads) {
      if (head.expiresAtMs > nowMs) continue;
      this.drop(id, head);
      gone.push(head);
    }
    return gone;
  }

  private drop(id: string, head: EntryHead): void {
    this.heads.delete(id);
    if (head.contextHash !== undefined) this.index?.remove(head.contextHash, id);
  }
}
