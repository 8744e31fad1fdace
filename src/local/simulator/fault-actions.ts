/** What each injected fault does to the request it hits. Faults act before normal processing. */
import { faultBody } from './errors';
import { sendJson } from './reply';
import type { Exchange } from './state';
import type { SimulatedFault } from './types';

/**
 * Returns true when the fault took over the request. `delay` and `dropMidStream` only
 * mark the exchange and let normal processing continue: the delay precedes whatever
 * answer comes, and the drop cuts the successful answer (a 401 or 429 is sent whole).
 */
export function applyFault(ex: Exchange, fault: SimulatedFault): boolean {
  switch (fault.kind) {
    case 'status':
      sendFaultStatus(ex, fault);
      return true;
    case 'hang':
      // Never answered; close() destroys the socket with all the others.
      ex.state.stats.failed++;
      return true;
    case 'reset':
      ex.state.stats.failed++;
      ex.req.socket.destroy();
      return true;
    case 'dropMidStream':
      ex.dropAfterChunks = fault.afterChunks;
      return false;
    case 'delay':
      ex.extraDelayMs = fault.ms;
      return false;
  }
}

function sendFaultStatus(ex: Exchange, fault: Extract<SimulatedFault, { kind: 'status' }>): void {
  const { status } = fault;
  // A throttled deployment has nothing left, as Azure reports; explicit fault headers still win.
  const exhausted = status === 429 ? { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-remaining-requests': '0' } : undefined;
  const headers = exhausted === undefined ? lowerCaseKeys(fault.headers) : { ...exhausted, ...lowerCaseKeys(fault.headers) };
  // 2xx counts as served and 429 as throttled when written; anything else is a failure.
  if ((status < 200 || status >= 300) && status !== 429) ex.state.stats.failed++;
  const body =
    fault.body === undefined ? faultBody(status, headers?.['retry-after']) : typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
  sendJson(ex, status, body, headers);
}

/** Node would send `Retry-After` and `retry-after` as two headers; callers may spell them either way. */
function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return lower;
}
