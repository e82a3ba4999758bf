// test_stacks.mjs: the web view's stack parsing (runner/web/js/stacks.js), under node:
// instance names of the stacks metrics into frame trees, the "other" instance, the
// per-variant prefix, and the differential tree. Prints "ok N - what" lines (TAP).
import { framesOf, splitProfileInstance, buildTree, diffTree, frameNames, OTHER }
  from '../../../runner/web/js/stacks.js';

let n = 0, failed = 0;
function check(cond, what) {
  n++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  if (!cond) failed++;
}
const near = (a, b) => Math.abs(a - b) < 1e-12;
const child = (t, ...path) => path.reduce((node, name) => node && node.children.find((c) => c.name === name), t);

check(JSON.stringify(framesOf('leaf\nmid\nroot')) === '["root","mid","leaf"]', 'frames are leaf first: reversed to root first');
check(JSON.stringify(framesOf('\n\tleaf+0x1f\n\tmain+12\n\t_start\n')) === '["_start","main","leaf"]',
  'bpftrace ustack layout: tabs, empty lines and offsets dropped');
check(JSON.stringify(framesOf('operator+\nx+y')) === '["x+y","operator+"]', 'a + that is not an offset stays');

const t = buildTree([
  { stack: 'hot\nmain\nprog', count: 60 },
  { stack: 'cold\nmain\nprog', count: 30 },
  { stack: 'hot\nmain\nprog', count: 5 },
  { stack: OTHER, count: 5 },
  { stack: 'zero\nprog', count: 0 },
  { stack: 'bad\nprog', count: null },
]);
check(t.name === 'all' && t.value === 100, 'root "all" holds every sample');
check(child(t, 'prog').value === 95 && child(t, 'prog', 'main').value === 95, 'inclusive values');
check(child(t, 'prog', 'main', 'hot').value === 65, 'identical stacks are summed');
check(child(t, OTHER).value === 5 && child(t, OTHER).children.length === 0, '"other" is one frame under the root');
check(!child(t, 'prog', 'zero') && !child(t, 'prog', 'bad'), 'stacks without samples are left out');
check(frameNames(t).has('hot') && frameNames(t).size === 6, 'frame names');

const p = splitProfileInstance('fib-c/fast/perf,\n    hot\n    main\n');
check(p && p.key === 'fib-c/fast' && p.benchmark === 'fib-c' && p.variant === 'fast' && p.source === 'perf' &&
  JSON.stringify(framesOf(p.stack)) === '["main","hot"]',
  'profile instance: benchmark/variant/source, a comma, then the stack (pmdaagentbench\'s form)');
check(splitProfileInstance('a/b/c/fast/agent.wall,\n    x\n').benchmark === 'a/b/c' &&
  splitProfileInstance('a/b/c/fast/agent.wall,\n    x\n').source === 'agent.wall', 'variant and source are the last two parts');
check(splitProfileInstance('fib/fast/perf,other').stack === OTHER, 'a group\'s other instance');
check(splitProfileInstance('no-prefix') === null && splitProfileInstance(',\nx') === null &&
  splitProfileInstance('fib/fast,\nx') === null, 'names without a benchmark/variant/source prefix');

const base = buildTree([{ stack: 'work\nmain', count: 90 }, { stack: 'gc\nmain', count: 10 }]);
const prof = buildTree([{ stack: 'work\nmain', count: 150 }, { stack: 'agent\nmain', count: 50 }]);
const d = diffTree(prof, base);
check(d.value === 200 && near(d.share, 1) && near(d.baseShare, 1) && near(d.delta, 0), 'root: no change');
const w = child(d, 'main', 'work'), a = child(d, 'main', 'agent');
check(near(w.share, 0.75) && near(w.baseShare, 0.9) && near(w.delta, -30), 'a frame with a smaller share: negative delta');
check(near(a.share, 0.25) && a.baseShare === 0 && a.delta === a.value, 'a frame only in the profiled run: delta is exactly its samples');
const odd = diffTree(buildTree([{ stack: 'x\nmain', count: 3 }, { stack: 'y\nmain', count: 4 }]), buildTree([{ stack: 'y\nmain', count: 1 }]));
check(child(odd, 'main', 'x').delta === 3, 'exact even where share x total is not (3/7 x 7)');
check(!child(d, 'main', 'gc'), 'frames only in the baseline are not drawn');
check(w.value === 150, 'widths are the profiled run\'s');

console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
