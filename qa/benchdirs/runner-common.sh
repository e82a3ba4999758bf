# qa/benchdirs/runner-common.sh: helpers for the runner's qa tests (310-399); source it
# after common.sh.
benchdirs=$here/benchdirs
testing=$top/benchmarks/testing
results=$tmp/results
journal=$results/latest/journal.jsonl

_need_agentbench() {
    [ -x "$AGENTBENCH" ] && [ -x "$top/runner/agentbench-measure" ] || _notrun "runner not built"
    command -v jq >/dev/null || _notrun "jq is not installed"
}
_need_testwork() {
    [ -x "$testing/testwork" ] || "$testing/burn/build" >/dev/null 2>&1
    [ -x "$testing/testwork" ] || _notrun "benchmarks/testing/testwork not built"
}
_need_ingester() {
    [ -x "$INGESTER" ] || _notrun "ingester not built"
}
# Every process _ab_run starts (the runner, its runs, their children, load generators)
# inherits this test's mark in its environment: _marked_procs lists the command lines of
# those still alive, so a test asks about its own leftovers, not another test's on the
# same machine. (Only _ab_run's command gets the mark: the test's own processes, the
# grep reading _marked_procs among them, do not carry it.)
qa_mark="$seq.$$"
_marked_procs() {
    local f
    for f in $(grep -lzx "AGENTBENCH_QA_MARK=$qa_mark" /proc/[0-9]*/environ 2>/dev/null); do
        tr '\0' ' ' <"${f%/environ}/cmdline" 2>/dev/null && echo
    done
}
# agentbench run with the results under $tmp
_ab_run() {
    AGENTBENCH_QA_MARK=$qa_mark "$AGENTBENCH" run --results "$results" "$@"
}
# the journal's events of one type, compact, one a line
_events() {
    jq -c "select(.type == \"$1\")" "$journal"
}
# numbers -> N, runs of blanks squeezed: for golden report tables; the noise warnings
# (lower-case "warning:": CoV, drift, steal, migrations) depend on the machine's load and go
_filter_numbers() {
    sed -E -e '/^ *warning: /d' -e "s|$tmp|TMP|g" -e 's/[0-9]{8}-[0-9]{6}-[0-9a-f]{4}/SUITE/g' \
        -e "s/ on $(hostname):/ on HOST:/" -e 's/95% CI/95pct CI/g' \
        -e 's/[-+]?[0-9]+(\.[0-9]+)?%/PCT/g' \
        -e 's/[0-9]+(\.[0-9]+)? (ms|s|µs)\b/TIME/g' -e 's/[0-9]+(\.[0-9]+)? (KiB|MiB|GiB)\b/SIZE/g' \
        -e 's/[-+]?[0-9]+(\.[0-9]+)?/N/g' -e 's/ +/ /g' -e 's/ $//'
}
