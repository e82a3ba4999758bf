// service.js: http-nodejs-service, the Node.js service benchmark (kind = service): the
// same endpoints and answers as http-c-service (service-work.js), on Node's `http` module,
// profiled by a real agent when the environment asks (profiling.js: @pyroscope/nodejs or
// dd-trace), run as a real service runs it: the agent's own flush interval unless the
// suite sets one, and on SIGTERM the agent stopped as profiling.js does, with no bound.
//   GET  /healthz                      200 "ok" (readiness; not counted)
//   GET  /work?seed=N&items=K          200 JSON, header X-Agentbench-Digest
//   POST /work  {"seed":N,"items":K}   the same
// Listens on $AGENTBENCH_SERVICE_ADDR (HOST:PORT). SIGTERM or SIGINT: stop listening, close
// idle connections, let answers in progress finish, print
//   requests: N      (200 answers to /work)
//   checksum: HEX    (their digests summed mod 2^64, 16 hex digits)
// then stop the agent and end (exit 0 once the event loop is empty: dd-trace's last
// upload runs then; the figures are out first: a stop that never returns still leaves
// them).
'use strict';
const http = require('node:http');
const { startProfiler, stopProfiler } = require('./profiling.js');
const { work, paramsFromQuery, paramsFromJson, BadRequest } = require('./service-work.js');

const MAX_URL = 4096;
const MAX_BODY = 64 * 1024;

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  console.log('usage: service.js   serves /healthz and /work on $AGENTBENCH_SERVICE_ADDR until SIGTERM');
  process.exit(0);
}
const addr = process.env.AGENTBENCH_SERVICE_ADDR || '';
const m = /^\[?([0-9a-fA-F:.]+)\]?:([0-9]{1,5})$/.exec(addr);
if (!addr) {
  console.error("http-nodejs-service: AGENTBENCH_SERVICE_ADDR is not set: a service benchmark is started by agentbench's service runner (HOST:PORT to listen on)");
  process.exit(2);
}
if (!m || Number(m[2]) > 65535) {
  console.error(`http-nodejs-service: AGENTBENCH_SERVICE_ADDR '${addr}' is not HOST:PORT (numeric)`);
  process.exit(2);
}

const MASK = (1n << 64n) - 1n;
let served = 0;
let bad = 0;
let checksum = 0n;
let stopping = false;

function answer(res, status, type, body, digest) {
  const headers = { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) };
  if (digest !== undefined) headers['X-Agentbench-Digest'] = digest;
  if (stopping) headers.Connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function fail(res, status, why) {
  bad++;
  answer(res, status, 'application/json', JSON.stringify({ error: why }));
}

function handle(req, res, body) {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  if (path === '/healthz') return answer(res, 200, 'text/plain', 'ok\n');
  if (path !== '/work') return fail(res, 404, 'no such path: /healthz and /work are served');
  if (req.method !== 'GET' && req.method !== 'POST') return fail(res, 405, 'GET or POST');
  let params;
  try {
    params = req.method === 'GET' ? paramsFromQuery(query) : paramsFromJson(body);
  } catch (e) {
    if (e instanceof BadRequest) return fail(res, 400, e.message);
    throw e;
  }
  const r = work(params);
  res.on('finish', () => {
    served++;
    checksum = (checksum + BigInt('0x' + r.digest)) & MASK;
  });
  return answer(res, 200, 'application/json', r.body, r.digest);
}

const server = http.createServer((req, res) => {
  if (req.url.length > MAX_URL) return fail(res, 414, 'URL longer than 4096 bytes');
  const chunks = [];
  let size = 0;
  let tooBig = false;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) tooBig = true;
    else chunks.push(c);
  });
  req.on('end', () => {
    if (tooBig) return fail(res, 413, 'body larger than 64 KiB');
    return handle(req, res, Buffer.concat(chunks).toString());
  });
  return undefined;
});

const agent = startProfiler();

async function shutdown() {
  if (stopping) return;
  stopping = true;
  await new Promise((resolve) => {
    server.close(resolve);          // stop accepting; resolves once every connection ended
    server.closeIdleConnections();
  });
  // a file or a pipe: synchronous on Linux, so the lines are out before the agent stops
  process.stdout.write(`http-nodejs-service: ${served} /work answers, ${bad} bad requests\n` +
    `requests: ${served}\nchecksum: ${checksum.toString(16).padStart(16, '0')}\n`);
  await stopProfiler(agent);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.on('error', (e) => {
  console.error(`http-nodejs-service: cannot listen on ${addr}: ${e.message}`);
  process.exit(1);
});
server.listen(Number(m[2]), m[1], () => {
  console.error(`http-nodejs-service: listening on ${addr}`);
});
