import { estimateChatPrompt, estimateEmbeddingsInput, estimateCompletionsPrompt } from './estimateTokens';

/**
 * What one operation is, in one row: how callers reach it, where its alias comes from, what
 * the backend receives, how it is routed, and how its answers are read for tokens. Function
 * registration, request parsing, estimates, usage metering, the probe and the simulator all
 * read this table; adding an operation is one row here plus a case in its table-driven test.
 */
export interface OperationRow {
  /** Function name of the Azure-shape route (the v1 one is `v1` + Name); telemetry's operation. */
  readonly name: string;
  /** Backend path after `/openai/`, e.g. `chat/completions`; `{deployment}` and `{id}` are filled in. */
  readonly path: string;
  readonly methods: readonly HttpMethodName[];
  /** Caller routes (under the `api` prefix) by API shape; an absent shape is not offered. */
  readonly routes: Readonly<Partial<Record<ApiShape, string>>>;
  /**
   * `path`: `{deployment}` in the route (Azure shape) or `model` in the body (v1); `body`: always
   * the body's `model`; `none`: the operation names no deployment.
   */
  readonly alias: 'path' | 'body' | 'none';
  /** `balanced` spreads over the alias's backends; `stored` goes to the backend that holds `{id}`. */
  readonly routing: 'balanced' | 'stored';
  /** Grammar of its SSE answers, or undefined when it never streams. */
  readonly stream: StreamGrammar | undefined;
  /** Prompt tokens Azure will count, estimated from the request body (about four characters a token). */
  readonly estimatePrompt: (body: Readonly<Record<string, unknown>>) => number;
  /** Where its answers report tokens (in the body, or in the stream's last usage object). */
  readonly usage: UsageFields;
  /** Whether its output can be generated at length (its non-stream header budget grows with max tokens). */
  readonly generates: boolean;
  /** Query parameters a backend receives; anything else the caller put in the query stays behind. */
  readonly query: readonly string[];
}

export type ApiShape = 'deployments' | 'v1';
export type HttpMethodName = 'GET' | 'POST' | 'DELETE';

export interface StreamGrammar {
  /** A text that appears once per generated content delta: counted when a stream reports no usage. */
  readonly contentDelta: string;
}

export interface UsageFields {
  readonly prompt: string;
  readonly completion: string;
  readonly total: string;
}

const CHAT_USAGE: UsageFields = { prompt: 'prompt_tokens', completion: 'completion_tokens', total: 'total_tokens' };
const API_VERSION_ONLY = ['api-version'] as const;

export const OPERATIONS = {
  chat: {
    name: 'chatCompletions',
    path: 'chat/completions',
    methods: ['POST'],
    routes: { deployments: 'openai/deployments/{deployment}/chat/completions', v1: 'openai/v1/chat/completions' },
    alias: 'path',
    routing: 'balanced',
    stream: { contentDelta: '"delta":{"content":"' },
    estimatePrompt: estimateChatPrompt,
    usage: CHAT_USAGE,
    generates: true,
    query: API_VERSION_ONLY,
  },
  completions: {
    name: 'completions',
    path: 'completions',
    methods: ['POST'],
    routes: { deployments: 'openai/deployments/{deployment}/completions', v1: 'openai/v1/completions' },
    alias: 'path',
    routing: 'balanced',
    stream: { contentDelta: '"text":"' },
    estimatePrompt: estimateCompletionsPrompt,
    usage: CHAT_USAGE,
    generates: true,
    query: API_VERSION_ONLY,
  },
  embeddings: {
    name: 'embeddings',
    path: 'embeddings',
    methods: ['POST'],
    routes: { deployments: 'openai/deployments/{deployment}/embeddings', v1: 'openai/v1/embeddings' },
    alias: 'path',
    routing: 'balanced',
    stream: undefined,
    estimatePrompt: estimateEmbeddingsInput,
    usage: CHAT_USAGE,
    generates: false,
    query: API_VERSION_ONLY,
  },
} as const satisfies Record<string, OperationRow>;

export type OperationKey = keyof typeof OPERATIONS;

export const OPERATION_ROWS: readonly OperationRow[] = Object.values(OPERATIONS);

/** The backend path for a row, `/openai/…`, with the deployment (Azure shape) or v1 layout. */
export function backendPath(row: OperationRow, api: ApiShape, deployment: string): string {
  if (api === 'deployments' && row.alias === 'path') return `/openai/deployments/${deployment}/${row.path}`;
  return `/openai/v1/${row.path}`;
}
