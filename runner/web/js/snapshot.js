// snapshot.js: one poll's values, by metric name and instance name, built from a
// /pmapi/fetch answer and the instance names of /pmapi/indom. Views read snapshots only.

export class Snapshot {
  constructor(time, byName) {
    this.time = time;       // pmcd's timestamp, seconds since 1970
    this.byName = byName;   // name -> Map(instance name ('' when singular) -> value)
  }
  has(name) { return this.byName.has(name); }
  get(name, inst = '') {
    const m = this.byName.get(name);
    const v = m ? m.get(inst) : undefined;
    return v === undefined ? null : v;
  }
  instances(name) {
    const m = this.byName.get(name);
    return m ? [...m.keys()] : [];
  }
}

// Turn a fetch answer into a Snapshot. descs: name -> /pmapi/metric entry (for indoms);
// indomNames(indom) -> Map(id -> name) or undefined. Returns {snapshot, missing} where
// missing lists indoms with instance ids not known yet.
export function toSnapshot(answer, descs, indomNames) {
  const byName = new Map();
  const missing = new Set();
  for (const v of answer.values || []) {
    const desc = descs.get(v.name);
    const names = desc && desc.indom ? indomNames(desc.indom) : undefined;
    const m = new Map();
    for (const i of v.instances || []) {
      if (i.instance === null || i.instance === undefined || i.instance === -1) {
        m.set('', i.value);
      } else {
        const n = names && names.get(i.instance);
        if (n === undefined) missing.add(desc ? desc.indom : v.name);
        else m.set(n, i.value);
      }
    }
    byName.set(v.name, m);
  }
  return { snapshot: new Snapshot(answer.timestamp, byName), missing };
}
