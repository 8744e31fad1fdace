/**
 * The models list (`GET /openai/models`, `GET /openai/v1/models`): what health probes hit.
 * It never changes, so it is serialized once at load time.
 */

const CREATED = 1_722_902_400; // 2024-08-06, a fixed date keeps answers byte-identical

function model(id: string, capabilities: Record<string, boolean>): Record<string, unknown> {
  return {
    id,
    object: 'model',
    created: CREATED,
    created_at: CREATED,
    owned_by: 'system',
    status: 'succeeded',
    lifecycle_status: 'generally-available',
    capabilities: { fine_tune: false, inference: true, completion: false, chat_completion: false, embeddings: false, ...capabilities },
  };
}

export const MODELS_LIST = JSON.stringify({
  object: 'list',
  data: [
    model('gpt-4o-2024-08-06', { chat_completion: true }),
    model('gpt-4o-mini-2024-07-18', { chat_completion: true }),
    model('gpt-35-turbo-instruct', { completion: true }),
    model('text-embedding-3-small', { embeddings: true }),
  ],
});
