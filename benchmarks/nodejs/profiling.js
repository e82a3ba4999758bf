// profiling.js: runs a Node.js benchmark with the real @pyroscope/nodejs agent when
// PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING is set, and without it (not even loaded)
// otherwise. startProfiler() configures and starts the agent; stopProfiler() stops it with
// `await Pyroscope.stop()` so the last profile is sent, optionally bounded.
//   - Batch benchmarks (runBenchmark): the agent flushes every PYROSCOPE_UPLOAD_INTERVAL
//     seconds (default 10) and the stop is bounded by PYROSCOPE_FLUSH_TIMEOUT seconds
//     (default 1): the agent has no timeout of its own and stop() waits for an upload in
//     flight, so against a hung server it would never return.
//   - The service (service.js) runs the agent as it is: its own default flush interval
//     (60 s) unless PYROSCOPE_UPLOAD_INTERVAL is set, and no bound on stop().
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

// Starts the agent when profiling is enabled (returns it), else returns null. The flush
// interval is PYROSCOPE_UPLOAD_INTERVAL, else defaultIntervalS, else the agent's own.
function startProfiler({ defaultIntervalS } = {}) {
  if (process.env[ENABLE] === undefined) return null;
  const intervalS = seconds('PYROSCOPE_UPLOAD_INTERVAL', defaultIntervalS, 0.05, 3600);
  const rate = seconds('PYROSCOPE_SAMPLE_RATE', 100, 1, 1000);
  if (debug) countUploads();
  const Pyroscope = require('@pyroscope/nodejs');
  const config = {
    serverAddress: process.env.PYROSCOPE_SERVER_ADDRESS || 'http://localhost:4040',
    appName: process.env.PYROSCOPE_APPLICATION_NAME || 'agentbench-nodejs-app',
    wall: { samplingIntervalMicros: Math.round(1e6 / rate) },
  };
  if (intervalS !== undefined) config.flushIntervalMs = Math.max(1, Math.round(intervalS * 1000));
  Pyroscope.init(config);
  Pyroscope.start();
  log(`profiling ${config.appName} every ${intervalS === undefined ? "the agent's default" : intervalS + 's'} at ${rate} Hz`);
  return Pyroscope;
}

// Stops the agent with `await Pyroscope.stop()` (its last upload), waiting at most capS
// seconds when capS is given; logs how long it took and the upload counters.
async function stopProfiler(Pyroscope, capS) {
  const t0 = Date.now();
  let timer;
  const stopped = Pyroscope.stop().then(() => false, () => false);
  const timedOut = capS === undefined ? await stopped : await Promise.race([
    stopped,
    new Promise((resolve) => { timer = setTimeout(() => resolve(true), capS * 1000); }),
  ]);
  clearTimeout(timer);
  log(`stop ${timedOut ? 'timed out' : 'done'} after ${Date.now() - t0} ms`);
  log(`counters: uploads=${counters.requests} uploads_ok=${counters.ok} ` +
      `uploads_failed=${counters.failed} uploads_abandoned=${counters.pending} ` +
      `bytes_sent=${counters.bytes}`);
}

// Runs `work` (an async function returning the checksum), profiled or not; prints the end
// of the work (`work_end: T`, CLOCK_MONOTONIC seconds: libuv's hrtime is that clock;
// agentbench's exit delay runs from it to the exit) and the checksum, last, then stops the
// agent and exits. Writes to a file or a pipe are synchronous on Linux: both lines are out
// before the stop.
async function runBenchmark(work) {
  const flushTimeoutS = seconds('PYROSCOPE_FLUSH_TIMEOUT', 1, 0, 3600);
  const Pyroscope = startProfiler({ defaultIntervalS: 10 });
  const checksum = await work();
  const ns = process.hrtime.bigint();
  const frac = String(ns % 1000000000n).padStart(9, '0');
  process.stdout.write(`work_end: ${ns / 1000000000n}.${frac}\nchecksum: ${checksum}\n`);
  if (Pyroscope !== null) await stopProfiler(Pyroscope, flushTimeoutS);
  process.exit(0);
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

module.exports = { runBenchmark, startProfiler, stopProfiler, yieldToEventLoop, intArg, seconds };
