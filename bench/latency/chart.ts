/**
 * A dependency-free SVG: per-second mean and p95 latency of (a) and (b) over the run, and the
 * per-backend share of (a)'s traffic, both with the phase boundaries.
 */
import type { Second } from './metrics';
import type { RouterId } from './processes';
import { BACKENDS, Phase, SLOWED } from './settings';
import type { FigurePoint } from './statusPoll';

const W = 900;
const PANEL_H = 250;
const PLOT = { left: 56, right: 150, top: 34, bottom: 30 };
const ROUTER_COLORS: Record<RouterId, string> = { aware: '#2b6cb0', random: '#dd6b20' };
const EWMA_COLOR = '#c53030';
const BACKEND_COLORS = ['#c53030', '#38a169', '#805ad5', '#718096'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, body: string, attrs = ''): string => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(body)}</text>`;
const f = (v: number): string => v.toFixed(1);

interface Frame {
  readonly y0: number;
  readonly x: (ms: number) => number;
  readonly y: (v: number) => number;
}

function frame(y0: number, endMs: number, top: number): Frame {
  const plotW = W - PLOT.left - PLOT.right;
  const plotH = PANEL_H - PLOT.top - PLOT.bottom;
  return { y0, x: (ms) => PLOT.left + (plotW * ms) / endMs, y: (v) => y0 + PLOT.top + plotH * (1 - Math.min(v, top) / top) };
}

function niceTop(value: number): number {
  const step = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1))));
  return Math.ceil(value / step) * step;
}

/** Axes, grid, the title and the phase boundaries of one panel. */
function axes(fr: Frame, title: string, ticks: readonly number[], tick: (v: number) => string, phases: readonly Phase[]): string[] {
  const right = W - PLOT.right;
  const parts = [text(PLOT.left, fr.y0 + 20, title, 'font-size="13" font-weight="600"')];
  for (const v of ticks) {
    parts.push(`<line x1="${PLOT.left}" x2="${right}" y1="${f(fr.y(v))}" y2="${f(fr.y(v))}" stroke="#e2e8f0"/>`);
    parts.push(text(PLOT.left - 4, fr.y(v) + 4, tick(v), 'text-anchor="end" fill="#4a5568"'));
  }
  const bottom = fr.y(0);
  for (const p of phases) {
    const x = fr.x(p.startMs);
    if (p.id === 'slow')
      parts.push(
        `<rect x="${f(x)}" y="${f(fr.y0 + PLOT.top)}" width="${f(fr.x(p.endMs) - x)}" height="${f(bottom - fr.y0 - PLOT.top)}" fill="#fed7d7" opacity="0.45"/>`,
      );
    parts.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${f(fr.y0 + PLOT.top)}" y2="${f(bottom)}" stroke="#a0aec0" stroke-dasharray="3 3"/>`);
    parts.push(text(x + 3, fr.y0 + PLOT.top + 11, p.label, 'fill="#4a5568" font-size="10"'));
  }
  const endMs = phases[phases.length - 1]?.endMs ?? 0;
  for (let s = 0; s * 1000 <= endMs; s += 10) parts.push(text(fr.x(s * 1000), bottom + 14, `${s} s`, 'text-anchor="middle" fill="#4a5568" font-size="10"'));
  return parts;
}

function polyline(points: readonly (readonly [number, number])[], color: string, extra = '', width = 1.6): string {
  return `<polyline fill="none" stroke="${color}" stroke-width="${width}" ${extra} points="${points.map(([x, y]) => `${f(x)},${f(y)}`).join(' ')}"/>`;
}

function legendItem(x: number, y: number, color: string, label: string, dashed = false): string {
  return (
    `<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="4 3"' : ''}/>` +
    text(x + 24, y, label)
  );
}

