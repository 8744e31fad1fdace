import { LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { Window } from '../core/windows';

export interface StoredWindow {
  readonly window: Window;
  /** Which instance saw it (for the status page and debugging). */
  readonly instance: string;
  readonly etag: string;
}

export interface StoredRemaining {
  readonly remaining: Remaining;
  readonly instance: string;
}

export type WriteResult = { readonly kind: 'written'; readonly etag: string } | { readonly kind: 'conflict' };

/** The shared table, reduced to what the store needs. One implementation per storage. */
export interface StateTable {
  ensureExists(): Promise<void>;
  listWindows(): Promise<Map<string, StoredWindow>>;
  getWindow(key: string): Promise<StoredWindow | undefined>;
  /** Creates (etag undefined) or replaces only if the row still has `etag`; 'conflict' on a race (412/409). */
  writeWindow(key: string, window: Window, instance: string, etag: string | undefined): Promise<WriteResult>;
  listRemaining(): Promise<Map<string, StoredRemaining>>;
  upsertRemaining(key: string, remaining: Remaining, instance: string): Promise<void>;
  /** key → instance → that instance's figure. */
  listLatency(): Promise<Map<string, Map<string, LatencyFigure>>>;
  upsertLatency(key: string, figure: LatencyFigure, instance: string): Promise<void>;
  /** Sets this instance's token count for a consumer in a counting window. */
  upsertUsage(windowKey: string, consumer: string, tokens: number, instance: string): Promise<void>;
  /** Other instances' totals per `${windowKey}|${consumer}` for the given windows. */
  listUsage(windowKeys: readonly string[], excludeInstance: string): Promise<Map<string, number>>;
  /** Takes the named lease until `untilMs` if nobody holds it at `nowMs`; false if another instance does. */
  claimLease(name: string, instance: string, nowMs: number, untilMs: number): Promise<boolean>;
}
