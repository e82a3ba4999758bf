// pmapi.js: the page's only network code, a small client for pmproxy's REST API
// (PMWEBAPI(3), port 44323). Every call is a plain GET without custom headers, so the
// browser sends no CORS preflight (pmproxy 6.0.3 answers `Access-Control-Allow-Origin: *`
// on GETs and does not allow an Authorization header cross-origin).
//
// One PMAPI context per client, created lazily with a poll timeout on hostspec local:
// (pmproxy reaches its pmcd over the local socket, as its own account, the only PCP
// credentials a page on another origin can give a store: the PMDA accepts the capture
// button's store when agentbench.conf's store_users lists that account, see
// pmdaagentbench(1)); an expired context
// ("unknown context identifier") is replaced once and the call repeated. Failures are
// PmapiError with a kind the page shows differently: 'unreachable' (no answer at all:
// pmproxy down, wrong host, network), 'http' (pmproxy answered an error); the page adds
// 'nometrics' (no agentbench metrics there) and 'input' (a host field it cannot use).
//
// What pmproxy 6.0.3 returns (checked on Debian 12): /pmapi/fetch omits unknown names and
// gives instance ids only ({"instance":7,"value":1.03}); a singular metric without a value
// comes back as null (strings) or 0 (numbers); /pmapi/indom maps ids to names;
// /pmapi/metric?prefix= lists names, types, units and help.

const CALL_TIMEOUT_MS = 5000;
const CONTEXT_POLLTIMEOUT_S = 120;

export class PmapiError extends Error {
  constructor(kind, message, status) {
    super(message);
    this.kind = kind;
    this.status = status || 0;
  }
}

// "host", "host:port" or "http(s)://host:port" to a base URL; port 44323 by default.
export function baseUrl(hostField) {
  let s = String(hostField || '').trim();
  if (!s) s = 'localhost:44323';
  if (!/^https?:\/\//.test(s)) s = 'http://' + s;
  const u = new URL(s);
  if (!u.port && !/^https?:\/\/[^/]*:\d+/.test(s)) u.port = '44323';
  return u.origin;
}

export function makeClient(base) {
  let context = null;
  let contextInfo = {};

  async function get(path, params) {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, v);
    let resp;
    try {
      resp = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    } catch (e) {
      const why = e && e.name === 'TimeoutError' ? 'no answer within 5 s' : 'connection failed';
      throw new PmapiError('unreachable', `cannot reach pmproxy at ${base} (${why})`);
    }
    let body = null;
    try { body = await resp.json(); } catch (e) { /* not JSON: an HTML error page */ }
    if (!resp.ok || (body && body.success === false)) {
      const msg = (body && body.message) || `HTTP ${resp.status} ${resp.statusText}`;
      throw new PmapiError('http', msg, resp.status);
    }
    if (!body) throw new PmapiError('http', `pmproxy at ${base} sent no JSON for ${path}`, resp.status);
    return body;
  }

  async function ensureContext() {
    if (context === null) {
      const r = await get('/pmapi/context', { hostspec: 'local:', polltimeout: CONTEXT_POLLTIMEOUT_S });
      context = r.context;
      contextInfo = r;
    }
    return context;
  }

  async function call(path, params) {
    const ctx = await ensureContext();
    try {
      return await get(path, { ...params, context: ctx });
    } catch (e) {
      if (e.kind !== 'http' || !/context/i.test(e.message)) throw e;
      context = null;
      return get(path, { ...params, context: await ensureContext() });
    }
  }

  return {
    base,
    // {metrics: [{name, pmid, indom?, type, sem, units, "text-oneline", ...}]}
    metrics: (prefix) => call('/pmapi/metric', { prefix }),
    // {timestamp, values: [{name, instances: [{instance, value}]}]}
    fetch: (names) => call('/pmapi/fetch', { names: names.join(',') }),
    // {indom, instances: [{instance, name}]}
    indom: (name) => call('/pmapi/indom', { name }),
    // {success: true}
    store: (name, value) => call('/pmapi/store', { name, value: String(value) }),
    // the monitored host's name, from the context's labels ('' before the first call)
    hostname: () => (contextInfo.labels && contextInfo.labels.hostname) || contextInfo.hostspec || '',
  };
}
