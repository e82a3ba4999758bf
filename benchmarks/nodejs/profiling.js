// profiling.js: runs a Node.js benchmark (batch: runBenchmark; the service: startProfiler
// and stopProfiler) with a real profiling agent when PYROSCOPE_AGENT_BENCHMARK_ENABLE_PROFILING
// is set, and without any (not even loaded) otherwise. The agent is AGENTBENCH_PROFILER's
// (runner/profiler.h):
//   - pyroscope-nodejs (the default): @pyroscope/nodejs, configured from PYROSCOPE_SERVER_ADDRESS
//     and PYROSCOPE_APPLICATION_NAME; its flush interval is its own (60 s) unless
//     PYROSCOPE_UPLOAD_INTERVAL is set, its sampling rate its own (100 Hz) unless
//     PYROSCOPE_SAMPLE_RATE is; stopped with `await Pyroscope.stop()`, which sends the last
//     profile and waits for an upload in flight, for as long as that takes (the agent has
//     no timeout of its own: against a hung server it never returns, as in any program);
//   - datadog-nodejs: dd-trace, configured by its own DD_* environment (the runner sets
//     it), initialised with no integrations (`plugins: false`) so that it makes no spans
//     and only its profiler works; nothing is called to stop it: when the program ends,
//     dd-trace's own beforeExit handler stops the profiler and uploads the last profile,
//     as it does in any program.
// Either way the agent is measured as it is: no wrapper bounds its stop, and the program
// ends the way a program ends (its event loop empties), never by process.exit().
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

// At debug level, count @pyroscope/nodejs's uploads by wrapping fetch (it has no counters).
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
function logCounters() {
  log(`counters: uploads=${counters.requests} uploads_ok=${counters.ok} ` +
      `uploads_failed=${counters.failed} uploads_abandoned=${counters.pending} ` +
      `bytes_sent=${counters.bytes}`);
}

// Yields to the event loop, so the agent's flush timer can run between chunks of work.
function yieldToEventLoop() {
  return new Promise((resolve) => setImmediate(resolve));
}

function startPyroscope() {
  const intervalS = seconds('PYROSCOPE_UPLOAD_INTERVAL', undefined, 0.05, 3600);
  const rate = seconds('PYROSCOPE_SAMPLE_RATE', undefined, 1, 1000);
  if (debug) countUploads();
  const Pyroscope = require('@pyroscope/nodejs');
  const config = {
    serverAddress: process.env.PYROSCOPE_SERVER_ADDRESS || 'http://localhost:4040',
    appName: process.env.PYROSCOPE_APPLICATION_NAME || 'agentbench-nodejs-app',
  };
  if (rate !== undefined) config.wall = { samplingIntervalMicros: Math.round(1e6 / rate) };
  if (intervalS !== undefined) config.flushIntervalMs = Math.max(1, Math.round(intervalS * 1000));
  Pyroscope.init(config);
  Pyroscope.start();
  log(`@pyroscope/nodejs: profiling ${config.appName} every ` +
      `${intervalS === undefined ? "the agent's default" : intervalS + ' s'}`);
  return {
    name: 'pyroscope-nodejs',
    async stop() {
      const t0 = Date.now();
      log('stop: await Pyroscope.stop()');
      await Pyroscope.stop().catch((e) => log(`stop failed: ${e}`));
      log(`stop done after ${Date.now() - t0} ms`);
      logCounters();
    },
  };
}

function startDatadog() {
  if (!process.env.DD_TRACE_AGENT_URL && !process.env.DD_AGENT_HOST) {
    console.error('datadog-nodejs: DD_TRACE_AGENT_URL is not set (the runner sets it to the variant\'s ingester)');
    process.exit(2);
  }
  const tracer = require('dd-trace').init({ plugins: false });
  log(`dd-trace: profiling ${process.env.DD_SERVICE} to ${process.env.DD_TRACE_AGENT_URL} every ` +
      `${process.env.DD_PROFILING_UPLOAD_PERIOD ? process.env.DD_PROFILING_UPLOAD_PERIOD + ' s' : "the agent's default"}`);
  return {
    name: 'datadog-nodejs',
    tracer,
    async stop() {
      // dd-trace stops its profiler (and sends the last profile) in its beforeExit handler
      log('stop: left to dd-trace at exit');
    },
  };
}

const AGENTS = { 'pyroscope-nodejs': startPyroscope, nodejs: startPyroscope, 'datadog-nodejs': startDatadog };

// Starts the agent when profiling is enabled (returns a handle with stop()), else null.
function startProfiler() {
  if (process.env[ENABLE] === undefined) return null;
  const name = process.env.AGENTBENCH_PROFILER || 'pyroscope-nodejs';
  const start = AGENTS[name];
  if (!start) {
    console.error(`AGENTBENCH_PROFILER '${name}': not a Node.js profiler (pyroscope-nodejs, datadog-nodejs)`);
    process.exit(2);
  }
  return start();
}

// Stops the agent the way a program using it does (see the top of this file).
async function stopProfiler(agent) {
  if (agent !== null) await agent.stop();
}

// Runs `work` (an async function returning the checksum), profiled or not; prints the end
// of the work (`work_end: T`, CLOCK_MONOTONIC seconds: libuv's hrtime is that clock;
// agentbench's exit delay runs from it to the exit) and the checksum, last, then stops the
// agent and lets the program end. Writes to a file or a pipe are synchronous on Linux:
// both lines are out before the stop.
async function runBenchmark(work) {
  const agent = startProfiler();
  const checksum = await work();
  const ns = process.hrtime.bigint();
  const frac = String(ns % 1000000000n).padStart(9, '0');
  process.stdout.write(`work_end: ${ns / 1000000000n}.${frac}\nchecksum: ${checksum}\n`);
  await stopProfiler(agent);
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
