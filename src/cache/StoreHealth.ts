/** One log line when cache storage starts failing (per kind of call), one when it recovers. */
export class StoreHealth {
  private readonly failing = new Set<string>();

  constructor(private readonly log: (line: string) => void) {}

  failed(what: string, err: unknown): void {
    if (this.failing.has(what)) return;
    this.failing.add(what);
    const reason = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]?.slice(0, 200)}` : String(err);
    this.log(`[router] response cache ${what} failing (answers are still served, lookups miss): ${reason}`);
  }

  ok(what: string): void {
    if (this.failing.delete(what)) this.log(`[router] response cache ${what} recovered`);
  }

  isFailing(what: string): boolean {
    return this.failing.has(what);
  }
}
