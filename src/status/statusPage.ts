import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CHARTS_SCRIPT } from './charts';

/** The page's own script: asks for the admin key, polls the JSON with ?history=, fills the table and the charts. */
const PAGE_SCRIPT = String.raw`const $ = (id) => document.getElementById(id);
const esc = (v) => String(v).replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
const num = (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'));
const pill = (cls, text) => '<span class="pill ' + cls + '">' + esc(text) + '</span>';
function stateOf(b) {
  if (b.circuit.kind === 'open') return pill('bad', 'circuit open');
  if (b.circuit.kind === 'half-open') return pill('warn', 'half-open');
  if (b.windows.some((w) => w.deployment === '*')) return pill('bad', b.windows.find((w) => w.deployment === '*').reason);
  if (b.windows.length) return pill('warn', (b.windows.length + more(b, 'windows')) + ' benched');
  return b.demoted ? pill('warn', 'demoted') : pill('ok', 'healthy');
}
const more = (b, list) => (b.omitted && b.omitted[list]) || 0;
const andMore = (b, list) => (more(b, list) ? '<br><span class="mute">+' + num(more(b, list)) + ' more</span>' : '');
function row(b) {
  const windows = (b.windows.map((w) => esc(w.deployment) + ': ' + esc(w.reason) + ', ' + Math.ceil(w.remainingMs / 1000) + ' s left').join('<br>') + andMore(b, 'windows')) || '<span class="mute">none</span>';
  const remaining = (b.remaining.map((r) => esc(r.deployment) + ': <span class="num">' + num(r.tokens) + ' tok / ' + num(r.requests) + ' req</span>').join('<br>') + andMore(b, 'remaining')) || '<span class="mute">–</span>';
  const latency = b.latencyMs === null ? '<span class="mute">no data</span>' : '<span class="num">' + num(b.latencyMs) + ' ms</span> <span class="mute" title="speed factor against the fastest backend of the same priority">×' + b.speedFactor + '</span>';
  const prio = b.priority + (b.effectivePriority !== b.priority ? ' → ' + b.effectivePriority : '');
  const s = b.served;
  const served = !s ? '<span class="mute">–</span>' : '<span class="num">' + num(s.served) + '</span>' +
    (s.cachedShare === null ? '' : '<br><span class="mute">cached ' + Math.round(s.cachedShare * 100) + ' % of prompt</span>') +
    (s.spilledOver ? '<br><span class="mute">spilled ' + num(s.spilledOver) + '</span>' : '') +
    (s.utilizationPercent === null ? '' : '<br><span class="mute">PTU ' + num(s.utilizationPercent) + ' % busy</span>');
  return '<tr><td><b>' + esc(b.name) + '</b><br><span class="mute">' + esc(b.type ?? '') + ' weight ' + b.weight + '</span></td><td>' + prio +
    '</td><td>' + stateOf(b) + '</td><td>' + latency + '</td><td>' + windows + '</td><td>' + remaining + '</td><td>' + served + '</td><td>' + esc(b.credential.kind) + ' ' +
    (b.credential.state === 'ok' ? pill('ok', 'ok') : pill('bad', b.credential.state)) + '</td></tr>';
}
async function refresh() {
  const key = sessionStorage.getItem('routerAdminKey');
  if (!key) return;
  try {
    const res = await fetch(location.pathname + '?history=' + $('span').value, { headers: { 'api-key': key, accept: 'application/json' }, cache: 'no-store' });
    if (res.status === 401 || res.status === 403) { sessionStorage.removeItem('routerAdminKey'); $('login').hidden = false; $('view').hidden = true; $('err').textContent = 'That key was refused.'; return; }
    const s = await res.json();
    $('login').hidden = true; $('view').hidden = false;
    $('meta').textContent = 'instance ' + s.instance + ' · ' + s.strategy + ' · state ' + s.sharedState.store + (s.sharedState.dataAgeMs === null ? '' : ' (synced ' + Math.round(s.sharedState.dataAgeMs / 1000) + ' s ago)') + ' · ' + new Date(s.generatedAt).toLocaleTimeString();
    $('order').textContent = 'Effective order: ' + s.order.join(' → ');
    $('rows').innerHTML = s.backends.map(row).join('');
    drawCharts(s.history);
  } catch (e) { $('meta').textContent = 'refresh failed: ' + e.message; }
}
$('login').addEventListener('submit', (e) => { e.preventDefault(); sessionStorage.setItem('routerAdminKey', $('key').value); $('err').textContent = ''; refresh(); });
$('span').addEventListener('change', refresh);
refresh(); setInterval(refresh, 5000);
`;

