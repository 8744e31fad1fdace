/**
 * An in-process simulated Azure OpenAI resource: the shapes, headers, errors and
 * per-deployment RPM/TPM limits of the real service, plus injectable faults.
 */
export { startSimulatedBackend } from './server';
export { CONTENT_FILTER_TRIGGER, estimateChatPromptTokens } from './tokens';
export { WINDOW_MS as RATE_LIMIT_WINDOW_MS } from './limiter';
export type {
  RecordedRequest,
  SimulatedBackend,
  SimulatedBackendOptions,
  SimulatedBackendStats,
  SimulatedFault,
} from './types';
