#!/usr/bin/python3
# genjournal.py: write a suite journal with BENCHMARKS x 4 variants (baseline, fast, slow,
# down), RUNS measured runs each, and baseline figures: the load for `make -C pmda bench`.
#   genjournal.py OUT BENCHMARKS RUNS
import json, random, sys

out, nbench, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
variants = ["baseline", "fast", "slow", "down"]
rng = random.Random(1)
t = 1763895662.0
lines = []
def ev(event, **kw):
    global t
    t += 0.01
    d = {"v": 1, "type": event, "t": round(t, 3)}
    d.update(kw)
    lines.append(json.dumps(d, separators=(",", ":")))
benches = [f"bench{i:03d}" for i in range(nbench)]
total = nbench * len(variants) * runs
ev("suite_start", suite="20261123-000000-beef", host="bench", seed=1, order="shuffled",
   benchmarks=benches, variants=variants, warmup=0, runs=runs, min_runs=runs,
   max_runs=runs, target_ci=0, total_runs=total, slow_delay=2, timeout=60, argv=["bench"])
for k, n in (("cpu", "int_single_mops"), ("memory", "triad_mb_s"), ("disk", "seq_read_mb_s")):
    ev("baseline", kind=k, name=n, value=rng.uniform(1000, 9000), unit="x", detail={})
done = seq = 0
for r in range(runs):
    for b in benches:
        for i, v in enumerate(variants):
            seq += 1
            wall = 1.0 + 0.05 * i + rng.gauss(0, 0.01)
            done += 1
            ev("run_end", benchmark=b, variant=v, run=r + 1, seq=seq, warmup=False,
               status="ok", exit_code=0, signal=0, wall_s=wall, user_s=wall * 0.9,
               sys_s=wall * 0.05, maxrss_kb=10000 + i, nvcsw=1, nivcsw=1, minflt=1,
               majflt=0, checksum="1", profiles=0 if v == "baseline" else 2,
               samples=0 if v == "baseline" else 200, done=done, total=total,
               eta_s=(total - done) * 1.0, steal_pct=0)
open(out, "w").write("\n".join(lines) + "\n")
