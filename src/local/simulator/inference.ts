/**
 * An inference request once routed and authenticated: parse, resolve the deployment,
 * charge the limiter (on arrival, like Azure), apply the content filter, answer.
 */
import { planChat } from './chat';
import { planCompletions } from './completions';
import { planEmbeddings } from './embeddings';
import { CONTENT_FILTERED, DEPLOYMENT_NOT_FOUND, INVALID_JSON, MISSING_MODEL, rateLimited } from './errors';
import type { InferencePlan, PlanResult } from './plan';
import { sendJson } from './reply';
import type { Operation } from './routes';
import { limiterFor, type Exchange } from './state';
import { isObject, type JsonObject } from './tokens';

type Planner = (body: JsonObject, defaultCompletionTokens: number) => PlanResult;

const PLANNERS: Record<Operation, Planner> = {
  chat: planChat,
  completions: planCompletions,
  embeddings: (body) => planEmbeddings(body),
};

export function handleInference(ex: Exchange, operation: Operation, pathDeployment: string | undefined, apiVersion: string | undefined): void {
  const body = parseObject(ex.body);
  if (body === undefined) return sendJson(ex, 400, INVALID_JSON);
  const deployment = pathDeployment ?? modelOf(body);
  if (deployment === undefined) return sendJson(ex, 400, MISSING_MODEL);
  ex.deployment = deployment;
  if (ex.state.deployments?.has(deployment) === false) return sendJson(ex, 404, DEPLOYMENT_NOT_FOUND);
  const plan = PLANNERS[operation](body, ex.state.completionTokens);
  if (typeof plan === 'string') return sendJson(ex, 400, plan);
  if (!admit(ex, deployment, plan, apiVersion ?? 'v1')) return;
  // Filtered requests were charged: Azure counts them against the quota too.
  if (plan.flagged) return sendJson(ex, 400, CONTENT_FILTERED);
  ex.servedTokens = plan.servedTokens;
  plan.respond(ex);
}

export function parseObject(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** On the v1 routes the body's `model` names the deployment. */
export function modelOf(body: JsonObject): string | undefined {
  return typeof body.model === 'string' && body.model !== '' ? body.model : undefined;
}

/** Charges the deployment's window; on refusal answers Azure's 429 and returns false. */
export function admit(ex: Exchange, deployment: string, plan: Pick<InferencePlan, 'operation' | 'chargeTokens'>, apiVersion: string): boolean {
  const { state } = ex;
  if (state.rpm === undefined && state.tpm === undefined) return true;
  const limiter = limiterFor(state, deployment);
  const waitMs = limiter.tryCharge(plan.chargeTokens, state.now());
  if (waitMs === 0) return true;
  const seconds = Math.ceil(waitMs / 1000);
  const body = rateLimited(plan.operation, apiVersion, limiter.lastRefusal, seconds);
  sendJson(ex, 429, body, { 'retry-after': String(seconds), 'retry-after-ms': String(waitMs) });
  return false;
}
