import { RouterEvents } from '../router/RouterEvents';

/** Several listeners as one; a listener that throws never reaches the request. */
export function composeEvents(listeners: readonly RouterEvents[]): RouterEvents {
  const each =
    <K extends keyof RouterEvents>(name: K) =>
    (...args: unknown[]): void => {
      for (const listener of listeners) {
        const fn = listener[name] as ((...a: unknown[]) => void) | undefined;
        try {
          fn?.apply(listener, args);
        } catch {
          // listeners guard themselves; this is the last line
        }
      }
    };
  return {
    wantsUsage: listeners.some((l) => l.wantsUsage === true),
    completed: each('completed'),
    allThrottled: each('allThrottled'),
    failover: each('failover'),
    benched: each('benched'),
    credentialUnavailable: each('credentialUnavailable'),
    credentialRejected: each('credentialRejected'),
    streamEnded: each('streamEnded'),
  };
}
