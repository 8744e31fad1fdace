import { CacheStore } from './CacheStore';
import { CacheView } from './CacheView';
import { StoreHealth } from './StoreHealth';

/** Entries are re-read this far back each sync: writes land late and instance clocks differ a little. */
const MIN_OVERLAP_MS = 5000;
/** Expired entries this instance deletes from the store per sync (the rest next time). */
const SWEEP_PER_SYNC = 100;

/**
 * Keeps the view in step with the store in the background: the first sync reads every head,
 * later ones what was stored since the last (with an overlap); each sync also drops expired
 * heads and deletes those entries from the store. A failing store keeps the view as it was.
 */
export class CacheSync {
  private timer: NodeJS.Timeout | undefined;
  private sinceMs = 0;
  private stopped = false;
  private running: Promise<void> | undefined;
  lastSyncAtMs: number | undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly view: CacheView,
    private readonly health: StoreHealth,
    private readonly options: { readonly intervalMs: number; readonly now: () => number },
  ) {}

  start(): void {
    this.running = this.store
      .ensureExists()
      .catch((err: unknown) => this.health.failed('table', err))
      .then(() => this.syncOnce())
      .finally(() => this.schedule());
  }

  async syncOnce(): Promise<void> {
    const { now, intervalMs } = this.options;
    const startedAtMs = now();
    try {
      const heads = await this.store.headsSince(this.sinceMs);
      for (const head of heads) this.view.add(head, now());
      this.sinceMs = startedAtMs - Math.max(MIN_OVERLAP_MS, 2 * intervalMs);
      this.lastSyncAtMs = now();
      this.health.ok('sync');
    } catch (err) {
      this.health.failed('sync', err);
    }
    const expired = this.view.expire(now()).slice(0, SWEEP_PER_SYNC);
    await Promise.allSettled(expired.map((head) => this.store.delete(head.partition, head.key)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.syncOnce().finally(() => this.schedule());
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
