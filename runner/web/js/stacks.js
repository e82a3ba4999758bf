// stacks.js: how the PMDA spells a stack as an instance name, and the frame trees the
// flame graphs draw. The page's one home for that contract: if the PMDA's form changes,
// this file changes (usually one constant), nothing else.
//
// agentbench.flamegraph.stacks: one instance per stack, the name the stack's frames
// separated by newlines, leaf first (the form of pmdabpftrace's ustack maps, which
// grafana-pcp's flame-graph transform reads), the value its sample count; one instance
// named "other" holds the samples of the stacks left out.
// agentbench.profile.stacks: the same, per benchmark, variant and source (perf: the run
// `agentbench run --flamegraph` captured; agent or agent.X: what the variant's agent
// delivered): the instance name is "benchmark/variant/source", PROFILE_SEPARATOR, then the
// stack (or "other"), as bpftrace names @[key, ustack] keys (pmdaagentbench(1)).
// Trees are d3-flame-graph's input: {name, value, children[]}, root "all", children
// merged by name, value = inclusive samples.

export const FRAME_SEPARATOR = '\n';
export const LEAF_FIRST = true;
export const OTHER = 'other';
export const PROFILE_SEPARATOR = ',';

// Frames of one stack instance name, root first. Lines are trimmed, empty ones dropped,
// an offset suffix ("+0x1f", bpftrace's "+123") removed.
export function framesOf(stack) {
  const frames = String(stack)
    .split(FRAME_SEPARATOR)
    .map((f) => f.trim().replace(/\+(0x[0-9a-fA-F]+|\d+)$/, ''))
    .filter((f) => f !== '');
  return LEAF_FIRST ? frames.reverse() : frames;
}

// "benchmark/variant/source<sep>stack" -> {key: "benchmark/variant", benchmark, variant,
// source, stack}; null when the name has no such prefix.
export function splitProfileInstance(name) {
  const i = String(name).indexOf(PROFILE_SEPARATOR);
  if (i <= 0) return null;
  const group = name.slice(0, i);
  const s2 = group.lastIndexOf('/'), s1 = s2 > 0 ? group.lastIndexOf('/', s2 - 1) : -1;
  if (s1 <= 0) return null;
  return { key: group.slice(0, s2), benchmark: group.slice(0, s1), variant: group.slice(s1 + 1, s2),
           source: group.slice(s2 + 1), stack: name.slice(i + 1) };
}

// [{stack, count}] -> tree. The "other" instance becomes one frame named "other".
export function buildTree(entries) {
  const root = { name: 'all', value: 0, children: [] };
  for (const { stack, count } of entries) {
    const n = Number(count);
    if (!(n > 0)) continue;
    const frames = stack === OTHER ? [OTHER] : framesOf(stack);
    root.value += n;
    let node = root;
    for (const f of frames) {
      let child = node.children.find((c) => c.name === f);
      if (!child) {
        child = { name: f, value: 0, children: [] };
        node.children.push(child);
      }
      child.value += n;
      node = child;
    }
  }
  return root;
}

// Differential tree: the profiled tree's shape and widths, each node with
//   share / baseShare  its samples as a fraction of its tree's total (0 when absent)
//   delta              (share - baseShare) x the profiled total: the samples it gained,
//                      d3-flame-graph's differential colouring (red more, blue less)
// Frames only in the baseline are not drawn (their share is in their parents' baseShare).
export function diffTree(profiled, baseline) {
  const total = profiled.value || 1, baseTotal = baseline.value || 1;
  function walk(node, base) {
    const share = node.value / total;
    const baseShare = base ? base.value / baseTotal : 0;
    return {
      name: node.name,
      value: node.value,
      share,
      baseShare,
      // exactly its value when absent from the baseline (d3-flame-graph's "new frame")
      delta: base ? (share - baseShare) * total : node.value,
      children: node.children.map((c) =>
        walk(c, base ? base.children.find((b) => b.name === c.name) : null)),
    };
  }
  return walk(profiled, baseline);
}

// Every frame name in a tree (for tests and search).
export function frameNames(tree, out = new Set()) {
  out.add(tree.name);
  for (const c of tree.children) frameNames(c, out);
  return out;
}
