import { LatencyFigure } from '../core/latency';
import { Remaining } from '../core/remaining';
import { Window, WindowReason } from '../core/windows';
import { Properties, RowKind } from './RowTable';

/**
 * The kinds of shared rows, as data, each with the rule that merges what instances write:
 *
 * | kind      | key                           | written by              | merge                                   |
 * |-----------|-------------------------------|-------------------------|-----------------------------------------|
 * | window    | backend/deployment            | any instance, by ETag   | the later expiry wins (mergeWindow)      |
 * | remaining | backend/deployment            | the last reporter       | the newest report wins                   |
 * | latency   | backend/deployment + instance | its instance only       | figures combined (combineFigures)        |
 * | usage     | window + consumer + instance  | its instance only       | summed over instances                    |
 * | lease     | name                          | any instance, by ETag   | held until it ends (leaseIsHeld)         |
 */

/** `/` may not appear in a RowKey; backend and deployment names never contain `|`. */
const slashKey = { rowKey: (key: string): string => key.replace('/', '|'), keyOf: (rowKey: string): string => rowKey.replace('|', '/') };

const num = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : Number(value));
const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '');

function singlePartition<T>(name: string, codec: Pick<RowKind<T>, 'toProperties' | 'fromProperties'>): RowKind<T> {
  return { name, partition: () => name, ...slashKey, ...codec };
}

export interface WindowRow {
  readonly window: Window;
  /** Which instance saw it (for the status page and debugging). */
  readonly instance: string;
  /** The writer's clock when it wrote the row; undefined in rows written by older versions. */
  readonly writtenAtMs?: number;
}

export const WINDOWS = singlePartition<WindowRow>('window', {
  toProperties: (v) => ({ untilMs: v.window.untilMs, reason: v.window.reason, instance: v.instance, writtenAtMs: v.writtenAtMs }),
  fromProperties: (p) => {
    const untilMs = num(p.untilMs);
    if (untilMs === undefined || Number.isNaN(untilMs)) return undefined;
    const writtenAtMs = num(p.writtenAtMs);
    return { window: { untilMs, reason: str(p.reason) as WindowReason }, instance: str(p.instance), ...(writtenAtMs === undefined ? {} : { writtenAtMs }) };
  },
});

export interface RemainingRow {
  readonly remaining: Remaining;
  readonly instance: string;
}

export const REMAINING = singlePartition<RemainingRow>('remaining', {
  toProperties: (v) => ({
    tokens: v.remaining.tokens,
    requests: v.remaining.requests,
    atMs: v.remaining.atMs,
    freshUntilMs: v.remaining.freshUntilMs,
    instance: v.instance,
  }),
  fromProperties: (p) => {
    const freshUntilMs = num(p.freshUntilMs);
    const remaining = { tokens: num(p.tokens), requests: num(p.requests), atMs: Number(p.atMs) };
    return { remaining: freshUntilMs === undefined ? remaining : { ...remaining, freshUntilMs }, instance: str(p.instance) };
  },
});

export interface LatencyRow {
  readonly key: string;
  readonly instance: string;
  readonly figure: LatencyFigure;
}

/** One row per key and instance: each instance owns its rows, so no write ever conflicts. */
export const LATENCY = singlePartition<LatencyRow>('latency', {
  toProperties: (v) => ({ key: v.key, instance: v.instance, ewmaMs: v.figure.ewmaMs, samples: v.figure.samples, atMs: v.figure.atMs }),
  fromProperties: (p) => ({
    key: str(p.key),
    instance: str(p.instance),
    figure: { ewmaMs: Number(p.ewmaMs), samples: Number(p.samples), atMs: Number(p.atMs) },
  }),
});
export const latencyKey = (key: string, instance: string): string => `${key}|${instance}`;

export interface UsageRow {
  readonly windowKey: string;
  readonly consumer: string;
  readonly instance: string;
  readonly tokens: number;
}

/**
 * Minute windows reuse ten partitions in turn (rows are overwritten ten minutes later, and the
 * windowKey property tells a stale row from a current one), so the table does not grow by a
 * partition a minute. Days and months are few enough to keep their own.
 */
export function usagePartition(windowKey: string): string {
  return windowKey.startsWith('m') ? `usage-m${Number(windowKey.slice(1)) % 10}` : `usage-${windowKey}`;
}
export const usageKey = (windowKey: string, consumer: string, instance: string): string => `${windowKey}|${consumer}|${instance}`;

/** A row per consumer and instance in the window's partition: each instance owns its rows. */
export const USAGE: RowKind<UsageRow> = {
  name: 'usage',
  partition: (key) => usagePartition(key.slice(0, key.indexOf('|'))),
  rowKey: (key) => key,
  keyOf: (rowKey) => rowKey,
  toProperties: (v): Properties => ({ windowKey: v.windowKey, consumer: v.consumer, instance: v.instance, tokens: v.tokens }),
  fromProperties: (p) => ({ windowKey: str(p.windowKey), consumer: str(p.consumer), instance: str(p.instance), tokens: Number(p.tokens) }),
};

export interface LeaseRow {
  readonly untilMs: number;
  readonly instance: string;
}

export const LEASES: RowKind<LeaseRow> = {
  name: 'lease',
  partition: () => 'lease',
  rowKey: (key) => key,
  keyOf: (rowKey) => rowKey,
  toProperties: (v) => ({ untilMs: v.untilMs, instance: v.instance }),
  fromProperties: (p) => ({ untilMs: Number(p.untilMs), instance: str(p.instance) }),
};
