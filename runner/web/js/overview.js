// overview.js: the suite's progress (agentbench.runner.*) and, per benchmark/variant,
// the median wall time with its 95% CI and the overhead against the baseline with its CI
// (agentbench.run.*), as a table and two forest plots. The page draws no verdict of its
// own: a verdict column appears when the PMDA publishes agentbench.run.verdict, and an
// "interim" badge while agentbench.run.final (when it exists) is 0.
import * as fmt from './format.js';
import { forest } from './forest.js';

const R = 'agentbench.runner.', RUN = 'agentbench.run.';
const RUNNER = ['state', 'suite', 'host', 'benchmark', 'variant', 'runs.done', 'runs.total',
  'runs.failed', 'progress', 'eta', 'age'].map((n) => R + n);
const RUNS = ['count', 'failed', 'median', 'ci_low', 'ci_high', 'overhead', 'overhead_ci_low',
  'overhead_ci_high', 'pvalue', 'final', 'verdict'].map((n) => RUN + n);

const $ = (id) => document.getElementById(id);

export function names() { return [...RUNNER, ...RUNS]; }

// benchmark/variant instances, benchmarks in name order, baseline first, then by name
export function sortedInstances(snap) {
  const split = (i) => { const s = i.lastIndexOf('/'); return [i.slice(0, s), i.slice(s + 1)]; };
  return snap.instances(RUN + 'count').concat(snap.instances(RUN + 'median'))
    .filter((v, i, a) => a.indexOf(v) === i)
    .map(split)
    .sort((a, b) => a[0].localeCompare(b[0]) ||
      (a[1] === 'baseline' ? -1 : b[1] === 'baseline' ? 1 : a[1].localeCompare(b[1])));
}

function progress(snap) {
  const state = snap.get(R + 'state');
  const running = state === 'running' || state === 'building';
  $('state').textContent = state || 'no suite';
  $('state').className = `state ${state || 'none'}`;
  $('suite').textContent = snap.get(R + 'suite') || '–';
  $('suite-host').textContent = snap.get(R + 'host') || '–';
  const done = snap.get(R + 'runs.done'), total = snap.get(R + 'runs.total');
  const p = state ? Math.max(0, Math.min(100, snap.get(R + 'progress') || 0)) : 0;
  $('bar-fill').style.width = `${p}%`;
  $('bar-text').textContent = state ? `${p.toFixed(p === 100 ? 0 : 1)}%` : '–';
  $('runs-done').textContent = state ? fmt.number(done) : '–';
  $('runs-total').textContent = state ? fmt.number(total) : '–';
  $('runs-failed').textContent = state ? fmt.number(snap.get(R + 'runs.failed')) : '–';
  // pmproxy turns "no value" into 0: an ETA or a current run only means something while running
  $('eta').textContent = running ? fmt.duration(snap.get(R + 'eta')) : '–';
  const b = snap.get(R + 'benchmark'), v = snap.get(R + 'variant');
  $('now-running').textContent = running && b ? `${b}/${v || '?'}` : '–';
  $('age').textContent = state ? fmt.duration(snap.get(R + 'age')) : '–';
  $('interim').hidden = !(snap.has(RUN + 'final') && snap.instances(RUN + 'final').length &&
    snap.instances(RUN + 'final').some((i) => snap.get(RUN + 'final', i) === 0));
}

// a table cell; value (the unrounded figure, or [low, high]) rides along in data-value
function cell(tr, col, text, cls, value) {
  const td = document.createElement('td');
  td.dataset.col = col;
  td.textContent = text;
  if (cls) td.className = cls;
  if (value !== undefined && value !== null) td.dataset.value = JSON.stringify(value);
  tr.appendChild(td);
}

function table(snap, rows) {
  const tbody = $('results').tBodies[0];
  const withVerdict = snap.has(RUN + 'verdict');
  $('th-verdict').hidden = !withVerdict;
  const trs = [];
  for (const [bench, variant] of rows) {
    const i = `${bench}/${variant}`;
    const g = (m) => snap.get(RUN + m, i);
    const tr = document.createElement('tr');
    tr.dataset.instance = i;
    cell(tr, 'benchmark', bench);
    cell(tr, 'variant', variant);
    cell(tr, 'n', fmt.number(g('count')), 'num', g('count'));
    cell(tr, 'failed', fmt.number(g('failed')), g('failed') > 0 ? 'num warn' : 'num', g('failed'));
    cell(tr, 'median', fmt.seconds(g('median')), 'num', g('median'));
    cell(tr, 'median_ci', fmt.interval(g('ci_low'), g('ci_high'), fmt.seconds), 'num', [g('ci_low'), g('ci_high')]);
    const oh = g('overhead');
    const lo = g('overhead_ci_low'), hi = g('overhead_ci_high');
    const profiled = variant !== 'baseline';
    cell(tr, 'overhead', profiled ? fmt.pct(oh) : '', 'num', profiled ? oh : null);
    cell(tr, 'overhead_ci', profiled ? fmt.interval(lo, hi, fmt.pct) : '', 'num', profiled ? [lo, hi] : null);
    cell(tr, 'p', profiled ? fmt.number(g('pvalue'), 3) : '', 'num', profiled ? g('pvalue') : null);
    // the verdict is the PMDA's to give (it knows the stopping rule and the n it needs)
    if (withVerdict) {
      const v = g('verdict');
      cell(tr, 'verdict', profiled && v ? v : '', `verdict ${String(v || '').replace(/[^a-z]+/g, '-')}`);
    }
    trs.push(tr);
  }
  tbody.replaceChildren(...trs);
  $('results').hidden = !trs.length;
  $('results-empty').hidden = !!trs.length;
}

function plots(snap, rows) {
  const med = rows.map(([b, v]) => {
    const i = `${b}/${v}`;
    return { group: b, label: v, value: snap.get(RUN + 'median', i),
      lo: snap.get(RUN + 'ci_low', i), hi: snap.get(RUN + 'ci_high', i) };
  });
  forest($('forest-median'), med, { tick: fmt.seconds, reference: null, empty: 'No medians yet.' });
  const toPct = (r) => (r === null ? null : (r - 1) * 100);
  const over = rows.filter(([, v]) => v !== 'baseline').map(([b, v]) => {
    const i = `${b}/${v}`;
    return { group: b, label: v, value: toPct(snap.get(RUN + 'overhead', i)),
      lo: toPct(snap.get(RUN + 'overhead_ci_low', i)), hi: toPct(snap.get(RUN + 'overhead_ci_high', i)) };
  });
  forest($('forest-overhead'), over, { tick: (p) => `${p > 0 ? '+' : ''}${(+p).toFixed(1)}%`,
    reference: 0, empty: 'No overheads yet (they need runs of the baseline and the variant).' });
}

let lastRows = null;
export function update(snap) {
  progress(snap);
  const rows = sortedInstances(snap);
  table(snap, rows);
  if (!document.getElementById('view-overview').hidden) plots(snap, rows);
  lastRows = { snap, rows };
}

export function shown() {
  if (lastRows) plots(lastRows.snap, lastRows.rows);
}

export function reset() { lastRows = null; }
