import { CacheEntry, CacheStore, EntryHead } from './CacheStore';

/** Entries in this process only: one instance, or tests. `down` makes it fail like an unreachable account. */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, CacheEntry>();
  down = false;
  /** Each call waits this long first (a slow store). */
  delayMs = 0;

  async ensureExists(): Promise<void> {
    await this.reach();
  }

  async get(partition: string, key: string, signal: AbortSignal): Promise<CacheEntry | undefined> {
    await this.reach(signal);
    return this.entries.get(`${partition}/${key}`);
  }

  async put(entry: CacheEntry): Promise<void> {
    await this.reach();
    this.entries.set(`${entry.partition}/${entry.key}`, entry);
  }

  async headsSince(sinceMs: number): Promise<EntryHead[]> {
    await this.reach();
    return [...this.entries.values()].filter((e) => e.storedAtMs >= sinceMs);
  }

  async delete(partition: string, key: string): Promise<void> {
    await this.reach();
    this.entries.delete(`${partition}/${key}`);
  }

  get size(): number {
    return this.entries.size;
  }

  private async reach(signal?: AbortSignal): Promise<void> {
    if (this.delayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.delayMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        });
      });
    }
    if (this.down) throw new Error('cache store unreachable');
  }
}
