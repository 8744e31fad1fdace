/**
 * The status page's charts, as browser script (uPlot, served inline with the page): traffic per
 * backend (stacked), time to headers p50/p95 per backend, a timeline of windows and circuits per
 * backend+deployment (drawn on a plain canvas), and tokens per minute per consumer against its
 * limit. `drawCharts(history)` is called with each poll's `history`; charts are rebuilt only
 * when their series change, else given the new data.
 */
export const CHARTS_SCRIPT = String.raw`
const PALETTE = ['#0969da', '#1a7f37', '#8250df', '#bf3989', '#9a6700', '#0a7f86', '#57606a', '#cf222e'];
const charts = {};
const colorOf = (i) => PALETTE[i % PALETTE.length];
const timesOf = (h) => { const t0 = Date.parse(h.from) / 1000; return h.allThrottled.map((_, i) => t0 + i * h.bucketSeconds); };
const fmt = (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US'));
function widthOf(id) { return Math.max(320, document.getElementById(id).clientWidth - 2); }
const compact = (v) => (Math.abs(v) >= 1e6 ? +(v / 1e6).toFixed(1) + 'M' : Math.abs(v) >= 1e4 ? +(v / 1e3).toFixed(1) + 'k' : fmt(v));
function chart(id, title, series, data, extra) {
  const key = series.map((s) => s.label + (s.dash ? '~' : '')).join('|');
  const have = charts[id];
  if (have && have.key === key) { have.plot.setData(data); return; }
  if (have) have.plot.destroy();
  const el = document.getElementById(id);
  el.textContent = '';
  const opts = Object.assign({ title, width: widthOf(id), height: 220, series: [{}].concat(series), scales: { x: { time: true } }, axes: [{}, { size: 56, values: (u, vals) => vals.map(compact) }], legend: { live: true } }, extra || {});
  charts[id] = { key, plot: new uPlot(opts, data, el) };
}
function trafficChart(h, times) {
  // Stacked by hand: each backend's series is the running sum, filled to zero, drawn largest first.
  const raw = h.backends.map((b) => b.served);
  const sums = raw.map((_, k) => times.map((_, i) => raw.slice(0, k + 1).reduce((a, r) => a + (r[i] || 0), 0)));
  const order = h.backends.map((_, k) => k).reverse();
  const series = order.map((k) => ({ label: h.backends[k].name, stroke: colorOf(k), fill: colorOf(k) + '99', width: 1, value: (u, v, si, i) => (i === null ? '–' : fmt(raw[k][i])) }));
  const throttled = times.map((_, i) => h.backends.reduce((a, b) => a + (b.throttled[i] || 0), 0) + (h.allThrottled[i] || 0));
  series.push({ label: '429s', stroke: '#cf222e', width: 2, dash: [4, 3] });
  chart('chart-traffic', 'Answers per ' + h.bucketSeconds + ' s by backend (stacked) and 429s', series, [times].concat(order.map((k) => sums[k])).concat([throttled]));
}
function latencyChart(h, times) {
  const series = [];
  const data = [times];
  h.backends.forEach((b, k) => {
    series.push({ label: b.name + ' p50', stroke: colorOf(k), width: 2, value: (u, v) => (v === null ? '–' : fmt(v) + ' ms') });
    series.push({ label: b.name + ' p95', stroke: colorOf(k), width: 1, dash: [6, 4], value: (u, v) => (v === null ? '–' : fmt(v) + ' ms') });
    data.push(b.p50Ms, b.p95Ms);
  });
  chart('chart-latency', 'Time to headers per backend, p50 and p95 (ms)', series, data);
}
function consumerChart(h, times) {
  // Tokens in the minute up to each bucket, so they compare with tokens-per-minute limits.
  const perMinute = Math.max(1, Math.round(60 / h.bucketSeconds));
  const series = [];
  const data = [times];
  h.consumers.forEach((c, k) => {
    data.push(c.tokens.map((_, i) => c.tokens.slice(Math.max(0, i - perMinute + 1), i + 1).reduce((a, b) => a + b, 0)));
    series.push({ label: c.name, stroke: colorOf(k), width: 2 });
    if (c.tokensPerMinuteLimit !== null) {
      data.push(times.map(() => c.tokensPerMinuteLimit));
      series.push({ label: c.name + ' limit', stroke: colorOf(k), width: 1, dash: [2, 4] });
    }
  });
  chart('chart-consumers', 'Tokens per minute per consumer, against its limit', series, data);
}
const REASON_COLORS = { throttled: '#d4a72c', 'circuit-open': '#cf222e', 'server-error': '#bf3989', timeout: '#8250df', network: '#57606a', auth: '#0a3069' };
function timelineChart(h, times) {
  const canvas = document.getElementById('chart-timeline');
  const rows = [...new Set(h.intervals.map((i) => i.backend + ' / ' + i.deployment))].sort();
  const dpr = window.devicePixelRatio || 1;
  const cssWidth = widthOf('timeline-box');
  const cssHeight = 46 + Math.max(1, rows.length) * 22;
  canvas.width = cssWidth * dpr; canvas.height = cssHeight * dpr;
  canvas.style.width = cssWidth + 'px'; canvas.style.height = cssHeight + 'px';
  const g = canvas.getContext('2d');
  g.scale(dpr, dpr);
  g.fillStyle = '#fff'; g.fillRect(0, 0, cssWidth, cssHeight);
  g.font = '12px system-ui, sans-serif'; g.fillStyle = '#1f2328';
  g.fillText('Windows and circuits per backend / deployment', 8, 16);
  const left = 200, right = cssWidth - 10, t0 = times[0] * 1000, t1 = (times[times.length - 1] + h.bucketSeconds) * 1000;
  const x = (ms) => left + ((Math.min(Math.max(ms, t0), t1) - t0) / Math.max(1, t1 - t0)) * (right - left);
  g.strokeStyle = '#d0d7de';
  for (let k = 0; k <= 6; k++) {
    const ms = t0 + ((t1 - t0) * k) / 6;
    g.beginPath(); g.moveTo(x(ms), 24); g.lineTo(x(ms), cssHeight - 16); g.stroke();
    g.fillStyle = '#57606a'; g.fillText(new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), x(ms) - 16, cssHeight - 3);
  }
  if (!rows.length) { g.fillStyle = '#57606a'; g.fillText('none in this span', left + 8, 42); }
  rows.forEach((row, r) => {
    const y = 28 + r * 22;
    g.fillStyle = '#1f2328'; g.fillText(row.length > 30 ? row.slice(0, 29) + '…' : row, 8, y + 13);
    h.intervals.filter((i) => i.backend + ' / ' + i.deployment === row).forEach((i) => {
      const a = x(Date.parse(i.from)), b = x(Date.parse(i.until));
      g.fillStyle = REASON_COLORS[i.reason] || '#57606a';
      g.fillRect(a, y + 2, Math.max(2, b - a), 16);
    });
  });
  const legend = document.getElementById('timeline-legend');
  legend.innerHTML = Object.entries(REASON_COLORS).map(([reason, color]) => '<span><i style="background:' + color + '"></i>' + reason + '</span>').join('');
}
function drawCharts(h) {
  if (!h || !h.allThrottled.length) return;
  document.getElementById('charts').hidden = false;
  const times = timesOf(h);
  trafficChart(h, times);
  latencyChart(h, times);
  timelineChart(h, times);
  consumerChart(h, times);
  document.getElementById('charts-meta').textContent = 'Last ' + Math.round((times.length * h.bucketSeconds) / 60) + ' min in ' + h.bucketSeconds + ' s buckets, from ' + h.instances + ' instance' + (h.instances === 1 ? '' : 's') + '.';
}
`;
