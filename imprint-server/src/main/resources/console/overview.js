// Imprint web console: the live overview. Samples come from the server's sampler over server-sent
// events (a history for the chosen range, then one sample per interval); charts are uPlot (vendored, no eval).
'use strict';
const RANGES = [['15m', '15 min', 900], ['1h', '1 hour', 3600], ['24h', '24 hours', 86400]];
const PALETTE = ['#1f6fd1', '#d1561f', '#2a9d4b', '#8a3ccf', '#c9a400', '#00838f', '#b0245f', '#5a6272'];
let liveSource = null;
const liveCharts = {};

function closeLive() {
  if (liveSource) { liveSource.close(); liveSource = null; }
  for (const k of Object.keys(liveCharts)) { liveCharts[k].u.destroy(); delete liveCharts[k]; }
}

// one chart per key, rebuilt only when its series change; uPlot draws on canvas and sets styles through the CSSOM (CSP-safe)
function drawChart(box, key, names, data, unit) {
  const width = Math.max(280, box.clientWidth || 480);
  const old = liveCharts[key];
  if (old && old.names.join('\u0000') === names.join('\u0000') && old.box === box) { old.u.setData(data); return; }
  if (old) old.u.destroy();
  box.replaceChildren();
  const opts = {
    width, height: 180,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [{}, { label: unit, size: 56 }],
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: false } }))],
    legend: { live: false },
  };
  liveCharts[key] = { u: new uPlot(opts, data, box), names, box };
}

function rate(count, seconds, per) { return seconds > 0 ? count * per / seconds : 0; }

function sum(obj) { return Object.values(obj || {}).reduce((a, b) => a + b, 0); }

function liveView(range) {
  closeLive();
  const span = RANGES.find(r => r[0] === range)[2];
  let samples = [];
  const pick = el('div', { class: 'ranges', role: 'group', 'aria-label': 'Time range' }, ...RANGES.map(([key, label]) =>
    el('button', { type: 'button', class: 'range', 'data-range': key, 'aria-pressed': String(key === range),
      onclick: () => { location.hash = 'overview?range=' + key; } }, label)));
  const n = {};
  const stat = (id, label) => el('div', { class: 'card live' }, (n[id] = el('div', { class: 'n', id }, '–')), label);
  const cards = el('div', { class: 'cards' }, stat('live-connected', 'Connected now'), stat('live-registrations', 'Registrations / min (last minute)'),
    stat('live-telemetry', 'Telemetry messages / s (last minute)'), stat('live-refusals', 'Refusals in range'), stat('live-revocations', 'Revocations in range'));
  const fig = (id, caption) => el('figure', { class: 'chart' }, el('figcaption', {}, caption), (boxes[id] = el('div', { id, class: 'plot' })));
  const boxes = {};
  const connected = fig('chart-connected', 'Connected devices per hub');
  const regs = fig('chart-registrations', 'Registrations and revocations per minute');
  const tele = fig('chart-telemetry', 'Telemetry messages per second');
  const hubsTable = el('div', { id: 'live-hubs' });
  const nodesTable = el('div', { id: 'live-nodes' });
  const refusalsTable = el('div', { id: 'live-refusals-by-code' });
  const state = el('p', { id: 'live-state', class: 'muted' }, 'connecting…');

  function update() {
    const from = Date.now() - span * 1000;
    samples = samples.filter(s => s.at > from);
    const last = samples[samples.length - 1];
    const xs = samples.map(s => s.at / 1000);
    const hubs = [...new Set(samples.flatMap(s => Object.keys(s.hubs)))].sort();
    n['live-connected'].textContent = last ? String(sum(last.hubs)) : '0';
    // the cards average the last minute: one 5 s sample is too jumpy to read at a glance
    const recent = samples.filter(s => s.at > Date.now() - 60000);
    const secs = recent.reduce((a, s) => a + s.seconds, 0);
    n['live-registrations'].textContent = rate(recent.reduce((a, s) => a + s.registrations, 0), secs, 60).toFixed(1);
    n['live-telemetry'].textContent = rate(recent.reduce((a, s) => a + s.telemetry, 0), secs, 1).toFixed(1);
    const refusals = {};
    for (const s of samples) for (const [k, v] of Object.entries(s.refusals)) refusals[k] = (refusals[k] || 0) + v;
    n['live-refusals'].textContent = String(sum(refusals));
    n['live-revocations'].textContent = String(samples.reduce((a, s) => a + s.revocations, 0));
    drawChart(boxes['chart-connected'], 'connected', hubs.length ? hubs : ['(no hub)'],
      [xs, ...(hubs.length ? hubs : ['']).map(h => samples.map(s => s.hubs[h] || 0))], 'devices');
    drawChart(boxes['chart-registrations'], 'registrations', ['registrations / min', 'revocations / min'],
      [xs, samples.map(s => rate(s.registrations, s.seconds, 60)), samples.map(s => rate(s.revocations, s.seconds, 60))], 'per min');
    drawChart(boxes['chart-telemetry'], 'telemetry', ['messages / s'], [xs, samples.map(s => rate(s.telemetry, s.seconds, 1))], 'per s');
    hubsTable.replaceChildren(el('h3', {}, 'Connected per hub'), table(Object.entries(last ? last.hubs : {}).map(([hub, n]) => ({ hub, n })),
      [['hub', 'Hub'], ['n', 'Connected']]));
    nodesTable.replaceChildren(el('h3', {}, 'Connected per node'), table(Object.entries(last ? last.nodes : {}).map(([node, n]) => ({ node, n })),
      [['node', 'Node'], ['n', 'Connected']]));
    refusalsTable.replaceChildren(el('h3', {}, 'Refusals by reason code'), table(Object.entries(refusals).sort((a, b) => b[1] - a[1])
      .map(([code, n]) => ({ code, n })), [['code', 'Reason code', 'mono'], ['n', 'Count']]));
  }

  const source = new EventSource(API + '/overview/stream?range=' + encodeURIComponent(range));
  liveSource = source;
  source.addEventListener('history', (e) => {
    samples = JSON.parse(e.data).samples;
    state.textContent = 'live: a sample every few seconds';
    state.dataset.live = 'true';
    update();
  });
  source.addEventListener('sample', (e) => { samples.push(JSON.parse(e.data)); update(); });
  source.addEventListener('error', () => { state.textContent = 'reconnecting…'; state.dataset.live = 'false'; });
  return el('section', { id: 'live', 'aria-label': 'Live fleet' }, el('h2', {}, 'Fleet, live'), pick, state, cards,
    el('div', { class: 'charts' }, connected, regs, tele), el('div', { class: 'tables' }, hubsTable, nodesTable, refusalsTable));
}

const countsView = views.overview;
views.overview = async () => {
  const range = new URLSearchParams(location.hash.split('?')[1] || '').get('range') || '15m';
  const counts = await countsView();
  return [liveView(RANGES.some(r => r[0] === range) ? range : '15m'), el('h2', {}, 'In the store'), ...counts.slice(1)];
};

window.addEventListener('hashchange', () => { if (!location.hash.startsWith('#overview') && location.hash !== '') closeLive(); });
