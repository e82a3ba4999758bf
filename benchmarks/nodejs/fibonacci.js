// fibonacci.js: the fibonacci-nodejs-cpu benchmark: recursive Fibonacci, CPU bound.
// usage: node fibonacci.js [N [REPEATS]]  computes fib(N) REPEATS times, yielding to the
// event loop between repeats (so the profiler's flush timer can fire).
'use strict';
const { runBenchmark, yieldToEventLoop, intArg } = require('./profiling.js');

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  console.log('usage: fibonacci.js [N [REPEATS]]   fib(N) REPEATS times (default 30 100)');
  process.exit(0);
}
const n = intArg(process.argv[2], 30, 'N');
const repeats = intArg(process.argv[3], 100, 'REPEATS');

runBenchmark(async () => {
  let sum = 0;
  for (let i = 0; i < repeats; i++) {
    sum += fib(n);
    await yieldToEventLoop();
  }
  console.log(`${repeats} x fib(${n})`);
  return sum;
});
