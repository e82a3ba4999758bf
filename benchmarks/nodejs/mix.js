// mix.js: the accuracy-nodejs-mix benchmark, the Node.js twin of accuracy-c-mix
// (../accuracy-c-mix/mix.c explains the construction): four functions get 50%, 30%, 15%
// and 5% of the CPU time, at four stack depths, by construction:
//   runRounds > workA                          50%
//   runRounds > viaB1 > workB                  30%
//   runRounds > viaC2 > viaC1 > workC          15%
//   runRounds > viaD3 > viaD2 > viaD1 > workD   5%
// A chunk is CHUNK_STEPS steps of one serial 32-bit chain (xor-shift, Math.imul), the same
// code in every work function; a round deals a deck of 20 chunks (10 A, 6 B, 3 C, 1 D),
// shuffled afresh each round by a fixed-seed generator, so the shares are the deck's and
// the checksum is the same in every run. The run script starts node with
// --no-turbo-inlining so that the optimiser keeps every function a frame of its own (for
// the agent and for perf alike). `node mix.js --check ROUNDS` times each chunk
// (process.hrtime) and prints each function's share: its chunks times its median chunk.
// usage: node mix.js [--check] [ROUNDS]   (default 2000); yields every 50 rounds.
'use strict';
const { runBenchmark, yieldToEventLoop, intArg } = require('./profiling.js');

const CHUNK_STEPS = 20000;
const NAMES = ['workA', 'workB', 'workC', 'workD'];
const DECK_COUNTS = [10, 6, 3, 1];

function workA(x) {
  for (let i = 0; i < CHUNK_STEPS; i++) { x ^= x >>> 15; x = Math.imul(x, 0x2c1b3c6d); }
  return x;
}
function workB(x) {
  for (let i = 0; i < CHUNK_STEPS; i++) { x ^= x >>> 15; x = Math.imul(x, 0x2c1b3c6d); }
  return x;
}
function workC(x) {
  for (let i = 0; i < CHUNK_STEPS; i++) { x ^= x >>> 15; x = Math.imul(x, 0x2c1b3c6d); }
  return x;
}
function workD(x) {
  for (let i = 0; i < CHUNK_STEPS; i++) { x ^= x >>> 15; x = Math.imul(x, 0x2c1b3c6d); }
  return x;
}
function viaB1(x) { return (workB(x) + 1) | 0; }
function viaC1(x) { return (workC(x) + 1) | 0; }
function viaC2(x) { return (viaC1(x) + 1) | 0; }
function viaD1(x) { return (workD(x) + 1) | 0; }
function viaD2(x) { return (viaD1(x) + 1) | 0; }
function viaD3(x) { return (viaD2(x) + 1) | 0; }

function chunk(card, x) {
  switch (card) {
    case 0: return workA(x);
    case 1: return viaB1(x);
    case 2: return viaC2(x);
    default: return viaD3(x);
  }
}

const deck = new Int32Array(20);
{
  let n = 0;
  DECK_COUNTS.forEach((count, card) => { for (let k = 0; k < count; k++) deck[n++] = card; });
}
let rng = 0x2545f491;
function nextRandom() {      // xorshift32
  rng ^= rng << 13; rng >>>= 0;
  rng ^= rng >>> 17;
  rng ^= rng << 5; rng >>>= 0;
  return rng;
}

// count rounds of the shuffled deck from x; times (--check): each card's chunk durations.
function runRounds(count, x, times) {
  for (let r = 0; r < count; r++) {
    for (let i = deck.length - 1; i > 0; i--) {
      const j = nextRandom() % (i + 1);
      const t = deck[i]; deck[i] = deck[j]; deck[j] = t;
    }
    for (let i = 0; i < deck.length; i++) {
      if (times === undefined) { x = chunk(deck[i], x); continue; }
      const t0 = process.hrtime.bigint();
      x = chunk(deck[i], x);
      times[deck[i]].push(Number(process.hrtime.bigint() - t0));
    }
  }
  return x;
}

const check = process.argv[2] === '--check';
if (!check && (process.argv[2] || '').startsWith('-')) {
  console.log('usage: mix.js [--check] [ROUNDS]   rounds of 20 chunks (default 2000): workA 50%,\n' +
              'workB 30%, workC 15%, workD 5% of the CPU time; --check measures the shares');
  process.exit(process.argv[2] === '--help' || process.argv[2] === '-h' ? 0 : 2);
}
const rounds = intArg(process.argv[check ? 3 : 2], 2000, 'ROUNDS');

if (check) {
  // Wall-clock chunk times (Node has no thread CPU clock) include preemptions by other
  // processes; the median chunk of each function does not: share = count x median.
  const times = [[], [], [], []];
  runRounds(rounds, 1, times);
  const median = (v) => { const s = v.slice().sort((a, b) => a - b); return s[s.length >> 1]; };
  const cost = times.map((v) => v.length * median(v));
  const total = cost.reduce((a, b) => a + b, 0);
  NAMES.forEach((name, k) => console.log(`${name} ${(100 * cost[k] / total).toFixed(3)}% ` +
                                         `(truth ${DECK_COUNTS[k] * 5}%)`));
} else {
  runBenchmark(async () => {
    let x = 1;
    for (let done = 0; done < rounds; done += 50) {
      x = runRounds(Math.min(50, rounds - done), x);
      await yieldToEventLoop();
    }
    console.log(`${rounds} rounds of 20 chunks`);
    return (x >>> 0).toString(16).padStart(8, '0');
  });
}
