#!/bin/bash
# load-ceiling.sh (make -C runner bench): the load generator's own ceiling -- the requests/s
# `agentbench load --rate max` drives against nginx `return 200` -- beside wrk's with the
# same connections, from the same CPU, in the same invocation: BLOCKS alternating blocks
# (default 5) of SECS seconds each (default 2), CONNS connections (default 16), nginx on
# CPU 0 and the clients on CPU 1 (when there are two). Prints both tools' medians, the
# ratio (goal: >= 0.9, i.e. a service benchmark's throughput is the service's, not the
# generator's, whenever wrk would say so), each side's CPU use (which side saturates),
# and the open loop at 50% and 80% of that ceiling: the share of the rate delivered, and
# the latency percentiles from the intended send times (the generator's own lateness
# counts there: where it falls behind, the open-loop ceiling is below the closed one).
set -e
benchdir=$(cd "$(dirname "$0")" && pwd)
blocks=${BLOCKS:-5}
secs=${SECS:-2}
conns=${CONNS:-16}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is not installed (apt-get install nginx-light)"; exit 1; }
seq=load-ceiling
. "$benchdir/../../qa/common.sh"
. "$benchdir/../../qa/common.load"
read -r scpu ccpu <<<"$(_load_cpus)"
_nginx_start $scpu
pin=()
[ -n "$ccpu" ] && pin=(taskset -c "$ccpu")

# CPU seconds of nginx's worker so far (utime + stime from /proc)
nginx_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' /proc/$NGINX_WORKER/stat; }
# runs "$@" and appends "CPU_S WALL_S" of it (its wait4 rusage) to $tmp/cpu.$1
timed() {
    local tag=$1
    shift
    python3 -c '
import os, resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[2:], stdout=open(sys.argv[1] + ".out", "a"), check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.ru_utime + r.ru_stime, time.monotonic() - t)' "$tmp/$tag" "$@" >>"$tmp/cpu.$tag"
}

for b in $(seq "$blocks"); do
    n0=$(nginx_cpu)
    timed ours "${pin[@]}" "$AGENTBENCH" load --rate max --duration "$secs" --connections "$conns" --json "$NGINX_URL"
    n1=$(nginx_cpu)
    timed wrk "${pin[@]}" wrk -t1 -c"$conns" -d"${secs}s" "$NGINX_URL"
    n2=$(nginx_cpu)
    echo "$n0 $n1 $n2" >>"$tmp/nginx-cpu"
done
ceiling=$(jq -s 'map(.throughput_rps) | sort | .[length / 2 | floor]' "$tmp/ours.out")
for share in 0.5 0.8; do
    open_rate=$(awk -v c="$ceiling" -v s=$share 'BEGIN { printf "%d", c * s }')
    "${pin[@]}" "$AGENTBENCH" load --rate "$open_rate" --duration "$secs" --connections "$conns" --json \
        "$NGINX_URL" >>"$tmp/open.json"
done

python3 - "$tmp" "$blocks" "$secs" "$conns" <<'PY'
import json, re, statistics, sys
tmp, blocks, secs, conns = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ours = [json.loads(l)["throughput_rps"] for l in open(tmp + "/ours.out")]
wrk = [float(m) for m in re.findall(r"Requests/sec:\s+([0-9.]+)", open(tmp + "/wrk.out").read())]
cpu = {t: [tuple(map(float, l.split())) for l in open(tmp + "/cpu." + t)] for t in ("ours", "wrk")}
ngx = [tuple(map(float, l.split())) for l in open(tmp + "/nginx-cpu")]
def share(pairs):  # the client's CPU use: CPU seconds / wall seconds
    return statistics.median(c / w for c, w in pairs)
ngx_ours = statistics.median((b - a) / w for (a, b, _), (_, w) in zip(ngx, cpu["ours"]))
ngx_wrk = statistics.median((c - b) / w for (_, b, c), (_, w) in zip(ngx, cpu["wrk"]))
mo, mw = statistics.median(ours), statistics.median(wrk)
print("closed loop against nginx `return 200`, %d connections, %d alternating blocks of %g s" % (conns, blocks, secs))
print("  %-22s %12s %14s %14s" % ("", "median req/s", "client CPU", "nginx CPU"))
print("  %-22s %12.0f %13.0f%% %13.0f%%" % ("agentbench load", mo, 100 * share(cpu["ours"]), 100 * ngx_ours))
print("  %-22s %12.0f %13.0f%% %13.0f%%" % ("wrk -t1", mw, 100 * share(cpu["wrk"]), 100 * ngx_wrk))
print("  ratio agentbench/wrk: %.2f (blocks: %s)" % (mo / mw, " ".join("%.2f" % (a / b) for a, b in zip(ours, wrk))))
for line, share in zip(open(tmp + "/open.json"), ("50%", "80%")):
    o = json.loads(line)
    print("open loop at %s of that ceiling (%.0f req/s): sent %d of %d, answered in the window %.3f of the rate; "
          "from intended send times p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms"
          % (share, o["rate"], o["sent"], o["offered"], o["throughput_rps"] / o["rate"],
             o["latency_s"]["p50"] * 1e3, o["latency_s"]["p99"] * 1e3, o["latency_s"]["p99_9"] * 1e3))
PY
