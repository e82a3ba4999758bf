// diff.js: the differential flame graph of one benchmark: a profiled variant against the
// baseline variant, both from agentbench.profile.stacks (per benchmark/variant stacks; the
// instance form is stacks.js's). Widths are the profiled run's; colours say how each
// frame's share of samples changed (red larger, blue smaller). Fetched when the tab is
// shown and every REFRESH_MS while it stays shown (the stacks change only when a new
// capture completes).
import { buildTree, diffTree, splitProfileInstance } from './stacks.js';
import { drawFlame } from './flamedraw.js';
import { toSnapshot } from './snapshot.js';

const STACKS = 'agentbench.profile.stacks';
const BASELINE = 'baseline';
const SOURCE = 'perf';   // the runs captured by run --flamegraph: the baseline has one too
const REFRESH_MS = 10000;
const $ = (id) => document.getElementById(id);
let byKey = new Map(), loadedAt = 0, ctxRef = null, signature = '';

export function names() { return []; }
export function reset() { byKey = new Map(); loadedAt = 0; signature = ''; $('diff-flame').replaceChildren(); }

function message(text) { $('diff-message').textContent = text; }

function options(select, values, keep) {
  const cur = keep ?? select.value;
  select.replaceChildren(...values.map((v) => { const o = document.createElement('option'); o.value = o.textContent = v; return o; }));
  if (values.includes(cur)) select.value = cur;
}

async function load(ctx) {
  if (!ctx.descs.size) {
    // the tab was shown before the first poll brought the metric list: not a load, so
    // the first update() after it loads at once (not REFRESH_MS later)
    message('Waiting for the metric list from pmproxy…');
    loadedAt = 0;
    return;
  }
  loadedAt = Date.now();
  if (!ctx.descs.has(STACKS)) {
    message(`This PMDA does not publish ${STACKS}: no per-variant stacks to compare yet ` +
      '(they come from agentbench run --flamegraph and the ingesters\' stored profiles).');
    return;
  }
  const answer = await ctx.client.fetch([STACKS]);
  const maps = await ctx.indomsOf([STACKS]);
  const { snapshot } = toSnapshot(answer, ctx.descs, (i) => maps.get(i));
  const sig = snapshot.instances(STACKS).map((n) => `${n}=${snapshot.get(STACKS, n)}`).join('\0');
  if (sig === signature && byKey.size) return;   // unchanged: keep the user's zoom
  signature = sig;
  byKey = new Map();
  for (const name of snapshot.instances(STACKS)) {
    const p = splitProfileInstance(name);
    if (!p || p.source !== SOURCE) continue;
    if (!byKey.has(p.key)) byKey.set(p.key, { benchmark: p.benchmark, variant: p.variant, entries: [] });
    byKey.get(p.key).entries.push({ stack: p.stack, count: snapshot.get(STACKS, name) });
  }
  const benchmarks = [...new Set([...byKey.values()].map((e) => e.benchmark))].sort();
  options($('diff-benchmark'), benchmarks);
  pick();
}

function pick() {
  const bench = $('diff-benchmark').value;
  const variants = [...byKey.values()].filter((e) => e.benchmark === bench && e.variant !== BASELINE)
    .map((e) => e.variant).sort();
  options($('diff-variant'), variants);
  draw();
}

function draw() {
  const bench = $('diff-benchmark').value, variant = $('diff-variant').value;
  const base = byKey.get(`${bench}/${BASELINE}`), prof = byKey.get(`${bench}/${variant}`);
  if (!byKey.size) { message('No per-variant stacks in the latest suite (run it with --flamegraph).'); $('diff-flame').replaceChildren(); return; }
  if (!prof || !base) {
    message(`${bench}: ${!base ? 'no baseline stacks' : 'no profiled variant with stacks'} to compare.`);
    $('diff-flame').replaceChildren();
    return;
  }
  const p = buildTree(prof.entries), b = buildTree(base.entries);
  message(`${bench}: ${variant} (${p.value} samples) against ${BASELINE} (${b.value} samples).`);
  drawFlame($('diff-flame'), $('diff-details'), diffTree(p, b), { differential: true });
}

export function init(ctx) {
  ctxRef = ctx;
  $('diff-benchmark').addEventListener('change', pick);
  $('diff-variant').addEventListener('change', draw);
}

export function update() {
  if (!$('view-diff').hidden && Date.now() - loadedAt > REFRESH_MS)
    load(ctxRef).catch((e) => message(ctxRef.describe(e)));
}

export function shown(ctx) {
  load(ctx).catch((e) => message(ctx.describe(e)));
}
