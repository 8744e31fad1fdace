// Runs timer-triggered functions on their schedules, like the host's timer listener: one
// invocation at a time per function (a run that outlasts the interval skips the occurrences it
// covered rather than piling up), `runOnStartup` honoured, and manual runs (admin API) queued
// behind any run in progress. The Timer argument has the shape the worker passes.
import type { Timer } from '@azure/functions';
import { createContext, errorText, invokeWithHooks, type FunctionsLibrary, type HostedFunction, type HostLogger } from './invocation';
import { nextOccurrence, parseSchedule, resolveBindingExpressions, type Schedule } from './schedule';

// setTimeout holds at most ~24.8 days; longer waits re-arm on the way.
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface TimerJob {
  fn: HostedFunction;
  schedule: Schedule;
  runOnStartup: boolean;
}

/** Resolves `%SETTING%` and parses the schedule; errors name the function and the setting. */
export function timerJob(fn: HostedFunction, env: NodeJS.ProcessEnv): TimerJob {
  const { schedule, runOnStartup } = fn.registration.trigger;
  if (typeof schedule !== 'string') throw new Error(`Timer function "${fn.name}" has no schedule.`);
  try {
    const resolved = resolveBindingExpressions(schedule, env, `schedule of timer function "${fn.name}"`);
    return { fn, schedule: parseSchedule(resolved), runOnStartup: runOnStartup === true };
  } catch (err) {
    throw new Error(`Timer function "${fn.name}": ${(err as Error).message}`);
  }
}

export interface TimerScheduler {
  /** Arms every timer and queues the `runOnStartup` ones. */
  start(): void;
  /** Queues a run now (admin API); false when `name` is not a timer function here. */
  invoke(name: string): boolean;
  /** Stops scheduling; runs in progress finish on their own. */
  stop(): void;
  /** Resolves when every run started so far has finished (for tests and orderly shutdown). */
  idle(): Promise<void>;
}

/** One timer function: its schedule, its run queue and its pending setTimeout. */
class TimerRunner {
  /** Tail of the run queue: runs are chained, so two never overlap. */
  private tail: Promise<void> = Promise.resolve();
  private last: Date;
  private due: Date;
  private handle: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly lib: FunctionsLibrary,
    readonly job: TimerJob,
    private readonly logger: HostLogger,
    private readonly now: () => Date,
  ) {
    this.last = this.due = now();
  }

  start(): void {
    if (this.job.runOnStartup) void this.enqueue();
    this.arm(this.last);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.handle);
  }

  idle(): Promise<void> {
    return this.tail;
  }

  enqueue(): Promise<void> {
    return (this.tail = this.tail.then(() => this.run()));
  }

  private async run(): Promise<void> {
    const { fn, schedule } = this.job;
    const started = this.now();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      // last: the previous run (or host start); next: the occurrence after this run.
      scheduleStatus: {
        last: this.last.toISOString(),
        next: nextOccurrence(schedule, started).toISOString(),
        lastUpdated: started.toISOString(),
      },
    };
    this.last = started;
    const context = createContext(this.lib, fn);
    try {
      await invokeWithHooks(fn, [timer], context);
    } catch (err) {
      this.logger.error(`[${new Date().toISOString()}] Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}): ${errorText(err)}`);
    }
  }

  private arm(after: Date): void {
    if (this.stopped) return;
    this.due = nextOccurrence(this.job.schedule, after);
    this.wait();
  }

  private wait(): void {
    const delay = this.due.getTime() - this.now().getTime();
    // Timers never keep the process alive on their own; the HTTP server does that.
    this.handle = setTimeout(() => this.fire(), Math.min(Math.max(0, delay), MAX_DELAY_MS)).unref();
  }

  private fire(): void {
    if (this.stopped) return;
    if (this.now() < this.due) return this.wait(); // A wait longer than setTimeout allows.
    const due = this.due;
    // The next occurrence is computed after the run, from whichever is later: a run that
    // overran skips what it covered, and a timer that fired a hair early cannot repeat `due`.
    void this.enqueue().then(() => this.arm(new Date(Math.max(this.now().getTime(), due.getTime()))));
  }
}

export function createTimers(lib: FunctionsLibrary, jobs: TimerJob[], logger: HostLogger, now: () => Date = () => new Date()): TimerScheduler {
  const runners = new Map(jobs.map((job) => [job.fn.name.toLowerCase(), new TimerRunner(lib, job, logger, now)]));
  let started = false;
  let stopped = false;
  return {
    start() {
      if (started || stopped) return;
      started = true;
      for (const runner of runners.values()) runner.start();
    },
    invoke(name) {
      const runner = runners.get(name.toLowerCase());
      if (!runner || !started || stopped) return false;
      void runner.enqueue();
      return true;
    },
    stop() {
      stopped = true;
      for (const runner of runners.values()) runner.stop();
    },
    async idle() {
      await Promise.all([...runners.values()].map((r) => r.idle()));
    },
  };
}
