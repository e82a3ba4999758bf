// profiling.js: runs a Node.js benchmark with the real @pyroscope/nodejs agent when
// PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING is set, and without it (not even loaded)
// otherwise. The agent flushes every PYROSCOPE_UPLOAD_INTERVAL seconds (its flushIntervalMs;
// its own default is 60 s) and is stopped with `await Pyroscope.stop()` so the last profile
// is sent, but that wait is bounded by PYROSCOPE_FLUSH_TIMEOUT seconds (default 1): the
// agent has no timeout of its own and stop() waits for an upload in flight, so against a
// hung server it would never return.
'use strict';

const ENABLE = 'PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING';

function seconds(name, fallback, lo, hi) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < lo || v > hi) {
    console.error(`${name} must be a number of seconds in [${lo}, ${hi}], not '${raw}'`);
    process.exit(2);
  }
  return v;
}

const debug = /^(debug|trace)$/i.test(process.env.PYROSCOPE_LOG_LEVEL || '');
function log(msg) {
  if (debug) process.stderr.write(`abagent-node: debug: ${msg}\n`);
}

// At debug level, count the agent's uploads by wrapping fetch (the agent has no counters).
const counters = { requests: 0, ok: 0, failed: 0, pending: 0, bytes: 0 };
function countUploads() {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    counters.requests++;
    counters.pending++;
    try {
      const res = await realFetch(url, init);
      if (res.ok) {
        counters.ok++;
        if (init && init.body) counters.bytes += init.body.byteLength || 0;
      } else {
        counters.failed++;
      }
      return res;
    } catch (e) {
      counters.failed++;
      throw e;
    } finally {
      counters.pending--;
    }
  };
}

// Yields to the event loop, so the agent's flush timer can run between chunks of work.
function yieldToEventLoop() {
  return new Promise((resolve) => setImmediate(resolve));
}

// Runs `work` (an async function returning the checksum), profiled or not; prints the
// checksum last and exits.
async function runBenchmark(work) {
  const enabled = process.env[ENABLE] !== undefined;
  let Pyroscope = null;
  const flushTimeoutS = seconds('PYROSCOPE_FLUSH_TIMEOUT', 1, 0, 3600);
  if (enabled) {
    const intervalS = seconds('PYROSCOPE_UPLOAD_INTERVAL', 10, 0.05, 3600);
    const rate = seconds('PYROSCOPE_SAMPLE_RATE', 100, 1, 1000);
    if (debug) countUploads();
    Pyroscope = require('@pyroscope/nodejs');
    Pyroscope.init({
      serverAddress: process.env.PYROSCOPE_SERVER_ADDRESS || 'http://localhost:4040',
      appName: process.env.PYROSCOPE_APPLICATION_NAME || 'agentbench-nodejs-app',
      flushIntervalMs: Math.max(1, Math.round(intervalS * 1000)),
      wall: { samplingIntervalMicros: Math.round(1e6 / rate) },
    });
    Pyroscope.start();
    log(`profiling ${process.env.PYROSCOPE_APPLICATION_NAME} every ${intervalS}s at ${rate} Hz`);
  }
  const checksum = await work();
  if (Pyroscope !== null) {
    const t0 = Date.now();
    let timer;
    const timedOut = await Promise.race([
      Pyroscope.stop().then(() => false, () => false),
      new Promise((resolve) => { timer = setTimeout(() => resolve(true), flushTimeoutS * 1000); }),
    ]);
    clearTimeout(timer);
    log(`stop ${timedOut ? 'timed out' : 'done'} after ${Date.now() - t0} ms`);
    log(`counters: uploads=${counters.requests} uploads_ok=${counters.ok} ` +
        `uploads_failed=${counters.failed} uploads_abandoned=${counters.pending} ` +
        `bytes_sent=${counters.bytes}`);
  }
  process.stdout.write(`checksum: ${checksum}\n`, () => process.exit(0));
}

function intArg(value, fallback, name) {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} must be a non-negative integer, not '${value}'`);
    process.exit(2);
  }
  return v;
}

module.exports = { runBenchmark, yieldToEventLoop, intArg };
