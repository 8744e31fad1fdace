import { createAzure } from '@ai-sdk/azure';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedBackend } from '../../src/local/simulator';
import { RouterProcess, startRouterProcess } from '../support/routerProcess';
import { startTwoEqualBackends, TwoEqualBackends } from '../support/twoEqualBackends';

const ROUTER_KEY = 'e2e-ai-sdk-consumer-key-0123456789';
let east: SimulatedBackend;
let west: SimulatedBackend;
let router: RouterProcess;
let backends: TwoEqualBackends;

beforeAll(async () => {
  backends = await startTwoEqualBackends();
  ({ east, west } = backends);
  router = await startRouterProcess({ ROUTER_API_KEYS: `ai:${ROUTER_KEY}`, ROUTER_ID_SECRET: 'e2e-ai-sdk-id-secret-0123456789abcdef', ...backends.env });
}, 30_000);

afterAll(async () => {
  await router?.stop();
  await backends?.close();
});

let alias = 'gpt-4o';
let testNumber = 0;
beforeEach(() => {
  east.reset();
  west.reset();
  alias = `gpt-4o-ai${++testNumber}`;
});

const azure = () => createAzure({ baseURL: `${router.url}/api/openai/v1`, apiKey: ROUTER_KEY });
const forwarded = () => [...east.requests, ...west.requests];

describe('the router, driven by the Vercel AI SDK’s Azure provider', () => {
  it('answers generateText through the Responses API', async () => {
    const result = await generateText({ model: azure()(alias), prompt: 'Say hello', maxRetries: 0 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBeGreaterThan(0);
    expect(forwarded().map((r) => r.path)).toEqual([expect.stringMatching(/\/responses$/)]);
  });

  it('streams streamText through the Responses API', async () => {
    const result = streamText({ model: azure()(alias), prompt: 'Say hello', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect(text).toBe(await result.text);
    expect(forwarded()).toHaveLength(1);
    expect(JSON.parse(forwarded()[0]?.body ?? '{}')).toMatchObject({ stream: true });
  });

  it('continues two-turn exchanges with previousResponseId on the backend that holds each first turn', async () => {
    // Six exchanges: were the second turns balanced instead of bound, one would stray with probability 1 - 2^-6.
    for (let n = 0; n < 6; n++) {
      east.reset();
      west.reset();
      const first = await generateText({ model: azure()(alias), prompt: `Remember the word teal ${n}`, maxRetries: 0 });
      const previousResponseId = (first.providerMetadata?.azure as { responseId?: string } | undefined)?.responseId;
      expect(previousResponseId).toMatch(/^resp_/);
      const holder = east.requests.length === 1 ? east : west;
      const second = await generateText({
        model: azure()(alias),
        prompt: 'Which word?',
        maxRetries: 0,
        providerOptions: { azure: { previousResponseId } }, // the provider reads options under its own name
      });
      expect(second.text.length).toBeGreaterThan(0);
      expect(holder.requests).toHaveLength(2);
      // The router unsealed the id: the holder received its own id back, one it stores.
      const body = JSON.parse(holder.requests[1]?.body ?? '{}') as { previous_response_id?: string };
      expect(body.previous_response_id).not.toBe(previousResponseId);
      expect(holder.holds(body.previous_response_id ?? '')).toBe(true);
    }
  });
});
