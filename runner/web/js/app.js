// app.js: the page's main loop. Every INTERVAL seconds it asks pmproxy which agentbench
// metrics exist (every 30 s), fetches the values every view wants in one /pmapi/fetch,
// names their instances with /pmapi/indom, and hands the snapshot to each view. A failed
// poll keeps the last figures on screen, dimmed, under a banner that says what is wrong
// (pmproxy unreachable, an error answer, no agentbench metrics on that pmcd), and the
// loop keeps trying. The host field (pmproxy's host:port, like Vector's) is kept in the
// URL (?host=) and in localStorage; ?interval=SECONDS changes the poll period.
import { makeClient, baseUrl, PmapiError } from './pmapi.js';
import { toSnapshot } from './snapshot.js';
import { clock } from './format.js';
import * as overview from './overview.js';
import * as ingesters from './ingesters.js';
import * as service from './service.js';
import * as flame from './flame.js';
import * as diff from './diff.js';

const params = new URLSearchParams(location.search);
const INTERVAL_S = Math.min(60, Math.max(0.25, Number(params.get('interval')) || 2));
const DESCS_EVERY_MS = 30000;
const HOST_KEY = 'agentbench.pmproxy';
const views = { overview, ingesters, service, flamegraph: flame, diff };

const $ = (id) => document.getElementById(id);
let client = null, descs = new Map(), descsAt = 0, lastGood = null, timer = null, generation = 0;

function initialHost() {
  return params.get('host') || localStorage.getItem(HOST_KEY) || `${location.hostname || 'localhost'}:44323`;
}

function connect(host) {
  host = host.trim() || 'localhost:44323';
  let base;
  try {
    base = baseUrl(host);
  } catch (e) {
    generation++;              // stop polling the previous host: the user meant another one
    clearTimeout(timer);
    client = null;
    problem(new PmapiError('input', `"${host}" is not a host or host:port (for example localhost:44323).`));
    return;
  }
  localStorage.setItem(HOST_KEY, host);
  const url = new URL(location.href);
  url.searchParams.set('host', host);
  history.replaceState(null, '', url);
  $('host').value = host;
  client = makeClient(base);
  descs = new Map();
  descsAt = 0;
  lastGood = null;
  generation++;
  for (const v of Object.values(views)) if (v.reset) v.reset();
  $('conn').textContent = `connecting to ${base}…`;
  $('conn').className = 'conn';
  clearTimeout(timer);
  poll(generation);
}

async function loadDescs() {
  let r;
  try {
    r = await client.metrics('agentbench');
  } catch (e) {
    // pmproxy's answer when pmcd has no such subtree: the PMDA is not installed there
    if (e.kind !== 'http' || !/unknown metric/i.test(e.message)) throw e;
    r = { metrics: [] };
  }
  descs = new Map((r.metrics || []).map((m) => [m.name, m]));
  descsAt = Date.now();
}

// id -> name maps of the instance domains of the given metric names (fresh every poll:
// ids are cheap to ask for and a PMDA may reuse one for another name).
async function indomsOf(names) {
  const byIndom = new Map();
  for (const n of names) {
    const d = descs.get(n);
    if (d && d.indom && !byIndom.has(d.indom)) byIndom.set(d.indom, n);
  }
  const maps = new Map();
  await Promise.all([...byIndom].map(async ([indom, name]) => {
    const r = await client.indom(name);
    maps.set(indom, new Map((r.instances || []).map((i) => [i.instance, i.name])));
  }));
  return maps;
}

const ctx = {
  get client() { return client; },
  get descs() { return descs; },
  indomsOf,
  toSnapshot: (answer, maps) => toSnapshot(answer, descs, (i) => maps.get(i)).snapshot,
  // the last problem's text, for views that act (a capture) and must say why they could not
  describe: (e) => describeProblem(e),
};

async function poll(gen) {
  try {
    if (!descs.size || Date.now() - descsAt > DESCS_EVERY_MS) await loadDescs();
    if (!descs.size) throw new PmapiError('nometrics', '');
    const wanted = new Set();
    for (const v of Object.values(views)) for (const n of v.names(descs)) if (descs.has(n)) wanted.add(n);
    const names = [...wanted];
    const [answer, maps] = await Promise.all([client.fetch(names), indomsOf(names)]);
    if (gen !== generation) return;
    const snapshot = ctx.toSnapshot(answer, maps);
    lastGood = new Date();
    healthy();
    for (const [id, v] of Object.entries(views)) {
      try { v.update(snapshot, ctx); } catch (e) { console.error(`view ${id}:`, e); }
    }
    showTab();
  } catch (e) {
    if (gen !== generation) return;
    if (e.kind === 'http' && /unknown metric|traversal/i.test(e.message)) descsAt = 0;
    problem(e);
  } finally {
    if (gen === generation) timer = setTimeout(() => poll(gen), INTERVAL_S * 1000);
  }
}

function describeProblem(e) {
  const where = client ? client.base : 'pmproxy';
  if (!(e instanceof PmapiError)) return `the page failed: ${e.message || e}`;
  if (e.kind === 'unreachable')
    return `Cannot reach pmproxy at ${where}: ${e.message.replace(/^.*\((.*)\)$/, '$1')}. ` +
      `Is pmproxy running on that host (/etc/init.d/pmproxy start) and port ${new URL(where).port || 44323} reachable from this browser?`;
  if (e.kind === 'nometrics')
    return `pmproxy at ${where} answers, but pmcd on ${client.hostname() || 'that host'} has no agentbench metrics: ` +
      'install the PMDA there (cd pmda && ./Install).';
  if (e.kind === 'input') return e.message;
  return `pmproxy at ${where} answered with an error: ${e.message.replace(/([^.])$/, '$1.')}`;
}

function problem(e) {
  const b = $('banner');
  const since = e.kind === 'input' ? ''
    : lastGood ? ` Retrying every ${INTERVAL_S} s; the figures below are from ${clock(lastGood)}.`
      : ` Retrying every ${INTERVAL_S} s.`;
  b.textContent = describeProblem(e) + since;
  b.hidden = false;
  document.body.classList.add('stale');
  $('conn').textContent = e.kind === 'unreachable' ? 'pmproxy unreachable' : 'no data';
  $('conn').className = 'conn bad';
}

function healthy() {
  $('banner').hidden = true;
  document.body.classList.remove('stale');
  $('conn').textContent = `${client.hostname() || '?'} via ${client.base} · ${clock(lastGood)}`;
  $('conn').className = 'conn good';
}

// Tabs: the hash names the view; a hidden tab (no service metrics) falls back to overview.
function showTab() {
  let id = location.hash.slice(1) || 'overview';
  const link = document.querySelector(`#tabs a[data-view="${id}"]`);
  if (!link || link.hidden) id = 'overview';
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === id);
  for (const [vid, v] of Object.entries(views)) {
    const sec = $(`view-${vid}`);
    const show = vid === id;
    if (sec.hidden === show) {
      sec.hidden = !show;
      if (show && v.shown) v.shown(ctx);
    }
  }
}

$('interval').textContent = String(INTERVAL_S);
$('hostform').addEventListener('submit', (ev) => { ev.preventDefault(); connect($('host').value); });
window.addEventListener('hashchange', showTab);
for (const v of Object.values(views)) if (v.init) v.init(ctx);
showTab();
connect(initialHost());
