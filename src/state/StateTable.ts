import { LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { Window } from '../core/windows';

export interface StoredWindow {
  readonly window: Window;
  /** Which instance saw it (for the status page and debugging). */
  readonly instance: string;
  readonly etag: string;
  /** The writer's clock when it wrote the row; undefined in rows written by older versions. */
  readonly writtenAtMs?: number;
}

export interface StoredRemaining {
  readonly remaining: Remaining;
  readonly instance: string;
  /** For a delete that must not remove a newer report. */
  readonly etag?: string;
}

export interface StoredLatency {
  readonly figure: LatencyFigure;
  /** For a delete that must not remove a newer figure. */
  readonly etag?: string;
}

export type WriteResult = { readonly kind: 'written'; readonly etag: string } | { readonly kind: 'conflict' };

/** The shared table, reduced to what the store needs. One implementation per storage. */
export interface StateTable {
  ensureExists(): Promise<void>;
  listWindows(): Promise<Map<string, StoredWindow>>;
  getWindow(key: string): Promise<StoredWindow | undefined>;
  /**
   * Creates (etag undefined) or replaces only if the row still has `etag`; 'conflict' on a race
   * (412/409) or when the row is gone. `writtenAtMs` is the writer's now, so readers with other
   * clocks can tell how long the window was meant to last.
   */
  writeWindow(key: string, window: Window, instance: string, etag: string | undefined, writtenAtMs: number): Promise<WriteResult>;
  /** Deletes the row if it still has `etag`; a changed or missing row is left as it is. */
  deleteWindow(key: string, etag: string): Promise<void>;
  listRemaining(): Promise<Map<string, StoredRemaining>>;
  upsertRemaining(key: string, remaining: Remaining, instance: string): Promise<void>;
  deleteRemaining(key: string, etag: string): Promise<void>;
  /** key → instance → that instance's figure. */
  listLatency(): Promise<Map<string, Map<string, StoredLatency>>>;
  upsertLatency(key: string, figure: LatencyFigure, instance: string): Promise<void>;
  deleteLatency(key: string, instance: string, etag: string): Promise<void>;
  /** Sets this instance's token count for a consumer in a counting window. */
  upsertUsage(windowKey: string, consumer: string, tokens: number, instance: string): Promise<void>;
  /** Other instances' totals per `${windowKey}|${consumer}` for the given windows. */
  listUsage(windowKeys: readonly string[], excludeInstance: string): Promise<Map<string, number>>;
  /**
   * Takes the named lease until `untilMs` unless another instance holds it at `nowMs` (see
   * leaseIsHeld); false if it does.
   */
  claimLease(name: string, instance: string, nowMs: number, untilMs: number): Promise<boolean>;
}

/**
 * Whether a lease ending at `heldUntilMs` still holds against a claim made at `nowMs` for a lease
 * until `untilMs`. One ending after the lease the claimer would take itself was taken on a clock
 * ahead of the claimer's (every instance takes the same hold): it counts as ended, so a stopped
 * instance whose clock ran ahead cannot keep the others from the work for the length of its skew.
 */
export function leaseIsHeld(heldUntilMs: number, nowMs: number, untilMs: number): boolean {
  return heldUntilMs > nowMs && heldUntilMs <= untilMs;
}
