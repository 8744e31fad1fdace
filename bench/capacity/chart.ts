/** A dependency-free SVG chart: one panel per metric, grouped bars (router count) per configuration. */
import { VARIANTS } from './configuration';
import type { ConfigMetrics } from './metrics';

interface Panel {
  readonly title: string;
  readonly value: (m: ConfigMetrics) => number;
  readonly target: number;
  readonly targetLabel: string;
  readonly format: (value: number) => string;
  readonly tick: (value: number) => string;
  /** Top of the axis, from the values shown (bars above it are clipped at it). */
  readonly top: (values: readonly number[]) => number;
}

const COLORS: Record<string, string> = { shared: '#2b6cb0', memory: '#dd6b20', 'round-robin': '#8a94a6' };
const PANEL_W = 300;
const PANEL_H = 262;
const PLOT = { left: 48, right: 12, top: 52, bottom: 40 };
const LEGEND_H = 34;
const percent = (v: number): string => `${(v * 100).toFixed(1)}%`;
const percentTick = (v: number): string => `${Math.round(v * 100)}%`;

const PANELS: readonly Panel[] = [
  {
    title: 'served ÷ pooled capacity',
    value: (m) => m.servedRatio,
    target: 0.98,
    targetLabel: '- - target ≥ 98%',
    format: percent,
    tick: percentTick,
    top: () => 1,
  },
  { title: 'PTU busy', value: (m) => m.ptuBusy, target: 0.95, targetLabel: '- - target ≥ 95%', format: percent, tick: percentTick, top: () => 1 },
  {
    title: 'backend 429s per served request',
    value: (m) => m.wastedPerServed,
    target: 0.02,
    targetLabel: '- - target ≤ 0.02',
    format: (v) => v.toFixed(3),
    tick: (v) => v.toFixed(3),
    top: (v) => niceTop(Math.max(0.03, ...v) * 1.15),
  },
];

function niceTop(value: number): number {
  const step = Math.pow(10, Math.floor(Math.log10(value)));
  return Math.ceil(value / step) * step;
}

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, body: string, attrs = ''): string => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(body)}</text>`;

export function capacityChart(metrics: readonly ConfigMetrics[]): string {
  const width = PANEL_W * PANELS.length;
  const height = PANEL_H + LEGEND_H;
  const body = PANELS.map((panel, i) => panelSvg(panel, metrics, i * PANEL_W)).join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="system-ui, sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="#fff"/>\n${body}\n${legend(PANEL_H + 8)}\n</svg>\n`
  );
}

function panelSvg(panel: Panel, metrics: readonly ConfigMetrics[], x0: number): string {
  const instances = [...new Set(metrics.map((m) => m.instances))].sort((a, b) => a - b);
  const top = panel.top(metrics.map(panel.value));
  const plotW = PANEL_W - PLOT.left - PLOT.right;
  const plotH = PANEL_H - PLOT.top - PLOT.bottom;
  const y = (v: number): number => PLOT.top + plotH * (1 - Math.min(v, top) / top);
  const parts = [text(x0 + PANEL_W / 2, 18, panel.title, 'text-anchor="middle" font-size="13" font-weight="600"')];
  for (const tick of [0, 0.25, 0.5, 0.75, 1].map((f) => f * top)) {
    parts.push(`<line x1="${x0 + PLOT.left}" x2="${x0 + PLOT.left + plotW}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#e2e8f0"/>`);
    parts.push(text(x0 + PLOT.left - 4, y(tick) + 4, panel.tick(tick), 'text-anchor="end" fill="#4a5568"'));
  }
  const groupW = plotW / Math.max(1, instances.length);
  instances.forEach((n, g) =>
    parts.push(
      ...groupSvg(
        panel,
        metrics.filter((m) => m.instances === n),
        x0 + PLOT.left + g * groupW,
        groupW,
        y,
      ),
    ),
  );
  instances.forEach((n, g) =>
    parts.push(text(x0 + PLOT.left + (g + 0.5) * groupW, PANEL_H - PLOT.bottom + 16, `${n} router${n === 1 ? '' : 's'}`, 'text-anchor="middle"')),
  );
  const ty = y(panel.target).toFixed(1);
  parts.push(`<line x1="${x0 + PLOT.left}" x2="${x0 + PLOT.left + plotW}" y1="${ty}" y2="${ty}" stroke="#c53030" stroke-dasharray="5 3"/>`);
  parts.push(text(x0 + PANEL_W / 2, 32, panel.targetLabel, 'text-anchor="middle" fill="#c53030"'));
  return `<g>${parts.join('')}</g>`;
}

function groupSvg(panel: Panel, group: readonly ConfigMetrics[], gx: number, groupW: number, y: (v: number) => number): string[] {
  const barW = (groupW * 0.8) / VARIANTS.length;
  const base = y(0);
  return VARIANTS.flatMap((variant, i) => {
    const m = group.find((candidate) => candidate.variant === variant.id);
    if (m === undefined) return [];
    const value = panel.value(m);
    const x = gx + groupW * 0.1 + i * barW;
    const top = y(value);
    return [
      `<rect x="${(x + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(base - top).toFixed(1)}" fill="${COLORS[variant.id] ?? '#999'}"/>`,
      text(x + barW / 2, top - 3, panel.format(value), 'text-anchor="middle" font-size="9" fill="#2d3748"'),
    ];
  });
}

function legend(y: number): string {
  const items = VARIANTS.map((variant, i) => {
    const x = 20 + i * 260;
    return `<rect x="${x}" y="${y}" width="12" height="12" fill="${COLORS[variant.id] ?? '#999'}"/>` + text(x + 18, y + 10, variant.label);
  });
  return `<g>${items.join('')}</g>`;
}
