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
  /** Queues a run now (admin API); false when `name` is not a timer function here. */
  invoke(name: string): boolean;
  /** Stops scheduling; runs in progress finish on their own. */
  stop(): void;
  /** Resolves when every run started so far has finished (for tests and orderly shutdown). */
  idle(): Promise<void>;
}

interface TimerState {
  job: TimerJob;
  /** Tail of this timer's run queue: runs are chained, so they never overlap. */
  tail: Promise<void>;
  last: Date;
  next: Date;
  handle?: NodeJS.Timeout;
}

export function startTimers(lib: FunctionsLibrary, jobs: TimerJob[], logger: HostLogger, now: () => Date = () => new Date()): TimerScheduler {
  let stopped = false;
  const states = new Map<string, TimerState>();

  const run = async (state: TimerState): Promise<void> => {
    const { fn } = state.job;
    const started = now();
    const timer: Timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      // last: the previous run (or host start); next: the occurrence after this run.
      scheduleStatus: {
        last: state.last.toISOString(),
        next: nextOccurrence(state.job.schedule, started).toISOString(),
        lastUpdated: started.toISOString(),
      },
    };
    state.last = started;
    const context = createContext(lib, fn);
    try {
      await invokeWithHooks(fn, [timer], context);
    } catch (err) {
      logger.error(`[${new Date().toISOString()}] Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}): ${errorText(err)}`);
    }
  };

  const enqueue = (state: TimerState): Promise<void> => (state.tail = state.tail.then(() => run(state)));

  const arm = (state: TimerState, after: Date): void => {
    if (stopped) return;
    state.next = nextOccurrence(state.job.schedule, after);
    const fire = (): void => {
      const current = now();
      if (current < state.next) return void (state.handle = setTimeout(fire, Math.min(state.next.getTime() - current.getTime(), MAX_DELAY_MS)).unref());
      const due = state.next;
      // The next occurrence is computed after the run, from whichever is later: a run that
      // overran skips what it covered, and a timer that fired a hair early cannot repeat `due`.
      void enqueue(state).then(() => arm(state, new Date(Math.max(now().getTime(), due.getTime()))));
    };
    state.handle = setTimeout(fire, Math.min(Math.max(0, state.next.getTime() - now().getTime()), MAX_DELAY_MS));
    // Timers never keep the process alive on their own; the HTTP server does that.
    state.handle.unref();
  };

  for (const job of jobs) {
    const start = now();
    const state: TimerState = { job, tail: Promise.resolve(), last: start, next: start };
    states.set(job.fn.name.toLowerCase(), state);
    if (job.runOnStartup) void enqueue(state);
    arm(state, start);
  }

  return {
    invoke(name) {
      const state = states.get(name.toLowerCase());
      if (!state || stopped) return false;
      void enqueue(state);
      return true;
    },
    stop() {
      stopped = true;
      for (const state of states.values()) clearTimeout(state.handle);
    },
    async idle() {
      await Promise.all([...states.values()].map((s) => s.tail));
    },
  };
}
