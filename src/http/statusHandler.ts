import { HttpRequest, HttpResponseInit } from '@azure/functions';
import { timingSafeEqual } from 'node:crypto';
import { BackendConfig } from '../config/types';
import { backendKey } from '../core/windows';
import { StatusDeps } from './HandlerDeps';
import { buildStatus } from '../status/buildStatus';
import { statusPageHtml, statusPageCsp } from '../status/statusPage';
import { BUCKET_MS, parseSpan } from '../status/historyTypes';
import { historyView } from '../status/historyView';
import { digest, presentedKey } from './ConsumerKeys';
import { refused } from './outcomes';

/** `GET /api/router/status`: backend state for operators, JSON or (Accept: text/html) a page. */
export function statusHandler(runtime: () => StatusDeps) {
  return async (req: HttpRequest): Promise<HttpResponseInit> => {
    const rt = runtime();
    if (req.method !== 'GET') return refused({ kind: 'wrong-method', allow: ['GET'], what: 'the router status' });
    if ((req.headers.get('accept') ?? '').includes('text/html')) return statusPage();
    const key = presentedKey((name) => req.headers.get(name));
    const admin = rt.config.adminKey;
    if (key === undefined || key === '') return refused({ kind: 'admin-key-missing' });
    if (admin === undefined || !timingSafeEqual(digest(key), digest(admin))) {
      return refused({ kind: rt.consumers.identify(key) === undefined ? 'admin-key-wrong' : 'admin-key-needed' });
    }
    const span = req.query.get('history');
    const spanMs = span === null ? undefined : parseSpan(span);
    if (span !== null && spanMs === undefined) return refused({ kind: 'invalid-history-span', value: span });
    const status = buildStatus({
      config: rt.config,
      state: rt.state,
      circuit: (name) => rt.router.breakers.state(backendKey(name)),
      tally: rt.tally && ((name) => rt.tally?.of(name) ?? {}),
      credentialState: credentialStates(rt),
      instanceId: rt.instanceId,
      stateKind: rt.stateHandle.kind,
      lastSyncAtMs: rt.stateHandle.lastSyncAtMs(),
      startedAtMs: rt.startedAtMs,
      nowMs: rt.now(),
      ...(rt.cacheTally === undefined ? {} : { responseCache: () => rt.cacheTally?.snapshot() ?? {} }),
      ...(spanMs === undefined ? {} : { history: history(rt, spanMs) }),
    });
    return { status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: status };
  };
}

/**
 * The HTML view is a data-free shell: it asks for the admin key (kept in this tab's
 * sessionStorage, never in a URL) and polls the JSON with it. So no figure and no key is
 * ever served without the admin key, and the page refreshes itself.
 */
function statusPage(): HttpResponseInit {
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': statusPageCsp(),
    },
    body: statusPageHtml(),
  };
}

/** The app's history over the span (every instance's), or an empty one for runtimes without it. */
function history(rt: StatusDeps, spanMs: number) {
  const limit = (consumer: string): number | null => rt.config.consumerLimits.get(consumer)?.tokensPerMinute ?? null;
  const merged = rt.history?.merged(spanMs);
  const empty = { v: 1 as const, first: Math.floor(rt.now() / BUCKET_MS), count: 0, backends: {}, consumers: {}, allThrottled: [], intervals: [] };
  return historyView(merged?.snapshot ?? empty, merged?.instances ?? 0, limit);
}

/** Per backend: the credential source's own account (never a value), or whether a header is cached. */
function credentialStates(rt: StatusDeps): (backend: BackendConfig) => Record<string, unknown> & { state: string } {
  const byBackend = new Map((rt.credentials.status?.() ?? []).map((s) => [s.backend, s]));
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  return (backend) => {
    const s = byBackend.get(backend.name);
    if (s === undefined) return { state: rt.credentials.authHeader(backend) === undefined ? 'pending' : 'ok' };
    return { state: s.state, secretName: s.secretName, lastRefreshAt: iso(s.lastRefreshAt), expiresAt: iso(s.expiresAt), lastError: s.lastError };
  };
}
