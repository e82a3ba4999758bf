// service.js: the figures of service benchmarks (doc: issue 15), shown only when the PMDA
// has them: agentbench.run.throughput and agentbench.run.latency_p99 (and, when present,
// cpu_per_request and exit_delay), each with its CI (<figure>_ci_low/_ci_high) and its
// overhead against the baseline (<figure>_overhead, _overhead_ci_low/_high) when the PMDA
// publishes those. The tab is hidden while neither figure exists.
import * as fmt from './format.js';
import { forest } from './forest.js';
import { sortedInstances } from './overview.js';

const RUN = 'agentbench.run.';
const FIGURES = [
  { base: 'throughput', title: 'throughput', show: (v) => `${fmt.rate(v)} req/s` },
  { base: 'latency_p99', title: 'p99 latency', show: fmt.seconds },
  { base: 'cpu_per_request', title: 'CPU per request', show: fmt.seconds },
  { base: 'exit_delay', title: 'exit delay', show: fmt.seconds },
];
const SHOWN_IF = [RUN + 'throughput', RUN + 'latency_p99'];

const $ = (id) => document.getElementById(id);
let present = [], last = null;

export function names(descs) {
  present = FIGURES.filter((f) => descs.has(RUN + f.base));
  const out = [RUN + 'count'];
  for (const f of present)
    for (const s of ['', '_ci_low', '_ci_high', '_overhead', '_overhead_ci_low', '_overhead_ci_high'])
      out.push(RUN + f.base + s);
  return out;
}

function th(text, cls) { const e = document.createElement('th'); e.textContent = text; if (cls) e.className = cls; return e; }

export function update(snap, ctx) {
  const on = SHOWN_IF.some((n) => ctx.descs.has(n));
  document.querySelector('#tabs a[data-view="service"]').hidden = !on;
  if (!on) return;
  const rows = sortedInstances(snap).filter(([b, v]) =>
    present.some((f) => snap.get(RUN + f.base, `${b}/${v}`) !== null));
  const head = document.createElement('tr');
  head.append(th('benchmark'), th('variant'));
  for (const f of present) {
    head.append(th(f.title, 'num'));
    if (ctx.descs.has(RUN + f.base + '_ci_low')) head.append(th('95% CI', 'num'));
    if (ctx.descs.has(RUN + f.base + '_overhead')) head.append(th('overhead', 'num'));
  }
  $('service').tHead.replaceChildren(head);
  const trs = rows.map(([b, v]) => {
    const i = `${b}/${v}`, tr = document.createElement('tr');
    tr.dataset.instance = i;
    const td = (text, cls) => { const e = document.createElement('td'); e.textContent = text; if (cls) e.className = cls; tr.append(e); };
    td(b); td(v);
    for (const f of present) {
      const g = (s) => snap.get(RUN + f.base + s, i);
      td(f.show(g('')), 'num');
      if (ctx.descs.has(RUN + f.base + '_ci_low')) td(fmt.interval(g('_ci_low'), g('_ci_high'), f.show), 'num');
      if (ctx.descs.has(RUN + f.base + '_overhead')) {
        const ci = ctx.descs.has(RUN + f.base + '_overhead_ci_low')
          ? ` ${fmt.interval(g('_overhead_ci_low'), g('_overhead_ci_high'), fmt.pct)}` : '';
        td(v === 'baseline' ? '' : fmt.pct(g('_overhead')) + ci, 'num');
      }
    }
    return tr;
  });
  $('service').tBodies[0].replaceChildren(...trs);
  $('service').hidden = !trs.length;
  $('service-empty').hidden = !!trs.length;
  last = { snap, rows };
  if (!$('view-service').hidden) plots();
}

function plots() {
  if (!last) return;
  const box = $('service-charts');
  // all cards first, then the plots: each plot takes its card's width, which depends on
  // how many cards share the row
  const els = present.map((f) => {
    const card = document.createElement('div');
    card.className = 'card';
    const h = document.createElement('h2');
    h.textContent = `${f.title}, 95% CI`;
    const el = document.createElement('div');
    el.className = 'forest';
    card.append(h, el);
    return [card, el];
  });
  box.replaceChildren(...els.map(([card]) => card));
  for (const [k, f] of present.entries()) {
    forest(els[k][1], last.rows.map(([b, v]) => {
      const i = `${b}/${v}`;
      return { group: b, label: v, value: last.snap.get(RUN + f.base, i),
        lo: last.snap.get(RUN + f.base + '_ci_low', i), hi: last.snap.get(RUN + f.base + '_ci_high', i) };
    }), { tick: f.show, reference: null });
  }
}

export function shown() { plots(); }
export function reset() { last = null; }
