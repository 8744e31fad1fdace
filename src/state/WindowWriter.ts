import { mergeWindow, Window } from '../core/windows';
import { RowTable } from './RowTable';
import { WindowRow, WINDOWS } from './rowKinds';

const MAX_TRIES = 8;

/**
 * Writes one window with optimistic concurrency: replace only if the row is as last seen
 * (ETag); on a conflict re-read, merge keeping the later expiry, and try again. A row that
 * already holds a later window is left alone. Concurrent writers therefore lose nothing.
 */
export class WindowWriter {
  private readonly etags = new Map<string, string>();

  /**
   * `now` stamps each write (readers use it to tell how long a window was meant to last);
   * `readable` puts a row another instance wrote on this clock (see pulledWindow).
   */
  constructor(
    private readonly table: RowTable,
    private readonly instanceId: string,
    private readonly now: () => number,
    private readonly readable: (stored: WindowRow) => Window,
  ) {}

  /** Notes a row's ETag as listed, for the next write of that key. */
  remember(key: string, etag: string): void {
    this.etags.set(key, etag);
  }

  /** Forgets the ETags of rows the last listing no longer had (deleted), so the map stays as small as the table. */
  keepOnly(keys: ReadonlySet<string>): void {
    for (const key of this.etags.keys()) if (!keys.has(key)) this.etags.delete(key);
  }

  /** `learned` receives a later window found in the table, so memory catches up at once. */
  async write(key: string, window: Window, learned: (stored: Window) => void): Promise<void> {
    let etag = this.etags.get(key);
    let wanted = window;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const result = await this.table.replaceIf(WINDOWS, key, { window: wanted, instance: this.instanceId, writtenAtMs: this.now() }, etag);
      if (result.kind === 'written') {
        this.etags.set(key, result.etag);
        return;
      }
      const stored = await this.table.get(WINDOWS, key);
      const found = stored === undefined ? undefined : this.readable(stored.value);
      if (stored !== undefined && found !== undefined) {
        this.etags.set(key, stored.etag);
        if (mergeWindow(found, wanted) === found) {
          learned(found);
          return;
        }
      }
      etag = stored?.etag;
      wanted = mergeWindow(found, wanted);
    }
    throw new Error(`window ${key}: gave up after ${MAX_TRIES} concurrent-update conflicts`);
  }
}