/** The page's markup and styles; uPlot's stylesheet goes where the marker is. */
const SHELL = String.raw`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Azure OpenAI router · status</title>
<style>
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--mute:#57606a;--line:#d0d7de;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif}
body{margin:0;background:#f6f8fa;color:#1f2328}header{background:#24292f;color:#fff;padding:14px 24px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
h1{font-size:18px;margin:0}header span{color:#c9d1d9;font-size:13px}main{padding:20px 24px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);border-radius:6px;overflow:hidden;font-size:14px}
th,td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}th{background:#f6f8fa;font-weight:600;font-size:12px;text-transform:uppercase;color:var(--mute)}
.pill{display:inline-block;border-radius:999px;padding:1px 8px;font-size:12px;font-weight:600;color:#fff}.ok{background:var(--ok)}.warn{background:var(--warn)}.bad{background:var(--bad)}
.mute{color:var(--mute);font-size:12px}form{background:#fff;border:1px solid var(--line);border-radius:6px;padding:16px;max-width:420px}
input{width:100%;padding:8px;margin:8px 0;box-sizing:border-box}button{padding:8px 14px}#err{color:var(--bad)}
#order{margin:0 0 12px;font-size:14px}.num{font-variant-numeric:tabular-nums}
#charts{margin-top:20px;display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}#charts>div{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px;min-width:0}
#charts-bar{margin-top:20px;display:flex;gap:12px;align-items:center;font-size:14px}#charts-bar select{padding:4px}#timeline-legend span{margin-right:12px;font-size:12px}#timeline-legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
#charts .u-legend th,#charts .u-legend td{text-transform:none;background:none;border:0;padding:2px 4px;font-size:12px;font-weight:400;color:inherit}
/*UPLOT_CSS*/
</style></head><body>
<header><h1>Azure OpenAI router</h1><span id="meta">not connected</span></header>
<main>
<form id="login"><label for="key">Admin key (ROUTER_ADMIN_KEY)</label><input id="key" type="password" autocomplete="off"><button>Show status</button><p id="err"></p></form>
<div id="view" hidden><p id="order"></p>
<table><thead><tr><th>Backend</th><th>Priority</th><th>State</th><th>Latency</th><th>Windows</th><th>Remaining</th><th>Served</th><th>Credential</th></tr></thead><tbody id="rows"></tbody></table>
<div id="charts-bar"><label for="span">History</label><select id="span"><option value="5m">5 min</option><option value="15m">15 min</option><option value="1h" selected>1 hour</option></select><span id="charts-meta" class="mute"></span></div>
<section id="charts" hidden><div id="chart-traffic"></div><div id="chart-latency"></div><div id="timeline-box"><canvas id="chart-timeline"></canvas><div id="timeline-legend"></div></div><div id="chart-consumers"></div></section></div>
</main>
`;

interface BuiltPage {
  readonly html: string;
  readonly csp: string;
}

let built: BuiltPage | undefined;

/**
 * uPlot (MIT, a dependency, so `func` publishes it with node_modules) is read once from its
 * dist files and served inline: the page needs no CDN and no second request, and works on a
 * private network. The CSP names each inline script by its hash, so no other script runs.
 */
function build(): BuiltPage {
  const dist = (file: string): string => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  const scripts = [dist('uPlot.iife.min.js'), CHARTS_SCRIPT, PAGE_SCRIPT];
  const html = SHELL.replace('/*UPLOT_CSS*/', dist('uPlot.min.css')) + scripts.map((code) => `<script>${code}</script>`).join('\n') + '</body></html>';
  const hashes = scripts.map((code) => `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`).join(' ');
  return { html, csp: `default-src 'none'; style-src 'unsafe-inline'; script-src ${hashes}; connect-src 'self'; base-uri 'none'; form-action 'none'` };
}

/** Self-contained operator page (no CDN): polls /api/router/status with the admin key every 5 s. */
export function statusPageHtml(): string {
  return (built ??= build()).html;
}

/** The page's Content-Security-Policy: its three inline scripts by hash, nothing else. */
export function statusPageCsp(): string {
  return (built ??= build()).csp;
}
