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
