import { BackendConfig } from '../config/types';
import { WindowReason } from '../core/windows';
import { StreamEnd } from './relayStream';

/** What the router reports as it works; logging and telemetry implement it. Never throws. */
export interface RouterEvents {
  benched(backend: string, deployment: string, reason: WindowReason, benchMs: number): void;
  credentialUnavailable(backend: string): void;
  /** The backend refused a freshly fetched credential: an operator must act. */
  credentialRejected(backend: BackendConfig): void;
  streamEnded(backend: string, end: StreamEnd, error?: Error): void;
}

export const silentEvents: RouterEvents = {
  benched: () => undefined,
  credentialUnavailable: () => undefined,
  credentialRejected: () => undefined,
  streamEnded: () => undefined,
};
