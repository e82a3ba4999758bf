#!/bin/bash
# true-overhead.sh (make -C runner bench): the runner's own per-run overhead and spread,
# measured on /bin/true beside `hyperfine -N` on the same command, in the same invocation:
# RUNS runs each (default 1000), in BLOCKS alternating blocks (default 5) so that a change
# of load on a shared host hits both tools alike. Prints both, and the ratios (goal: no
# worse than hyperfine).
#   - measured: the figure each tool reports for /bin/true (mean +- sd, median) -- what
#     measuring adds to a run's own figure;
#   - per run: each block's elapsed time divided by its runs -- the tool's whole cost per
#     run (spawning, measuring; for agentbench also its own start, ~20 ms per block, and
#     the journal: one fsync per run, of run_end).
set -e
here=$(cd "$(dirname "$0")" && pwd)
ab=$here/../agentbench
runs=${RUNS:-1000}
blocks=${BLOCKS:-5}
per=$((runs / blocks))
tmp=$(mktemp -d /tmp/agentbench-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)"; exit 1; }

now() { date +%s.%N; }
: >"$tmp/elapsed"
for b in $(seq "$blocks"); do
    t0=$(now)
    "$ab" run --quiet --results "$tmp/results-$b" --variants baseline --runs "$per" --warmup 0 \
        --cpu-bench none "$here/true" >/dev/null
    t1=$(now)
    hyperfine -N --runs "$per" --warmup 0 --export-json "$tmp/hf-$b.json" /bin/true >/dev/null 2>&1
    t2=$(now)
    echo "$t0 $t1 $t2" >>"$tmp/elapsed"
done

python3 - "$tmp" "$blocks" "$per" <<'PY'
import glob, json, statistics, sys
tmp, blocks, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ab = []
for j in glob.glob(tmp + "/results-*/latest/journal.jsonl"):
    for line in open(j):
        e = json.loads(line)
        if e.get("type") == "run_end" and not e.get("warmup") and e.get("status") == "ok":
            ab.append(e["wall_s"])
hf = []
for j in glob.glob(tmp + "/hf-*.json"):
    hf += json.load(open(j))["results"][0]["times"]
ab_el = hf_el = 0.0
for line in open(tmp + "/elapsed"):
    t0, t1, t2 = map(float, line.split())
    ab_el += t1 - t0
    hf_el += t2 - t1
n = blocks * per
ms = lambda s: "%.3f ms" % (s * 1e3)
def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]
def row(name, v, el):
    return "  %-16s %-26s %-12s %-12s %-12s %s" % (
        name, ms(statistics.mean(v)) + " +- " + ms(statistics.stdev(v)), ms(statistics.median(v)),
        ms(pct(v, 0.9)), ms(pct(v, 0.99)), ms(el / n))
print("/bin/true, %d runs each in %d alternating blocks" % (n, blocks))
print("  %-16s %-26s %-12s %-12s %-12s %s" % ("", "measured mean +- sd", "median", "p90", "p99",
                                             "elapsed per run"))
print(row("agentbench run", ab, ab_el))
print(row("hyperfine -N", hf, hf_el))
print("  ratio agentbench/hyperfine: measured mean %.2f, sd %.2f, median %.2f, p90 %.2f; "
      "elapsed per run %.2f"
      % (statistics.mean(ab) / statistics.mean(hf), statistics.stdev(ab) / statistics.stdev(hf),
         statistics.median(ab) / statistics.median(hf), pct(ab, 0.9) / pct(hf, 0.9), ab_el / hf_el))
PY
