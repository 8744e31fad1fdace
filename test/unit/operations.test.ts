import { describe, expect, it } from 'vitest';
import { backendPath, OPERATION_ROWS, OPERATIONS, OperationRow } from '../../src/core/operations';
import { StreamUsageMeter, usageOfBody } from '../../src/router/usageMeter';

/**
 * One case per operation row: what callers send, what the backend receives, and how the
 * answer is metered. Adding a row to OPERATIONS without a case here fails the first test.
 */
interface Case {
  readonly row: OperationRow;
  readonly backendPaths: { readonly deployments?: string; readonly v1: string };
  /** A request body and the prompt tokens the row estimates for it. */
  readonly body: Record<string, unknown>;
  readonly promptEstimate: number;
  /** An answer body carrying usage, and the usage read from it. */
  readonly answer: unknown;
  readonly usage: { promptTokens: number; completionTokens: number; totalTokens: number; cachedTokens?: number };
  /** One SSE frame holding a single content delta, for rows that stream. */
  readonly deltaFrame?: string;
  /** The backend's own ids for a row on stored objects. */
  readonly params?: { readonly id?: string; readonly item?: string };
}

const RESPONSE_ANSWER = {
  id: 'resp_1',
  object: 'response',
  output: [],
  usage: { input_tokens: 7, input_tokens_details: { cached_tokens: 0 }, output_tokens: 3, total_tokens: 10 },
};
const RESPONSE_USAGE = { promptTokens: 7, completionTokens: 3, totalTokens: 10, cachedTokens: 0 };
const stored = (row: OperationRow, path: string, params: { id: string; item?: string }): Case => ({
  row,
  backendPaths: { v1: `/openai/v1/${path}` },
  params,
  body: {},
  promptEstimate: 0,
  answer: RESPONSE_ANSWER,
  usage: RESPONSE_USAGE,
});

const CASES: readonly Case[] = [
  {
    row: OPERATIONS.chat,
    backendPaths: { deployments: '/openai/deployments/gpt-4o/chat/completions', v1: '/openai/v1/chat/completions' },
    body: { messages: [{ role: 'user', content: 'x'.repeat(40) }] },
    promptEstimate: 10 + 6,
    answer: { choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
    usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17 },
    deltaFrame: 'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n',
  },
  {
    row: OPERATIONS.completions,
    backendPaths: { deployments: '/openai/deployments/gpt-4o/completions', v1: '/openai/v1/completions' },
    body: { prompt: 'x'.repeat(40) },
    promptEstimate: 10,
    answer: { choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } },
    usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 },
    deltaFrame: 'data: {"choices":[{"index":0,"text":"Hi","finish_reason":null}]}\n\n',
  },
  {
    row: OPERATIONS.embeddings,
    backendPaths: { deployments: '/openai/deployments/gpt-4o/embeddings', v1: '/openai/v1/embeddings' },
    body: { input: ['x'.repeat(20), 'y'.repeat(20)] },
    promptEstimate: 10,
    answer: { data: [], usage: { prompt_tokens: 8, total_tokens: 8 } },
    usage: { promptTokens: 8, completionTokens: 0, totalTokens: 8 },
  },
  {
    row: OPERATIONS.responses,
    backendPaths: { v1: '/openai/v1/responses' },
    body: { instructions: 'x'.repeat(20), input: [{ role: 'user', content: [{ type: 'input_text', text: 'y'.repeat(20) }] }] },
    promptEstimate: 10,
    answer: RESPONSE_ANSWER,
    usage: RESPONSE_USAGE,
    deltaFrame:
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","sequence_number":4}\n\n',
  },
  stored(OPERATIONS.response, 'responses/resp_1', { id: 'resp_1' }),
  stored(OPERATIONS.responseCancel, 'responses/resp_1/cancel', { id: 'resp_1' }),
  stored(OPERATIONS.responseInputItems, 'responses/resp_1/input_items', { id: 'resp_1' }),
  { ...stored(OPERATIONS.conversations, 'conversations', { id: '' }), params: {} },
  stored(OPERATIONS.conversation, 'conversations/conv_1', { id: 'conv_1' }),
  stored(OPERATIONS.conversationItems, 'conversations/conv_1/items', { id: 'conv_1' }),
  stored(OPERATIONS.conversationItem, 'conversations/conv_1/items/msg_2', { id: 'conv_1', item: 'msg_2' }),
];

describe('OPERATIONS', () => {
  it('has a case in this table for every row', () => {
    expect(CASES.map((c) => c.row.name).sort()).toEqual(OPERATION_ROWS.map((row) => row.name).sort());
  });

  it.each(CASES.map((c) => [c.row.name, c] as const))('%s reaches the backend path of each API shape', (_name, c) => {
    if (c.backendPaths.deployments !== undefined) expect(backendPath(c.row, 'deployments', 'gpt-4o')).toBe(c.backendPaths.deployments);
    expect(backendPath(c.row, 'v1', 'gpt-4o', c.params)).toBe(c.backendPaths.v1);
    if (c.row.routes.preview !== undefined) expect(backendPath(c.row, 'preview', 'gpt-4o', c.params)).toBe(c.backendPaths.v1);
  });

  it.each(CASES.map((c) => [c.row.name, c] as const))('%s estimates its prompt from its own fields', (_name, c) => {
    expect(c.row.estimatePrompt(c.body)).toBe(c.promptEstimate);
  });

  it.each(CASES.map((c) => [c.row.name, c] as const))('%s reads usage from its answer body', (_name, c) => {
    expect(usageOfBody(Buffer.from(JSON.stringify(c.answer)), c.row.usage)).toEqual({ ...c.usage, estimated: false });
  });

  it.each(CASES.filter((c) => c.deltaFrame !== undefined).map((c) => [c.row.name, c] as const))(
    '%s counts a content delta split across chunks once',
    (_name, c) => {
      const meter = new StreamUsageMeter(c.row, c.body);
      const frames = (c.deltaFrame ?? '').repeat(10);
      for (let at = 0; at < frames.length; at += 17) meter.observe(Buffer.from(frames.slice(at, at + 17)));
      expect(meter.usage()).toEqual({ promptTokens: c.promptEstimate, completionTokens: 10, totalTokens: c.promptEstimate + 10, estimated: true });
    },
  );

  it('offers each row on a route of its own per API shape', () => {
    const routes = OPERATION_ROWS.flatMap((row) => Object.values(row.routes));
    expect(new Set(routes).size).toBe(routes.length);
  });
});

describe('usage details', () => {
  it.each([
    [
      'chat',
      OPERATIONS.chat,
      {
        usage: {
          prompt_tokens: 2000,
          completion_tokens: 40,
          total_tokens: 2040,
          prompt_tokens_details: { cached_tokens: 1920 },
          completion_tokens_details: { reasoning_tokens: 12 },
        },
      },
    ],
    [
      'responses',
      OPERATIONS.responses,
      {
        usage: {
          input_tokens: 2000,
          output_tokens: 40,
          total_tokens: 2040,
          input_tokens_details: { cached_tokens: 1920 },
          output_tokens_details: { reasoning_tokens: 12 },
        },
      },
    ],
  ])('reads cached and reasoning tokens of %s answers', (_name, row, answer) => {
    expect(usageOfBody(Buffer.from(JSON.stringify(answer)), row.usage)).toMatchObject({ cachedTokens: 1920, reasoningTokens: 12 });
  });
});
