/** Why a backend (or one of its deployments) is out of rotation. */
export type WindowReason = 'throttled' | 'server-error' | 'timeout' | 'network' | 'auth' | 'circuit-open';

/** A bench: the target is skipped until `untilMs` (epoch ms). */
export interface Window {
  readonly untilMs: number;
  readonly reason: WindowReason;
}

/** Read access to the current windows; implemented by the state stores. */
export interface WindowLookup {
  getWindow(key: string): Window | undefined;
}

/** Azure limits are per deployment: a 429 benches backend+deployment. */
export function deploymentKey(backendName: string, deployment: string): string {
  return `${backendName}/${deployment}`;
}

/** Connection-level failures bench the whole backend. */
export function backendKey(backendName: string): string {
  return `${backendName}/*`;
}

/** When two windows meet, the later expiry wins; on a tie the one already there stays. */
export function mergeWindow(existing: Window | undefined, incoming: Window): Window {
  if (existing === undefined) return incoming;
  return incoming.untilMs > existing.untilMs ? incoming : existing;
}

export function isActive(window: Window | undefined, nowMs: number): window is Window {
  return window !== undefined && window.untilMs > nowMs;
}

/** The longest a window of each reason can rightly last: its bench setting. */
export type WindowCaps = Readonly<Record<WindowReason, number>>;

/** From the bench settings: 429s up to ROUTER_RETRY_AFTER_MAX_SECONDS, the others their bench, circuits their trip. */
export function windowCaps(
  throttle: { readonly capMs: number; readonly failureMs: number; readonly authFailureMs: number },
  circuit: { readonly tripMs: number },
): WindowCaps {
  return {
    throttled: throttle.capMs,
    'server-error': throttle.failureMs,
    timeout: throttle.failureMs,
    network: throttle.failureMs,
    auth: throttle.authFailureMs,
    'circuit-open': circuit.tripMs,
  };
}

/** A window as another instance wrote it: its end and, when known, when it wrote it, both on its own clock. */
export interface WrittenWindow {
  readonly window: Window;
  readonly writtenAtMs?: number;
}

/**
 * A window another instance wrote, on this instance's clock. Clocks differ between instances,
 * so the writer's `untilMs` is trusted only as far as the duration it wrote (`untilMs - writtenAtMs`,
 * itself at most the reason's cap) allows: it ends no later than that duration from now, and,
 * when the row is known to have been written after `writtenAfterMs` (this instance's previous
 * listing did not have it), no earlier than that duration from then. A row without a write time
 * (older versions) ends at most the cap from now.
 */
export function pulledWindow(written: WrittenWindow, nowMs: number, caps: WindowCaps, writtenAfterMs?: number): Window {
  const { window, writtenAtMs } = written;
  const capMs = caps[window.reason] ?? Math.max(...Object.values(caps));
  const durationMs = writtenAtMs === undefined || !Number.isFinite(writtenAtMs) ? capMs : Math.min(Math.max(window.untilMs - writtenAtMs, 0), capMs);
  let untilMs = Math.min(window.untilMs, nowMs + durationMs);
  if (writtenAtMs !== undefined && writtenAfterMs !== undefined) untilMs = Math.max(untilMs, Math.min(writtenAfterMs, nowMs) + durationMs);
  return untilMs === window.untilMs ? window : { untilMs, reason: window.reason };
}
