# qa/common.sh: sourced by every qa test. Paths to the built tree, temporary
# files removed at exit, helpers for filtering output and for skipping a test.
#
# A test starts with:   . ./common.sh
# and may use:
#   $here $top          the qa directory and the tree's top
#   $tmp                a private prefix for temporary files (removed at exit)
#   $INGESTER $AGENTBENCH $PMDA   the built binaries
#   _notrun "why"       skip this test (not a pass, not a failure)
#   _fail "why"         print and exit 1
#   _cleanup_add CMD    run CMD at exit (before $tmp is removed)
#   _free_port          print a free TCP port on 127.0.0.1
#   _wait_for_url URL [SECS]   wait until curl gets any HTTP answer
#   _filter_times       replace durations / timestamps with placeholders
#   _exclusive          wait for, then hold until exit, the machine-wide qa lock: for tests
#                       that use the machine's pmcd, pmproxy, pmlogger, Redis or a
#                       system-wide perf capture, so two checkouts' qa runs never share them

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
seq=${seq:-$(basename "$0")}
tmp=$(mktemp -d "/tmp/agentbench-qa-$seq.XXXXXX")
INGESTER=$top/ingester/agentbench-ingester
AGENTBENCH=$top/runner/agentbench
PMDA=$top/pmda/pmdaagentbench
export LC_ALL=C
export PATH="$top/runner:$top/ingester:$PATH"

_cleanup_cmds=()
_cleanup_add() { _cleanup_cmds+=("$*"); }
_cleanup() {
    local i
    for ((i = ${#_cleanup_cmds[@]} - 1; i >= 0; i--)); do eval "${_cleanup_cmds[$i]}" >/dev/null 2>&1; done
    rm -rf "$tmp"
}
trap _cleanup EXIT

_notrun() { echo "$*" >"$here/$seq.notrun"; exit 0; }
_fail() { echo "FAIL: $*"; exit 1; }

_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

_wait_for_url() {
    local url=$1 secs=${2:-10} i
    for ((i = 0; i < secs * 20; i++)); do
        curl -s -o /dev/null --max-time 1 "$url" && return 0
        sleep 0.05
    done
    echo "timed out waiting for $url"
    return 1
}

_filter_times() {
    sed -E -e 's/[0-9]+(\.[0-9]+)?(ns|us|µs|ms|s)\b/TIME/g' \
           -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?/DATE/g'
}

# The lock is held by a background flock(1) process (-o: the command it runs does not
# inherit the lock's descriptor), never by the test's shell: a daemon the test starts
# (pmcd, pmproxy, pmlogger, redis from their init scripts) must not inherit the lock and
# hold it forever.
_exclusive() {
    [ -n "${_exclusive_pid:-}" ] && return 0
    local state=$tmp/.exclusive i
    flock -o -w 900 /tmp/agentbench-qa-exclusive.lock sh -c 'echo held; exec sleep 3600' \
        >"$state" 2>/dev/null </dev/null &
    _exclusive_pid=$!
    _cleanup_add "pkill -P $_exclusive_pid; kill $_exclusive_pid"
    for ((i = 0; i < 9000; i++)); do
        [ -s "$state" ] && return 0
        kill -0 "$_exclusive_pid" 2>/dev/null || break
        sleep 0.1
    done
    _fail "waited 900 s for /tmp/agentbench-qa-exclusive.lock"
}

# Start the machine's pmcd (and pmproxy) from their init scripts if not running.
_need_pmcd() {
    _exclusive
    command -v pminfo >/dev/null || _notrun "PCP is not installed"
    pminfo -f pmcd.version >/dev/null 2>&1 || /etc/init.d/pmcd start >/dev/null 2>&1
    pminfo -f pmcd.version >/dev/null 2>&1 || _fail "pmcd does not start"
}
_need_pmproxy() {
    _need_pmcd
    curl -s -o /dev/null --max-time 2 http://localhost:44323/pmapi/context || /etc/init.d/pmproxy start >/dev/null 2>&1
    _wait_for_url http://localhost:44323/pmapi/context 15 >/dev/null || _fail "pmproxy does not answer on 44323"
}
