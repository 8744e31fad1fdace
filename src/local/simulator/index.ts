/**
 * An in-process simulated Azure OpenAI resource: the shapes, headers, errors and
 * per-deployment RPM/TPM limits of the real service, plus injectable faults. Its Responses and
 * Conversations APIs store objects per instance, so a follow-up routed to the wrong instance
 * fails as it does across Azure resources.
 */
export { startSimulatedBackend } from './server';
export { CONTENT_FILTER_TRIGGER, estimateChatPromptTokens } from './tokens';
export { WINDOW_MS as RATE_LIMIT_WINDOW_MS } from './limiter';
export { MAX_STORED_OBJECTS } from './memory';
export type { ResponseStatus as SimulatedResponseStatus } from './memory';
export type { RecordedRequest, SimulatedBackend, SimulatedBackendOptions, SimulatedBackendStats, SimulatedFault } from './types';
