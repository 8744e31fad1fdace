import { windowKeys } from '../core/consumerLimits';

const key = (consumer: string, windowKey: string): string => `${windowKey}|${consumer}`;

/**
 * Tokens used per consumer and counting window (minute, day, month). This instance's own
 * counts change on every answered request; the other instances' totals arrive with each sync.
 * Windows that have passed are forgotten.
 */
export class UsageLedger {
  private readonly own = new Map<string, number>();
  private readonly others = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private current = windowKeys(0);

  add(consumer: string, tokens: number, nowMs: number): void {
    this.roll(nowMs);
    for (const windowKey of [this.current.minute, this.current.day, this.current.month]) {
      const k = key(consumer, windowKey);
      this.own.set(k, (this.own.get(k) ?? 0) + tokens);
      this.dirty.add(k);
    }
  }

  used(consumer: string, windowKey: string): number {
    const k = key(consumer, windowKey);
    return (this.own.get(k) ?? 0) + (this.others.get(k) ?? 0);
  }

  /** Own counts changed since the last call: [windowKey, consumer, tokens]. */
  takeDirty(): [string, string, number][] {
    const rows: [string, string, number][] = [];
    for (const k of this.dirty) {
      const bar = k.indexOf('|');
      rows.push([k.slice(0, bar), k.slice(bar + 1), this.own.get(k) ?? 0]);
    }
    this.dirty.clear();
    return rows;
  }

  /** Puts rows back after a failed push so the next round tries again. */
  restoreDirty(rows: readonly [string, string, number][]): void {
    for (const [windowKey, consumer] of rows) this.dirty.add(key(consumer, windowKey));
  }

  /** After a pull: the other instances' totals for the current windows. */
  replaceOthers(totals: ReadonlyMap<string, number>): void {
    this.others.clear();
    for (const [k, v] of totals) this.others.set(k, v);
  }

  currentWindows(nowMs: number): string[] {
    this.roll(nowMs);
    return [this.current.minute, this.current.day, this.current.month];
  }

  private roll(nowMs: number): void {
    const next = windowKeys(nowMs);
    if (next.minute === this.current.minute) return;
    this.current = next;
    const live = new Set([next.minute, next.day, next.month]);
    for (const map of [this.own, this.others]) {
      for (const k of map.keys()) if (!live.has(k.slice(0, k.indexOf('|')))) map.delete(k);
    }
  }
}
