/**
 * `POST /responses`: read and check the request, charge the deployment like chat, then
 * answer at once (non-stream), stream the events (stream), or queue a background
 * generation that completes on its own timers (background, optionally streamed).
 */
import { CONTENT_FILTERED, DEPLOYMENT_NOT_FOUND, INVALID_JSON, MISSING_MODEL } from './errors';
import { admit, modelOf, parseObject } from './inference';
import type { StoredResponse } from './memory';
import { deliver, sendJson, sendJsonNow } from './reply';
import { responseEvents } from './response-events';
import { responseView } from './response-object';
import { Refusal } from './response-input';
import { planResponse, type ResponsePlan } from './response-plan';
import { ResponseRun, type RunTiming } from './runs';
import { cachedLatencyMs, cachedPrefixTokens } from './promptCache';
import { openEventStream } from './sse';
import type { BackendState, Exchange } from './state';
import type { JsonObject } from './tokens';

export function createResponse(ex: Exchange, apiVersion: string | undefined): void {
  const body = parseObject(ex.body);
  if (body === undefined) return sendJson(ex, 400, INVALID_JSON);
  const deployment = modelOf(body);
  if (deployment === undefined) return sendJson(ex, 400, MISSING_MODEL);
  ex.deployment = deployment;
  if (ex.state.deployments?.has(deployment) === false) return sendJson(ex, 404, DEPLOYMENT_NOT_FOUND);
  const plan = planResponse(ex.state, body, deployment);
  if (plan instanceof Refusal) return sendJson(ex, plan.status, plan.body);
  if (!admit(ex, deployment, plan, apiVersion ?? 'v1')) return;
  // Filtered requests were charged: Azure counts them against the quota too.
  if (plan.flagged) return sendJson(ex, 400, CONTENT_FILTERED);
  servePromptCache(ex, plan, deployment);
  const record = newRecord(plan);
  if (plan.background) return startBackground(ex, plan, record);
  ex.servedTokens = plan.servedTokens;
  if (plan.stream) return streamForeground(ex, plan, record);
  remember(ex.state, plan, record);
  finish(ex.state, plan, record);
  sendJson(ex, 200, JSON.stringify(plan.response.object));
}

/**
 * The prompt cache: a continued response re-reads a context this resource just processed (its
 * cached part counts from 1,024 tokens in 128-token steps), and instructions and input match a
 * prefix seen before. The usage reports it and the first event comes sooner.
 */
function servePromptCache(ex: Exchange, plan: ResponsePlan, deployment: string): void {
  const own = ex.state.promptCache.serve(deployment, plan.promptText, plan.inputTokens, ex.state.now());
  const cached = Math.min(plan.inputTokens, Math.max(own, cachedPrefixTokens(plan.contextTokens)));
  const usage = plan.response.object.usage as JsonObject | null;
  if (usage !== null && typeof usage === 'object') usage.input_tokens_details = { cached_tokens: cached };
  ex.latencyScale = cachedLatencyMs(1000, cached, plan.inputTokens) / 1000;
}

function newRecord(plan: ResponsePlan): StoredResponse {
  const { id, object, output } = plan.response;
  return {
    id,
    background: plan.background,
    replayable: plan.background && plan.stream,
    status: plan.background ? 'queued' : 'in_progress',
    object,
    inputItems: plan.inputItems,
    outputItems: output,
    // Everything this turn read and wrote is what the next one re-reads.
    contextTokens: plan.servedTokens,
    conversationId: plan.conversation?.id,
    run: undefined,
  };
}

/** Answered at once with the queued response (or its first events); generating takes the latency. */
function startBackground(ex: Exchange, plan: ResponsePlan, record: StoredResponse): void {
  const { state } = ex;
  remember(state, plan, record);
  // Serialized before the run starts: with no latency and no pacing it completes at once.
  const queued = JSON.stringify(responseView(record.object, 'queued'));
  const run = startRun(state, plan, record, { intervalMs: state.chunkIntervalMs, pauseMs: state.latencyMs });
  if (!plan.stream) return sendJsonNow(ex, 200, queued);
  deliver(ex, false, () => {
    openEventStream(ex);
    run.follow(ex, -1);
  });
}

/** The stream opens after the latency, like chat's; the response exists once its first event is out. */
function streamForeground(ex: Exchange, plan: ResponsePlan, record: StoredResponse): void {
  deliver(ex, true, () => {
    remember(ex.state, plan, record);
    openEventStream(ex);
    startRun(ex.state, plan, record, { intervalMs: ex.state.chunkIntervalMs, pauseMs: 0 }).follow(ex, -1);
  });
}

function startRun(state: BackendState, plan: ResponsePlan, record: StoredResponse, pacing: Omit<RunTiming, 'pauseAt'>): ResponseRun {
  const events = responseEvents(record.object, plan.outputTokens);
  const run = new ResponseRun(
    state.memory.runs,
    events.frames,
    { ...pacing, pauseAt: events.inProgressAt },
    {
      inProgressAt: events.inProgressAt,
      onInProgress: () => {
        record.status = 'in_progress';
      },
      onDone: () => {
        if (!record.replayable) record.run = undefined;
        // A background answer carried no usage; its tokens are served now.
        if (record.background) state.stats.tokensServed += plan.servedTokens;
        finish(state, plan, record);
      },
    },
  );
  // Held while generating, so a cancel or a delete can stop it.
  record.run = run;
  run.start();
  return run;
}

/** Stored responses and their input items become findable in this resource (and only in it). */
function remember(state: BackendState, plan: ResponsePlan, record: StoredResponse): void {
  if (!plan.store) return;
  const { memory } = state;
  memory.responses.set(record.id, record);
  rememberItems(state, record.inputItems);
}

/** The response is done: its output items are findable, and its conversation grows by its turn. */
function finish(state: BackendState, plan: ResponsePlan, record: StoredResponse): void {
  record.status = record.object.status as StoredResponse['status'];
  if (plan.store) rememberItems(state, record.outputItems);
  const conversation = plan.conversation;
  if (conversation === undefined) return;
  conversation.items.push(...record.inputItems, ...record.outputItems);
  rememberItems(state, record.inputItems);
  rememberItems(state, record.outputItems);
}

function rememberItems(state: BackendState, items: readonly JsonObject[]): void {
  for (const item of items) state.memory.items.set(String(item.id), item);
}