function latencyPanel(seconds: readonly Second[], points: readonly FigurePoint[], phases: readonly Phase[], endMs: number): string {
  const values = seconds.flatMap((s) => [s.byRouter.aware.p95, s.byRouter.random.p95]).filter((v) => !Number.isNaN(v));
  const top = niceTop(Math.max(100, ...values) * 1.05);
  const fr = frame(0, endMs, top);
  const parts = axes(
    fr,
    'client latency per second: mean (solid) and p95 (dashed), ms',
    [0, 0.25, 0.5, 0.75, 1].map((t) => t * top),
    (v) => String(Math.round(v)),
    phases,
  );
  const mid = (s: Second): number => fr.x(s.startMs + 500);
  for (const router of ['random', 'aware'] as const) {
    const live = seconds.filter((s) => s.byRouter[router].served > 0);
    parts.push(
      polyline(
        live.map((s) => [mid(s), fr.y(s.byRouter[router].mean)]),
        ROUTER_COLORS[router],
      ),
    );
    parts.push(
      polyline(
        live.map((s) => [mid(s), fr.y(s.byRouter[router].p95)]),
        ROUTER_COLORS[router],
        'stroke-dasharray="4 3" opacity="0.8"',
      ),
    );
  }
  const figure = points.flatMap((p) => (p.ewmaMs === undefined ? [] : [[fr.x(p.atMs), fr.y(p.ewmaMs)] as const]));
  parts.push(polyline(figure, EWMA_COLOR, 'opacity="0.9"', 1.2));
  const lx = W - PLOT.right + 12;
  parts.push(legendItem(lx, PLOT.top + 20, ROUTER_COLORS.aware, '(a) latency-aware'), legendItem(lx, PLOT.top + 38, ROUTER_COLORS.random, '(b) random'));
  parts.push(legendItem(lx, PLOT.top + 56, EWMA_COLOR, `${SLOWED} EWMA in (a)`));
  return `<g>${parts.join('')}</g>`;
}

/** Stacked per-backend shares of (a), one band per backend. */
function sharePanel(seconds: readonly Second[], phases: readonly Phase[], endMs: number): string {
  const fr = frame(PANEL_H, endMs, 1);
  const parts = axes(
    fr,
    '(a) latency-aware: share of served requests per backend, per second',
    [0, 0.25, 0.5, 0.75, 1],
    (v) => `${Math.round(v * 100)}%`,
    phases,
  );
  const live = seconds.filter((s) => s.byRouter.aware.served > 0);
  const below = live.map(() => 0);
  BACKENDS.forEach((b, i) => {
    const above = live.map((s, k) => (below[k] ?? 0) + (s.byRouter.aware.shares[b.name] ?? 0));
    const upper = live.map((s, k) => `${f(fr.x(s.startMs + 500))},${f(fr.y(above[k] ?? 0))}`);
    const lower = live.map((s, k) => `${f(fr.x(s.startMs + 500))},${f(fr.y(below[k] ?? 0))}`).reverse();
    parts.push(`<polygon fill="${BACKEND_COLORS[i] ?? '#999'}" opacity="0.75" points="${[...upper, ...lower].join(' ')}"/>`);
    above.forEach((v, k) => (below[k] = v));
    const ly = fr.y0 + PLOT.top + 20 + i * 18;
    parts.push(
      `<rect x="${W - PLOT.right + 12}" y="${ly - 10}" width="12" height="12" fill="${BACKEND_COLORS[i] ?? '#999'}" opacity="0.75"/>` +
        text(W - PLOT.right + 30, ly, `${b.name} (p${b.priority})`),
    );
  });
  return `<g>${parts.join('')}</g>`;
}

export function latencyChart(seconds: readonly Second[], points: readonly FigurePoint[], phases: readonly Phase[]): string {
  const endMs = phases[phases.length - 1]?.endMs ?? 1;
  const height = PANEL_H * 2;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, sans-serif" font-size="11">\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n${latencyPanel(seconds, points, phases, endMs)}\n${sharePanel(seconds, phases, endMs)}\n</svg>\n`
  );
}
