/**
 * A response generated over time: its SSE events are released one by one on timers, and
 * whoever follows it (the creating request, a later `GET ?stream=true`) gets them as they
 * come, after replaying those already released. The generation belongs to the resource, not
 * to a connection: a background response completes whether or not anyone is listening.
 */
import { cutConnection } from './reply';
import { finishEventStream } from './sse';
import type { Exchange } from './state';

export interface RunTiming {
  /** Between two events, like chat's chunk pacing. */
  readonly intervalMs: number;
  /** Extra wait before the event at `pauseAt`: a background response queues for the latency. */
  readonly pauseAt: number;
  readonly pauseMs: number;
}

export interface RunMilestones {
  /** Index of the `response.in_progress` event. */
  readonly inProgressAt: number;
  readonly onInProgress: () => void;
  /** After the last event (the terminal `response.completed` or `response.incomplete`). */
  readonly onDone: () => void;
}

interface Follower {
  readonly ex: Exchange;
  /** Events written so far, for the `dropMidStream` cut. */
  written: number;
}

export class ResponseRun {
  /** Events released so far: `frames[0 … released - 1]`. */
  private released = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly followers = new Set<Follower>();

  /** `active` is the resource's set of running generations, which close() and reset() cancel. */
  constructor(
    private readonly active: Set<ResponseRun>,
    private readonly frames: readonly string[],
    private readonly timing: RunTiming,
    private readonly milestones: RunMilestones,
  ) {}

  get finished(): boolean {
    return this.stopped || this.released === this.frames.length;
  }

  /** Releases the first event at once, then the others on their timers. */
  start(): void {
    this.active.add(this);
    this.advance();
  }

  /**
   * Streams to `ex` (whose SSE headers are written) every released event after sequence
   * number `after`, then the rest as they are released, then ends the answer.
   */
  follow(ex: Exchange, after: number): void {
    const follower: Follower = { ex, written: 0 };
    if (ex.dropAfterChunks === 0) {
      cutConnection(ex.res);
      return;
    }
    for (let index = Math.max(0, after + 1); index < this.released; index++) {
      if (!this.write(follower, index)) return;
    }
    if (this.finished) {
      finishEventStream(ex);
      return;
    }
    this.followers.add(follower);
    ex.res.once('close', () => this.followers.delete(follower));
  }

  /** Stops generating and ends the followers' streams where they are: a cancel, a delete, close() or reset(). */
  cancel(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.active.delete(this);
    for (const follower of this.followers) finishEventStream(follower.ex);
    this.followers.clear();
  }

  private advance(): void {
    this.timer = undefined;
    let wait = 0;
    while (wait <= 0) {
      this.release();
      if (this.released === this.frames.length) {
        this.end();
        return;
      }
      wait = this.waitBefore(this.released);
    }
    this.timer = setTimeout(() => this.advance(), wait);
  }

  private waitBefore(index: number): number {
    const { intervalMs, pauseAt, pauseMs } = this.timing;
    return intervalMs + (index === pauseAt ? pauseMs : 0);
  }

  private release(): void {
    const index = this.released++;
    if (index === this.milestones.inProgressAt) this.milestones.onInProgress();
    for (const follower of this.followers) {
      if (!this.write(follower, index)) this.followers.delete(follower);
    }
  }

  private end(): void {
    this.active.delete(this);
    this.milestones.onDone();
    for (const follower of this.followers) finishEventStream(follower.ex);
    this.followers.clear();
  }

  /** False when the follower is gone, or its `dropMidStream` fault cut it after this event. */
  private write(follower: Follower, index: number): boolean {
    const { ex } = follower;
    if (ex.res.destroyed) return false;
    ex.res.write(this.frames[index]);
    follower.written++;
    if (follower.written < (ex.dropAfterChunks ?? Infinity)) return true;
    cutConnection(ex.res);
    return false;
  }
}
