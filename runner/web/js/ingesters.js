// ingesters.js: ingester throughput over time (uPlot): requests/s and profiles/s per
// ingester, computed in the page from successive values of the counters
// agentbench.ingester.requests.total and agentbench.ingester.profiles and pmcd's
// timestamps (a counter that went down, a restarted ingester, starts a new line), over
// the last WINDOW_S seconds; and a table of every ingester's figures now.
import * as fmt from './format.js';

const I = 'agentbench.ingester.';
const NAMES = ['up', 'mode', 'requests.total', 'profiles', 'samples', 'connections.open',
  'latency.p99'].map((n) => I + n);
const WINDOW_S = 600;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const $ = (id) => document.getElementById(id);
let times = [], series = { requests: new Map(), profiles: new Map() }, prev = new Map();
let charts = { requests: null, profiles: null };

export function names() { return NAMES; }

export function reset() {
  times = [];
  series = { requests: new Map(), profiles: new Map() };
  prev = new Map();
  for (const k of Object.keys(charts)) { if (charts[k]) charts[k].destroy(); charts[k] = null; }
}

function push(kind, name, value) {
  let s = series[kind].get(name);
  if (!s) { s = new Array(times.length - 1).fill(null); series[kind].set(name, s); }
  s.push(value);
}

function sample(snap) {
  const t = snap.time;
  if (times.length && t <= times[times.length - 1]) return;
  times.push(t);
  const seen = new Set();
  for (const name of snap.instances(I + 'requests.total')) {
    const now = { req: snap.get(I + 'requests.total', name), prof: snap.get(I + 'profiles', name) };
    const p = prev.get(name);
    const ok = p && snap.get(I + 'up', name) !== 0 && now.req >= p.req && now.prof >= p.prof;
    push('requests', name, ok ? (now.req - p.req) / (t - p.t) : null);
    push('profiles', name, ok ? (now.prof - p.prof) / (t - p.t) : null);
    prev.set(name, { t, ...now });
    seen.add(name);
  }
  for (const kind of Object.keys(series))
    for (const [name, s] of series[kind]) if (!seen.has(name)) s.push(null);
  for (const name of [...prev.keys()]) if (!seen.has(name)) prev.delete(name);
  // keep the window; drop ingesters with nothing left in it
  let cut = 0;
  while (cut < times.length && times[cut] < t - WINDOW_S) cut++;
  if (cut) {
    times = times.slice(cut);
    for (const kind of Object.keys(series))
      for (const [name, s] of series[kind]) series[kind].set(name, s.slice(cut));
  }
  for (const kind of Object.keys(series))
    for (const [name, s] of series[kind]) if (s.every((v) => v === null) && !seen.has(name)) series[kind].delete(name);
}

function draw(kind, el, unit) {
  const uPlot = window.uPlot;
  const names = [...series[kind].keys()].sort();
  const data = [times, ...names.map((n) => series[kind].get(n))];
  const width = Math.max(360, el.clientWidth || 800);
  let c = charts[kind];
  const key = names.join('\n');
  if (c && c._names === key) {
    c.setData(data);
    if (Math.abs(c.width - width) > 4) c.setSize({ width, height: 220 });
    return;
  }
  if (c) c.destroy();
  el.replaceChildren();
  if (!names.length) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'No ingester has been polled yet.';
    el.appendChild(p);
    charts[kind] = null;
    return;
  }
  c = new uPlot({
    width, height: 220,
    scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] } },
    axes: [{}, { label: unit, size: 60 }],
    series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLOURS[i % COLOURS.length], width: 2,
      spanGaps: false, value: (u, v) => fmt.rate(v) }))],
  }, data, el);
  c._names = key;
  el.uplot = c;   // for tests: el.uplot.data, el.uplot.series
  charts[kind] = c;
}

function table(snap) {
  const rows = snap.instances(I + 'up').sort().map((name) => {
    const tr = document.createElement('tr');
    tr.dataset.instance = name;
    const g = (m) => snap.get(I + m, name);
    const cells = [name, g('up') ? 'yes' : 'no', g('mode') || '–', fmt.number(g('requests.total')),
      fmt.number(g('profiles')), fmt.number(g('samples')), fmt.number(g('connections.open')),
      g('up') ? `${fmt.number(g('latency.p99'), 3)} ms` : '–'];
    for (const [i, text] of cells.entries()) {
      const td = document.createElement('td');
      td.textContent = text;
      if (i >= 3) td.className = 'num';
      if (i === 1) td.className = g('up') ? 'good' : 'warn';
      tr.appendChild(td);
    }
    return tr;
  });
  $('ingesters').tBodies[0].replaceChildren(...rows);
  $('ingesters').hidden = !rows.length;
  $('ingesters-empty').hidden = !!rows.length;
}

function drawAll() {
  draw('requests', $('chart-requests'), 'requests/s');
  draw('profiles', $('chart-profiles'), 'profiles/s');
}

export function update(snap) {
  sample(snap);
  table(snap);
  if (!$('view-ingesters').hidden) drawAll();
}

export function shown() { drawAll(); }
