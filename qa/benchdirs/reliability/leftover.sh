# qa/benchdirs/reliability/leftover.sh: the body of qa 362 (mode tree) and 366 (mode
# cgroup), sourced after common.sh and runner-common.sh with $mode set. The daemon
# benchmark starts `setsid sleep` and a background `sleep`, and exits; both must be gone
# when the run has ended, and run_end must say how many were found and how.
daemon=$benchdirs/reliability/daemon
cgroup2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
[ "$own" = / ] && own=
rm -rf $results $tmp/pids
if [ $mode = cgroup ]; then
    # the helper makes one where the runner is
    if [ -z "$cgroup2" ] || ! mkdir "$cgroup2$own/agentbench-qa-$seq.$$" 2>/dev/null; then
        _notrun "no cgroup v2 can be made here (qa 362 tests the fallback)"
    fi
    rmdir "$cgroup2$own/agentbench-qa-$seq.$$"
    unset AGENTBENCH_NO_CGROUP
else
    export AGENTBENCH_NO_CGROUP=1
fi
echo "== $mode"
DAEMON_PIDS=$tmp/pids "$AGENTBENCH" run --results $results --variants baseline --runs 2 \
    --warmup 0 $daemon >$tmp/out 2>$tmp/err
echo "exit $?"
alive=0
for p in $(cat $tmp/pids); do kill -0 $p 2>/dev/null && alive=$((alive + 1)) && kill $p; done
echo "left running after the suite: $alive of $(wc -l <$tmp/pids)"
_events run_end | jq -r '"\(.status) leftover=\(.leftover) \(.warnings | length) warning"'
# (the names: what each process was when it was killed, "sleep[PID]" or, caught
# before its exec, the shell's name)
_events run_end | jq -r '.warnings[0]' | sed -E 's/\): .*/): NAMES/'
grep -o 'WARNING: baseline: .*' $tmp/out | sed -E 's/\): .*/): NAMES/'
grep -c 'outlived the run' $tmp/err
# the run cgroups of this suite's helper (gone now) are removed
if [ $mode = cgroup ]; then
    stale=0
    for d in "$cgroup2$own"/agentbench-run.*; do
        [ -d "$d" ] || continue
        p=$(basename "$d" | cut -d. -f2)
        kill -0 "$p" 2>/dev/null || stale=$((stale + 1))
    done
    echo "run cgroups of ended helpers left: $stale"
fi
