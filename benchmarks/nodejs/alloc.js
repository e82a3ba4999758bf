// alloc.js: the alloc-nodejs-mem benchmark: allocation churn of mixed sizes (small objects,
// strings, arrays, Buffers up to 16 KiB) over a working set of SLOTS live values, so the
// garbage collector works hard. A fixed-seed generator makes the work and the checksum the
// same in every run. usage: node alloc.js [OPERATIONS]; yields every 10000 operations.
'use strict';
const { runBenchmark, yieldToEventLoop, intArg } = require('./profiling.js');

const SLOTS = 8000;
let state = 0x2545f491;
function nextRandom() {       // xorshift32
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state;
}

function makeValue(r) {
  const kind = r & 7;
  const size = r >>> 3;
  if (kind < 4) return { id: size & 0xffff, name: 'item' + (size & 0xff), tags: [kind, size & 15] };
  if (kind < 6) return new Array(16 + (size % 240)).fill(kind);
  if (kind < 7) return 'x'.repeat(32 + (size % 1000));
  const buf = Buffer.alloc(256 + (size % 16128));
  buf[0] = size & 0xff;
  buf[buf.length - 1] = kind;
  return buf;
}

function weigh(v) {
  if (v === undefined) return 0;
  if (Buffer.isBuffer(v)) return v.length + v[0] + v[v.length - 1];
  if (Array.isArray(v)) return v.length * (v[0] + 1);
  if (typeof v === 'string') return v.length;
  return v.id + v.tags[1];
}

if (process.argv[2] === '--help' || process.argv[2] === '-h') {
  console.log('usage: alloc.js [OPERATIONS]   allocation churn (default 1500000)');
  process.exit(0);
}
const operations = intArg(process.argv[2], 1500000, 'OPERATIONS');

runBenchmark(async () => {
  const slots = new Array(SLOTS);
  let sum = 0;
  for (let i = 0; i < operations; i++) {
    const r = nextRandom();
    const k = r % SLOTS;
    sum = (sum + weigh(slots[k])) % 1000000007;
    slots[k] = makeValue(nextRandom());
    if (i % 10000 === 9999) await yieldToEventLoop();
  }
  for (const v of slots) sum = (sum + weigh(v)) % 1000000007;
  console.log(`${operations} allocations of mixed sizes`);
  return sum;
});
