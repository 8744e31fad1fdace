import { estimateChatPrompt, estimateCompletionsPrompt, estimateEmbeddingsInput, estimateResponsesPrompt } from './estimateTokens';

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
  /** Whether its answers carry ids of stored objects (sealed on the way out, opened on the way in). */
  readonly storedIds: boolean;
}

/** `deployments`: the deployment in the path; `v1`: in the body; `preview`: the Azure client's `/openai/responses?api-version=`. */
export type ApiShape = 'deployments' | 'v1' | 'preview';
export type HttpMethodName = 'GET' | 'POST' | 'DELETE';

export interface StreamGrammar {
  /** `chat`: `data:` frames ending `data: [DONE]`; `responses`: `event:` + `data:` frames, typed events. */
  readonly kind: 'chat' | 'responses';
  /** A text that appears once per generated content delta: counted when a stream reports no usage. */
  readonly contentDelta: string;
}

export interface UsageFields {
  readonly prompt: string;
  readonly completion: string;
  readonly total: string;
  /** The objects holding `cached_tokens` (prompt side) and `reasoning_tokens` (completion side). */
  readonly promptDetails: string;
  readonly completionDetails: string;
}

const CHAT_USAGE: UsageFields = {
  prompt: 'prompt_tokens',
  completion: 'completion_tokens',
  total: 'total_tokens',
  promptDetails: 'prompt_tokens_details',
  completionDetails: 'completion_tokens_details',
};
const RESPONSES_USAGE: UsageFields = {
  prompt: 'input_tokens',
  completion: 'output_tokens',
  total: 'total_tokens',
  promptDetails: 'input_tokens_details',
  completionDetails: 'output_tokens_details',
};
const API_VERSION_ONLY = ['api-version'] as const;
const RESPONSES_STREAM: StreamGrammar = { kind: 'responses', contentDelta: '"type":"response.output_text.delta"' };
const noPrompt = (): number => 0;

/** What every read or change of a stored object shares: bound to its backend, generates nothing. */
const STORED = {
  alias: 'none',
  routing: 'stored',
  estimatePrompt: noPrompt,
  usage: RESPONSES_USAGE,
  generates: false,
  storedIds: true,
} as const;

export const OPERATIONS = {
  chat: {
    name: 'chatCompletions',
    path: 'chat/completions',
    methods: ['POST'],
    routes: { deployments: 'openai/deployments/{deployment}/chat/completions', v1: 'openai/v1/chat/completions' },
    alias: 'path',
    routing: 'balanced',
    stream: { kind: 'chat', contentDelta: '"delta":{"content":"' },
    estimatePrompt: estimateChatPrompt,
    usage: CHAT_USAGE,
    generates: true,
    query: API_VERSION_ONLY,
    storedIds: false,
  },
  completions: {
    name: 'completions',
    path: 'completions',
    methods: ['POST'],
    routes: { deployments: 'openai/deployments/{deployment}/completions', v1: 'openai/v1/completions' },
    alias: 'path',
    routing: 'balanced',
    stream: { kind: 'chat', contentDelta: '"text":"' },
    estimatePrompt: estimateCompletionsPrompt,
    usage: CHAT_USAGE,
    generates: true,
    query: API_VERSION_ONLY,
    storedIds: false,
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
    storedIds: false,
  },
  responses: {
    name: 'responses',
    path: 'responses',
    methods: ['POST'],
    routes: { v1: 'openai/v1/responses', preview: 'openai/responses' },
    alias: 'body',
    // Balanced unless the body binds it (previous_response_id, conversation, sealed reasoning items).
    routing: 'balanced',
    stream: RESPONSES_STREAM,
    estimatePrompt: estimateResponsesPrompt,
    usage: RESPONSES_USAGE,
    generates: true,
    query: [],
    storedIds: true,
  },
  response: {
    ...STORED,
    name: 'response',
    path: 'responses/{id}',
    methods: ['GET', 'DELETE'],
    routes: { v1: 'openai/v1/responses/{id}', preview: 'openai/responses/{id}' },
    // GET ?stream=true&starting_after=N resumes a background stream.
    stream: RESPONSES_STREAM,
    query: ['stream', 'starting_after', 'include', 'include[]', 'include_obfuscation'],
  },
  responseCancel: {
    ...STORED,
    name: 'responseCancel',
    path: 'responses/{id}/cancel',
    methods: ['POST'],
    routes: { v1: 'openai/v1/responses/{id}/cancel', preview: 'openai/responses/{id}/cancel' },
    stream: undefined,
    query: [],
  },
  responseInputItems: {
    ...STORED,
    name: 'responseInputItems',
    path: 'responses/{id}/input_items',
    methods: ['GET'],
    routes: { v1: 'openai/v1/responses/{id}/input_items', preview: 'openai/responses/{id}/input_items' },
    stream: undefined,
    query: ['limit', 'order', 'after', 'before', 'include', 'include[]'],
  },
  conversations: {
    ...STORED,
    name: 'conversations',
    path: 'conversations',
    methods: ['POST'],
    routes: { v1: 'openai/v1/conversations' },
    // A new conversation may live anywhere; it names no deployment, so any backend will do.
    routing: 'balanced',
    stream: undefined,
    query: [],
  },
  conversation: {
    ...STORED,
    name: 'conversation',
    path: 'conversations/{id}',
    methods: ['GET', 'POST', 'DELETE'],
    routes: { v1: 'openai/v1/conversations/{id}' },
    stream: undefined,
    query: [],
  },
  conversationItems: {
    ...STORED,
    name: 'conversationItems',
    path: 'conversations/{id}/items',
    methods: ['GET', 'POST'],
    routes: { v1: 'openai/v1/conversations/{id}/items' },
    stream: undefined,
    query: ['limit', 'order', 'after', 'include', 'include[]'],
  },
  conversationItem: {
    ...STORED,
    name: 'conversationItem',
    path: 'conversations/{id}/items/{item}',
    methods: ['GET', 'DELETE'],
    routes: { v1: 'openai/v1/conversations/{id}/items/{item}' },
    stream: undefined,
    query: ['include', 'include[]'],
  },
} as const satisfies Record<string, OperationRow>;

export type OperationKey = keyof typeof OPERATIONS;

export const OPERATION_ROWS: readonly OperationRow[] = Object.values(OPERATIONS);

/** Route parameters a backend path takes: the stored object's own id, and an item of it. */
export interface PathParams {
  readonly id?: string;
  readonly item?: string;
}

/**
 * The backend path for a row, `/openai/…`: the deployment in the path for the Azure shape,
 * the v1 layout otherwise (the Azure preview shape of Responses maps to v1 as well).
 */
export function backendPath(row: OperationRow, api: ApiShape, deployment: string, params: PathParams = {}): string {
  if (api === 'deployments' && row.alias === 'path') return `/openai/deployments/${deployment}/${row.path}`;
  const path = row.path.replace('{id}', encodeURIComponent(params.id ?? '')).replace('{item}', encodeURIComponent(params.item ?? ''));
  return `/openai/v1/${path}`;
}
