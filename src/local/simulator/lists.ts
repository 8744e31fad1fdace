/** The cursor-paged item lists of the Responses and Conversations APIs (`input_items`, conversation items). */
import { queryParam } from './routes';
import type { JsonObject } from './tokens';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/**
 * One page of `items` (stored oldest first) as the query asks: `order` (default `desc`,
 * newest first, like OpenAI), `limit` (1–100, default 20) and the `after` cursor (an item id),
 * which is how the openai SDK fetches the next page.
 */
export function itemPageJson(items: readonly JsonObject[], query: string): string {
  const ordered = queryParam(query, 'order') === 'asc' ? items : [...items].reverse();
  const limit = limitOf(queryParam(query, 'limit'));
  const after = queryParam(query, 'after');
  const start = after === undefined ? 0 : ordered.findIndex((item) => item.id === after) + 1;
  const page = ordered.slice(start, start + limit);
  return itemListJson(page, start + limit < ordered.length);
}

export function itemListJson(page: readonly JsonObject[], hasMore: boolean): string {
  return JSON.stringify({
    object: 'list',
    data: page,
    first_id: page[0]?.id ?? null,
    last_id: page.at(-1)?.id ?? null,
    has_more: hasMore,
  });
}

function limitOf(value: string | undefined): number {
  const limit = Number(value);
  return Number.isInteger(limit) ? Math.min(MAX_LIMIT, Math.max(1, limit)) : DEFAULT_LIMIT;
}
