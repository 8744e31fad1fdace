import { LATENCY_FRESH_MS, LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { isActive, mergeWindow, pulledWindow, Window, WindowCaps, windowCaps } from '../core/windows';
import { MAX_STATE_KEYS, MemoryStateStore, REMAINING_KEEP_MS } from './MemoryStateStore';
import { SharedLatency } from './SharedLatency';
import { StateStore } from './StateStore';
import { claimLease } from './lease';
import { RowTable } from './RowTable';
import { LATENCY, latencyKey, REMAINING, USAGE, usageKey, usagePartition, WINDOWS } from './rowKinds';
import { WindowWriter } from './WindowWriter';

export interface SharedStateOptions {
  readonly instanceId: string;
  readonly syncIntervalMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** Pull other instances' token counts (only needed when consumer limits are configured). */
  readonly countUsage?: boolean;
  /** The longest each kind of window can rightly last (the bench settings); the defaults' when unset. */
  readonly windowCaps?: WindowCaps;
}

/** The bench settings' defaults, for stores built by hand (tests). */
export const DEFAULT_WINDOW_CAPS = windowCaps({ capMs: 120_000, failureMs: 10_000, authFailureMs: 300_000 }, { tripMs: 30_000 });

/**
 * A row is deleted only once every live instance has had time to list it (they list every
 * sync, about every second; three syncs at least when ROUTER_STATE_SYNC_MS is long), whatever
 * their clocks say.
 */
export const ROW_GRACE_MS = 60_000;
/**
 * A writer stamps a window before it sends it; the row lands a little later. So a row that a
 * listing did not have was stamped no earlier than this before that listing began.
 */
export const WRITE_SLACK_MS = 1000;
/** Deletes per sync round at most, so clearing a flood of rows never holds up a round for long. */
export const MAX_DELETES_PER_ROUND = 50;

/** A row as this instance first listed it: when, and the time it was given on this clock. */
interface Seen {
  /** What identifies this version of the row: its ETag (and the writer's own stamp). */
  readonly version: string;
  readonly firstSeenAtMs: number;
  /** The window's end (windows) or the report's or figure's time (the others), on this clock. */
  readonly localMs: number;
}

/**
 * State every instance shares through a table, without the table on the request path:
 * reads and writes hit memory; a background loop (about every second) writes what changed
 * (coalesced: one write per changed key, not per request) and merges what other instances
 * wrote. Storage down or slow only delays learning; it is logged once per outage.
 *
 * Clocks differ between instances: what others wrote is put on this clock when first listed
 * (windows last no longer than the duration written and the reason's cap; times in the future
 * become now) and never moved again while the row stays the same. Rows whose window ended or
 * whose report or figure went stale are dropped from memory and deleted from the table.
 */
export class SharedStateStore implements StateStore {
  private readonly memory: MemoryStateStore;
  private readonly pendingWindows = new Map<string, Window>();
  private readonly pendingRemaining = new Map<string, Remaining>();
  private readonly pendingLatency = new Set<string>();
  private readonly latency: SharedLatency;
  private readonly writer: WindowWriter;
  private readonly caps: WindowCaps;
  private readonly graceMs: number;
  private readonly seenWindows = new Map<string, Seen>();
  private readonly seenRemaining = new Map<string, Seen>();
  private readonly seenLatency = new Map<string, Seen>();
  /** When this instance last listed the windows: rows new since then were written after it. */
  private windowsListedAtMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private down = false;
  private live = 1;
  /** When the last successful round finished (for the status page's data age). */
  lastSyncAtMs: number | undefined;
  private ensured = false;

  constructor(
    private readonly table: RowTable,
    private readonly options: SharedStateOptions,
  ) {
    this.caps = options.windowCaps ?? DEFAULT_WINDOW_CAPS;
    this.graceMs = Math.max(ROW_GRACE_MS, 3 * options.syncIntervalMs);
    this.memory = new MemoryStateStore({ now: options.now });
    this.writer = new WindowWriter(table, options.instanceId, options.now, (stored) => pulledWindow(stored, options.now(), this.caps));
    this.latency = new SharedLatency(options.now);
  }

  getWindow = (key: string): Window | undefined => this.memory.getWindow(key);
  getRemaining = (key: string): Remaining | undefined => this.memory.getRemaining(key);
  windows = (): ReadonlyMap<string, Window> => this.memory.windows();
  remainings = (): ReadonlyMap<string, Remaining> => this.memory.remainings();
  addUsage = (consumer: string, tokens: number, nowMs: number): void => this.memory.addUsage(consumer, tokens, nowMs);
  usage = (consumer: string, windowKey: string): number => this.memory.usage(consumer, windowKey);
  liveInstances = (): number => this.live;
  getLatency = (key: string): LatencyFigure | undefined => this.latency.get(key);
  latencies = (): ReadonlyMap<string, LatencyFigure> => this.latency.all();

  recordLatency(key: string, sampleMs: number, atMs: number): void {
    this.latency.updateOwn(key, this.memory.recordLatency(key, sampleMs, atMs));
    if (this.pendingLatency.size < MAX_STATE_KEYS) this.pendingLatency.add(key);
  }

  openWindow(key: string, window: Window): void {
    const merged = this.memory.openWindow(key, window);
    if (this.pendingWindows.size < MAX_STATE_KEYS || this.pendingWindows.has(key))
      this.pendingWindows.set(key, mergeWindow(this.pendingWindows.get(key), merged));
  }

  recordRemaining(key: string, remaining: Remaining): void {
    if (!this.memory.recordRemaining(key, remaining)) return;
    if (this.pendingRemaining.size < MAX_STATE_KEYS || this.pendingRemaining.has(key)) this.pendingRemaining.set(key, remaining);
  }

  /**
   * One probe round per schedule tick for the whole app: the first instance to take the lease
   * probes. With storage unreachable every instance probes (more probes beat none).
   */
  async claimLease(name: string, holdMs: number): Promise<boolean> {
    const nowMs = this.options.now();
    return claimLease(this.table, name, this.options.instanceId, nowMs, nowMs + holdMs).catch(() => true);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sync(), this.options.syncIntervalMs);
    this.timer.unref(); // never keeps a process alive
    void this.sync();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
    await this.sync(); // push what the last interval learned
  }

  /** One round: push what changed here, pull what others learned. Never throws; never overlaps. */
  sync(): Promise<void> {
    this.syncing ??= this.syncRound().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async syncRound(): Promise<void> {
    try {
      if (!this.ensured) await this.table.ensureExists();
      this.ensured = true;
      await this.push();
      await this.pull();
      this.lastSyncAtMs = this.options.now();
      if (this.down) this.options.log('[router] Table Storage reachable again; sharing state with other instances resumed');
      this.down = false;
    } catch (err) {
      if (!this.down) {
        const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
        this.options.log(`[router] Table Storage unreachable (${reason}); serving from memory, retrying every ${this.options.syncIntervalMs} ms`);
      }
      this.down = true;
    }
  }

  private async push(): Promise<void> {
    for (const [key, window] of [...this.pendingWindows]) {
      // Memory holds everything pulled so far: never write back a window older than what we saw.
      const current = mergeWindow(this.memory.getWindow(key), window);
      if (isActive(current, this.options.now())) await this.writer.write(key, current, (stored) => this.memory.openWindow(key, stored));
      if (this.pendingWindows.get(key) === window) this.pendingWindows.delete(key);
    }
    for (const [key, remaining] of [...this.pendingRemaining]) {
      await this.table.upsert(REMAINING, key, { remaining, instance: this.options.instanceId });
      if (this.pendingRemaining.get(key) === remaining) this.pendingRemaining.delete(key);
    }
    const usageRows = this.memory.ledger.takeDirty();
    try {
      for (const [windowKey, consumer, tokens] of usageRows) {
        const instance = this.options.instanceId;
        await this.table.upsert(USAGE, usageKey(windowKey, consumer, instance), { windowKey, consumer, instance, tokens });
      }
    } catch (err) {
      this.memory.ledger.restoreDirty(usageRows);
      throw err;
    }
    for (const key of [...this.pendingLatency]) {
      const own = this.memory.getLatency(key);
      if (own !== undefined) {
        const instance = this.options.instanceId;
        await this.table.upsert(LATENCY, latencyKey(key, instance), { key, instance, figure: own });
      }
      this.pendingLatency.delete(key);
    }
  }

  private async pull(): Promise<void> {
    const self = this.options.instanceId;
    const deletes: (() => Promise<void>)[] = [];
    const listedAtMs = this.options.now();
    const windowRows = await this.table.list(WINDOWS);
    let nowMs = this.options.now();
    this.memory.prune(nowMs);
    const seenWindows = new Set<string>();
    const since = this.windowsListedAtMs === undefined ? undefined : this.windowsListedAtMs - WRITE_SLACK_MS;
    for (const { key, value: stored, etag } of windowRows) {
      seenWindows.add(key);
      this.writer.remember(key, etag);
      const [seen, fresh] = this.see(this.seenWindows, key, etag, nowMs, () => pulledWindow(stored, nowMs, this.caps, since).untilMs);
      const window = { untilMs: seen.localMs, reason: stored.window.reason };
      // Applied once per version of the row: pulling the same row again never stretches it.
      if (fresh && isActive(window, nowMs)) this.memory.openWindow(key, window);
      if (seen.localMs <= nowMs && nowMs - seen.firstSeenAtMs >= this.graceMs) deletes.push(() => this.table.deleteIf(WINDOWS, key, etag));
    }
    keepOnly(this.seenWindows, seenWindows);
    this.writer.keepOnly(seenWindows);
    this.windowsListedAtMs = listedAtMs;

    const remainingRows = await this.table.list(REMAINING);
    nowMs = this.options.now();
    const seenRemaining = new Set<string>();
    for (const { key, value: stored, etag } of remainingRows) {
      seenRemaining.add(key);
      const raw = stored.remaining;
      const [seen] = this.see(this.seenRemaining, key, `${etag}|${stored.instance}|${raw.atMs}`, nowMs, () =>
        stored.instance === self ? raw.atMs : stampOnThisClock(raw.atMs, nowMs),
      );
      if (nowMs - seen.localMs > REMAINING_KEEP_MS) {
        if (nowMs - seen.firstSeenAtMs >= this.graceMs) deletes.push(() => this.table.deleteIf(REMAINING, key, etag));
        continue;
      }
      const shiftMs = seen.localMs - raw.atMs; // onto this clock, a 429's Retry-After end with it
      this.memory.recordRemaining(
        key,
        shiftMs === 0 ? raw : { ...raw, atMs: seen.localMs, ...(raw.freshUntilMs === undefined ? {} : { freshUntilMs: raw.freshUntilMs + shiftMs }) },
      );
    }
    keepOnly(this.seenRemaining, seenRemaining);

    const latencyRows = await this.table.list(LATENCY);
    nowMs = this.options.now();
    const figures = new Map<string, Map<string, LatencyFigure>>();
    const seenLatency = new Set<string>();
    for (const { value: stored, etag } of latencyRows) {
      const { key, instance, figure: raw } = stored;
      const id = latencyKey(key, instance);
      seenLatency.add(id);
      const [seen] = this.see(this.seenLatency, id, `${etag}|${raw.atMs}`, nowMs, () => (instance === self ? raw.atMs : stampOnThisClock(raw.atMs, nowMs)));
      if (nowMs - seen.localMs > LATENCY_FRESH_MS) {
        if (nowMs - seen.firstSeenAtMs >= this.graceMs) deletes.push(() => this.table.deleteIf(LATENCY, id, etag));
        continue;
      }
      const byKey = figures.get(key) ?? new Map<string, LatencyFigure>();
      byKey.set(instance, seen.localMs === raw.atMs ? raw : { ...raw, atMs: seen.localMs });
      figures.set(key, byKey);
    }
    keepOnly(this.seenLatency, seenLatency);
    this.live = countLive(figures, self, nowMs);
    for (const byInstance of figures.values()) byInstance.delete(self); // memory has our own, newer
    this.latency.replaceOthers(figures, this.memory.latencies());

    if (this.options.countUsage === true) {
      const windows = this.memory.ledger.currentWindows(nowMs);
      this.memory.ledger.replaceOthers(await othersUsage(this.table, windows, self));
    }
    await deleteSome(deletes);
  }

  /**
   * The row as first seen in this version, and whether this listing is the first to show it.
   * A new version is put on this clock once, by `local`.
   */
  private see(seen: Map<string, Seen>, id: string, version: string, nowMs: number, local: () => number): [Seen, boolean] {
    const known = seen.get(id);
    if (known !== undefined && known.version === version) return [known, false];
    const first = { version, firstSeenAtMs: nowMs, localMs: local() };
    seen.set(id, first);
    return [first, true];
  }
}

/**
 * A time another instance stamped a report or figure with, on this clock: one in the future
 * came from a clock ahead of ours and counts as made now (when first seen), so it neither
 * stays fresh for the length of the skew nor beats newer reports.
 */
function stampOnThisClock(stampMs: number, nowMs: number): number {
  return Math.min(stampMs, nowMs);
}

/** Other instances' totals per `${windowKey}|${consumer}` for the given windows. */
async function othersUsage(table: RowTable, windowKeys: readonly string[], self: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const windowKey of windowKeys) {
    for (const { value } of await table.list(USAGE, usagePartition(windowKey))) {
      if (value.windowKey !== windowKey || value.instance === self) continue;
      const k = `${windowKey}|${value.consumer}`;
      totals.set(k, (totals.get(k) ?? 0) + value.tokens);
    }
  }
  return totals;
}

function keepOnly(seen: Map<string, Seen>, listed: ReadonlySet<string>): void {
  for (const id of seen.keys()) if (!listed.has(id)) seen.delete(id);
}

/** A few deletes at a time; one that fails is tried again by a later round, if still due. */
async function deleteSome(deletes: readonly (() => Promise<void>)[]): Promise<void> {
  const batch = deletes.slice(0, MAX_DELETES_PER_ROUND);
  for (let i = 0; i < batch.length; i += 10) {
    await Promise.all(batch.slice(i, i + 10).map((remove) => remove().catch(() => undefined)));
  }
}

/** Instances whose latency rows moved in the last 30 s (they only move with traffic), plus this one. */
function countLive(rows: ReadonlyMap<string, ReadonlyMap<string, LatencyFigure>>, self: string, nowMs: number): number {
  const live = new Set<string>([self]);
  for (const byInstance of rows.values()) {
    for (const [instance, figure] of byInstance) if (nowMs - figure.atMs <= 30_000) live.add(instance);
  }
  return live.size;
}
