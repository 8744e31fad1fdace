import { RowKind } from '../state/RowTable';
import { HistorySnapshot } from './historyTypes';

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A Table string property holds 64 KB (32 K UTF-16 characters): the JSON is cut into parts below that. */
export const PART_CHARS = 30_000;
/** Parts per row at most: 16 × 30 K characters stays well under the entity's 1 MB. */
export const MAX_PARTS = 16;

export interface HistoryRow {
  readonly instance: string;
  /** The writer's clock when it wrote the row: rows of instances gone for long are skipped and deleted. */
  readonly writtenAtMs: number;
  readonly snapshot: HistorySnapshot;
}

/** The compact history as JSON in parts; undefined when it does not fit in MAX_PARTS. */
export function historyParts(snapshot: HistorySnapshot): string[] | undefined {
  const json = JSON.stringify(snapshot);
  const parts: string[] = [];
  for (let at = 0; at < json.length; at += PART_CHARS) parts.push(json.slice(at, at + PART_CHARS));
  return parts.length <= MAX_PARTS ? parts : undefined;
}

/**
 * One row per instance in the `history` partition, its history as JSON in properties p0…pN:
 * each instance owns its row, so writes never conflict; readers merge every live row.
 */
export const HISTORY: RowKind<HistoryRow> = {
  name: 'history',
  partition: () => 'history',
  rowKey: (key) => key,
  keyOf: (rowKey) => rowKey,
  toProperties: (v) => {
    const parts = historyParts(v.snapshot) ?? [];
    return { instance: v.instance, writtenAtMs: v.writtenAtMs, parts: parts.length, ...Object.fromEntries(parts.map((p, i) => [`p${i}`, p])) };
  },
  fromProperties: (p) => {
    const parts = Number(p.parts);
    if (!Number.isInteger(parts) || parts < 1 || parts > MAX_PARTS) return undefined;
    try {
      const snapshot = JSON.parse(Array.from({ length: parts }, (_, i) => text(p[`p${i}`])).join('')) as HistorySnapshot;
      return snapshot.v === 1 ? { instance: text(p.instance), writtenAtMs: Number(p.writtenAtMs), snapshot } : undefined;
    } catch {
      return undefined;
    }
  },
};
