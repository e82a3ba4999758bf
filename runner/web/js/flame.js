// flame.js: the system-wide flame graph, drawn in the page (d3-flame-graph) from
// agentbench.flamegraph.stacks, and a button that starts a capture by storing its seconds
// into agentbench.flamegraph.control through pmproxy (/pmapi/store). The status
// (agentbench.flamegraph.status: IDLE, RUNNING s/N, DONE <url>, ERROR <why>) is polled with
// everything else; when a capture completes (the captures counter moved and the status
// left RUNNING) the stacks are fetched again and redrawn.
import { buildTree } from './stacks.js';
import { drawFlame } from './flamedraw.js';
import { toSnapshot } from './snapshot.js';

const FG = 'agentbench.flamegraph.';
const STACKS = FG + 'stacks';
const $ = (id) => document.getElementById(id);
let seen = null, stale = true;

export function names() { return [FG + 'status', FG + 'captures']; }

export function reset() { seen = null; stale = true; $('flame').replaceChildren(); }

function message(text) { $('fg-message').textContent = text; }

async function loadStacks(ctx) {
  if (!ctx.descs.size) { message('Waiting for the metric list from pmproxy…'); return; }   // stays stale: the next update loads
  if (!ctx.descs.has(STACKS)) {
    message(`This PMDA does not publish ${STACKS}, so the page cannot draw the graph; ` +
      'the status above tells where the capture\'s SVG is.');
    return;
  }
  stale = false;
  const answer = await ctx.client.fetch([STACKS]);
  const maps = await ctx.indomsOf([STACKS]);
  const { snapshot } = toSnapshot(answer, ctx.descs, (i) => maps.get(i));
  const entries = snapshot.instances(STACKS).map((n) => ({ stack: n, count: snapshot.get(STACKS, n) }));
  const tree = buildTree(entries);
  if (!tree.value) {
    message('No stacks captured yet: start a capture.');
    $('flame').replaceChildren();
    return;
  }
  message(`${tree.value} samples in ${entries.length} stacks.`);
  drawFlame($('flame'), $('flame-details'), tree, {});
  search();
}

function search() {
  const el = $('flame');
  if (el.chart) { const term = $('fg-search').value.trim(); if (term) el.chart.search(term); else el.chart.clear(); }
}

export function init(ctx) {
  $('capture').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const secs = Math.round(Number($('capture-seconds').value));
    if (!(secs >= 1 && secs <= 3600)) { message('The capture length is 1 to 3600 seconds.'); return; }
    $('capture-start').disabled = true;
    try {
      await ctx.client.store(FG + 'control', secs);
      message(`Capture of ${secs} s started.`);
      $('fg-status').textContent = `RUNNING 0/${secs}`;
    } catch (e) {
      message(`The capture did not start: ${e.kind === 'http' ? `pmproxy said "${e.message}"` : ctx.describe(e)}`);
      $('capture-start').disabled = false;
    }
  });
  $('fg-search').addEventListener('input', search);
}

export function update(snap, ctx) {
  const status = snap.get(FG + 'status') || '–';
  const captures = snap.get(FG + 'captures');
  $('fg-status').textContent = status;
  $('fg-captures').textContent = captures === null ? '–' : String(captures);
  $('capture-start').disabled = /^RUNNING/.test(status) || !ctx.descs.has(FG + 'control');
  const key = `${captures}|${/^RUNNING/.test(status) ? 'running' : 'settled'}`;
  if (seen !== null && key !== seen && !/^RUNNING/.test(status)) stale = true;
  seen = key;
  if (stale && !$('view-flamegraph').hidden)
    loadStacks(ctx).catch((e) => { stale = true; message(ctx.describe(e)); });
}

export function shown(ctx) {
  loadStacks(ctx).catch((e) => { stale = true; message(ctx.describe(e)); });
}
