#!/bin/bash
# lib/bench/calibrate.sh: measures on this machine how often each analysis (unpaired:
# Mann-Whitney + Hodges-Lehmann; paired by round: Wilcoxon signed-rank + Walsh averages)
# claims a difference that is not there (A/A suites: benchmarks/testing/identical in the
# baseline and the fast variant, which does the same work) and how often it sees one
# that is (benchmarks/testing/slower: 3% more CPU work in the profiled variant; and the
# A/A suites with the fast variant's wall times multiplied by 1.03). Real suites, run by
# the runner, A/A and 3% alternating so both see the same machine. Not part of make check:
#   make -C lib calibrate [SUITES=100] [RUNS=10] [CAL_DIR=DIR]
#   lib/bench/calibrate.sh [SUITES [RUNS]]     (CAL_DIR: where the suites go; a new
#                                               temporary directory by default; suites
#                                               already there are evaluated too)
# Prints lib/bench/calibrate.c's table: per n (the first n rounds of each suite), the
# verdicts of each analysis and the rates with their 95% Clopper-Pearson intervals.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
suites=${1:-100}
runs=${2:-10}
out=${CAL_DIR:-$(mktemp -d /tmp/agentbench-calibrate.XXXXXX)}
runner=$top/runner/agentbench
for f in "$runner" "$top/lib/obj/calibrate" "$top/benchmarks/testing/testwork"; do
    [ -x "$f" ] || { echo "calibrate: $f is not built (make all; make -C lib obj/calibrate)" >&2; exit 1; }
done
mkdir -p "$out/aa" "$out/slower"
echo "calibrate: $suites A/A and $suites 3% suites of $runs rounds (--quick) into $out" >&2
for i in $(seq 1 "$suites"); do
    for kind in aa slower; do
        bench=$top/benchmarks/testing/identical
        [ "$kind" = slower ] && bench=$top/benchmarks/testing/slower
        "$runner" run --quick --quiet --warmup 1 --runs "$runs" --variants baseline,fast \
            --results "$out/$kind" "$bench" >/dev/null 2>"$out/last-error" \
            || { echo "calibrate: suite $i ($kind) failed:" >&2; cat "$out/last-error" >&2; }
    done
    [ $((i % 10)) -eq 0 ] && echo "calibrate: $i of $suites" >&2
done
"$top/lib/obj/calibrate" "$out/aa" "$out/slower"
