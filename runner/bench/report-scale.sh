#!/bin/bash
# report-scale.sh (make -C runner bench): `agentbench report --format json` (every
# statistic: summaries, paired comparisons, noise, Holm, verdicts) against a reference in
# the same invocation, report-ref.py (Python's json and numpy's median per cell: the least
# a report does), on generated journals (lib/bench/genjournal.py, the runner's line form)
# of 1k, 10k, 100k and 1M runs (one benchmark, two variants: the biggest cells) and a wide
# suite (2500 benchmarks x 4 variants x 10 runs). Each is measured REPS times (default 3),
# alternating, and the medians of elapsed time and max RSS are printed with the ratios.
# Goals (issue 13): at 1M runs, time <= 0.5 x the reference's and max RSS <= 64 MB, with
# every statistic present (checked in the JSON). SIZES="1000 10000" limits the sizes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ab=$top/runner/agentbench
gen=$top/lib/bench/genjournal.py
reps=${REPS:-3}
sizes=${SIZES:-"1000 10000 100000 1000000 wide"}
tmp=$(mktemp -d /tmp/agentbench-report-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "report-scale: needs python3-numpy"; exit 1; }

# "seconds kib" of one command (GNU time), its output discarded
measure() { /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >"$tmp/out" 2>/dev/null; cat "$tmp/t"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf "%-28s %10s %10s %8s %10s %10s %8s  %s\n" "journal" "report s" "ref s" "ratio" \
    "report MB" "ref MB" "ratio" "every statistic"
fail=0
for size in $sizes; do
    j=$tmp/journal.jsonl
    if [ "$size" = wide ]; then
        /usr/bin/python3 "$gen" "$j" --benchmarks 2500 --variants 4 --runs 10 --effect 0.02 \
            --round-cov 0.02 --migrations 5 --steal 0.5 --seed 2500
        name="2500 x 4 x 10 (100k runs)"
    else
        /usr/bin/python3 "$gen" "$j" --runs $((size / 2)) --effect 0.03 --round-cov 0.02 \
            --migrations 5 --steal 0.5 --seed "$size"
        name="$size runs (1 x 2)"
    fi
    : >"$tmp/ab"; : >"$tmp/ref"
    for r in $(seq "$reps"); do
        measure "$ab" report --format json "$j" >>"$tmp/ab"
        cp "$tmp/out" "$tmp/report.json"
        measure /usr/bin/python3 "$here/report-ref.py" "$j" >>"$tmp/ref"
    done
    at=$(cut -d' ' -f1 "$tmp/ab" | median); am=$(cut -d' ' -f2 "$tmp/ab" | median)
    rt=$(cut -d' ' -f1 "$tmp/ref" | median); rm=$(cut -d' ' -f2 "$tmp/ref" | median)
    # every profiled cell has its overhead (paired), every cell its summaries and noise
    present=$(jq -r '[.cells[] | (.wall.n > 0 and .cpu.n > 0 and .rss.n > 0 and .steal_pct != null
                      and .drift != null) and (.variant == "baseline" or (.overhead.wall.ratio > 0
                      and .overhead.cpu.ratio > 0 and .overhead.rss.ratio > 0 and .verdict != "n/a"))]
                     | if all then "yes" else "NO" end' "$tmp/report.json")
    tr=$(awk -v a="$at" -v b="$rt" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
    mr=$(awk -v a="$am" -v b="$rm" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
    printf "%-28s %10.3f %10.3f %8s %10.1f %10.1f %8s  %s\n" "$name" "$at" "$rt" "$tr" \
        "$(awk -v k="$am" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rm" 'BEGIN { print k / 1024 }')" \
        "$mr" "$present"
    if [ "$size" = 1000000 ]; then
        goal=$(awk -v t="$tr" -v m="$am" 'BEGIN { print (t <= 0.5 && m <= 64 * 1024) ? "met" : "MISSED" }')
        [ "$present" = yes ] || goal=MISSED
        echo "  goal at 1M runs (time <= 0.5 x reference, max RSS <= 64 MB, every statistic): $goal"
        [ "$goal" = met ] || fail=1
    fi
    rm -f "$j"
done
exit $fail
