import { mergeWindow, Window } from '../core/windows';
import { StateTable } from './StateTable';

const MAX_TRIES = 8;

/**
 * Writes one window with optimistic concurrency: replace only if the row is as last seen
 * (ETag); on a conflict re-read, merge keeping the later expiry, and try again. A row that
 * already holds a later window is left alone. Concurrent writers therefore lose nothing.
 */
export class WindowWriter {
  private readonly etags = new Map<string, string>();

  constructor(private readonly table: StateTable, private readonly instanceId: string) {}

  remember(key: string, etag: string): void {
    this.etags.set(key, etag);
  }

  /** `learned` receives a later window found in the table, so memory catches up at once. */
  async write(key: string, window: Window, learned: (stored: Window) => void): Promise<void> {
    let etag = this.etags.get(key);
    let wanted = window;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      const result = await this.table.writeWindow(key, wanted, this.instanceId, etag);
      if (result.kind === 'written') {
        this.etags.set(key, result.etag);
        return;
      }
      const stored = await this.table.getWindow(key);
      if (stored !== undefined) {
        this.etags.set(key, stored.etag);
        if (mergeWindow(stored.window, wanted) === stored.window) {
          learned(stored.window);
          return;
        }
      }
      etag = stored?.etag;
      wanted = mergeWindow(stored?.window, wanted);
    }
    throw new Error(`window ${key}: gave up after ${MAX_TRIES} concurrent-update conflicts`);
  }
}
