/**
 * Open-loop load: requests leave at a fixed rate whatever the answers (paced against the
 * clock, so a late tick catches up), spread evenly over the router instances. A 429 is
 * counted, never retried.
 */
import { Pool } from 'undici';

export interface ClientTally {
  sent: number;
  ok: number;
  /** The router answered 429: every backend was throttled. */
  throttled: number;
  /** Anything else: other statuses and transport errors. */
  other: number;
  firstOther: string | undefined;
  /** Time to the whole answer, ms, of every measured request (router backlog shows here first). */
  latenciesMs: number[];
}

export interface LoadRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const TICK_MS = 5;
const emptyTally = (): ClientTally => ({ sent: 0, ok: 0, throttled: 0, other: 0, firstOther: undefined, latenciesMs: [] });

export class OpenLoopLoad {
  private readonly pools: Pool[];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private scheduled = 0;
  /** Requests sent while measuring count here; undefined otherwise. */
  private tally: ClientTally | undefined;

  constructor(
    urls: readonly string[],
    private readonly ratePerSecond: number,
    private readonly request: LoadRequest,
  ) {
    this.pools = urls.map((url) => new Pool(url, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 }));
  }

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  beginMeasure(): void {
    this.tally = emptyTally();
  }

  /** Stops counting; answers still in flight for measured requests are still added. */
  endMeasure(): ClientTally {
    const tally = this.tally ?? emptyTally();
    this.tally = undefined;
    return tally;
  }

  /** Stops sending, waits for the answers in flight, closes the connections. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.pools.map((pool) => pool.close()));
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) * this.ratePerSecond) / 1000);
    while (this.scheduled < due) this.fire(this.pools[this.scheduled++ % this.pools.length]);
  }

  private fire(pool: Pool | undefined): void {
    if (pool === undefined) return;
    const tally = this.tally;
    if (tally !== undefined) tally.sent++;
    const { path, headers, body } = this.request;
    const startMs = performance.now();
    const sent = pool
      .request({ path, method: 'POST', headers, body })
      .then(async (res) => count(tally, res.statusCode, await res.body.text(), startMs))
      .catch((err: unknown) => count(tally, 0, err instanceof Error ? err.message : String(err), startMs))
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }
}

function count(tally: ClientTally | undefined, status: number, text: string, startMs: number): void {
  if (tally === undefined) return;
  tally.latenciesMs.push(performance.now() - startMs);
  if (status === 200) tally.ok++;
  else if (status === 429) tally.throttled++;
  else {
    tally.other++;
    tally.firstOther ??= `HTTP ${status}: ${text.slice(0, 160)}`;
  }
}
