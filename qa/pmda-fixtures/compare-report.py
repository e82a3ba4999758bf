#!/usr/bin/python3
# qa/pmda-fixtures/compare-report.py: check that pmdaagentbench's values (as pminfo -f,
# pmrep :agentbench-overhead and pmproxy's /pmapi/fetch show them) are the numbers of
# `agentbench report --format json` for the same suite.
#   compare-report.py REPORT.json PMINFO.txt PMREP.txt PMPROXY.json
# Prints one line per check; exits 1 on any mismatch.
import json, re, sys

report = json.load(open(sys.argv[1]))
cells = {f"{c['benchmark']}/{c['variant']}": c for c in report["cells"]}
bad = 0

def close(a, b, rel, tol):
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), tol)

def check(what, got, want, rel=1e-9, tol=1e-12):
    global bad
    missing = sorted(set(want) ^ set(got))
    wrong = sorted(k for k in want if k in got and not close(got[k], want[k], rel, tol))
    if missing or wrong:
        bad += 1
        print(f"{what}: MISMATCH missing={missing} wrong="
              + ", ".join(f"{k}: {got[k]} != {want[k]}" for k in wrong))
    else:
        print(f"{what}: {len(want)} instances agree")

want = {
    "agentbench.run.median": {k: c["wall"]["median"] for k, c in cells.items() if c["n"]},
    "agentbench.run.ci_low": {k: c["wall"]["ci_low"] for k, c in cells.items() if c["n"]},
    "agentbench.run.ci_high": {k: c["wall"]["ci_high"] for k, c in cells.items() if c["n"]},
    "agentbench.run.count": {k: c["n"] for k, c in cells.items()},
    "agentbench.run.overhead": {k: c["overhead"]["wall"]["ratio"] for k, c in cells.items() if c.get("overhead")},
    "agentbench.run.pvalue": {k: c["overhead"]["wall"]["p"] for k, c in cells.items() if c.get("overhead")},
    "agentbench.run.cpu_overhead": {k: c["overhead"]["cpu"]["ratio"] for k, c in cells.items() if c.get("overhead")},
}

# pminfo -f
got, metric = {}, None
for line in open(sys.argv[2]):
    if line.startswith("agentbench."):
        metric = line.strip(); got[metric] = {}
    m = re.match(r'\s+inst \[\d+ or "(.*)"\] value (\S+)', line)
    if m and metric and not m.group(2).startswith('"'):   # string metrics aside
        got[metric][m.group(1)] = float(m.group(2))
for name, w in want.items():
    check("pminfo " + name, got.get(name, {}), w)

# pmrep :agentbench-overhead, one row per instance: n median ci_low ci_high overhead ...
# (then the service columns)
rows = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) >= 9 and "/" in f[0] and f[0] != "benchmark/variant":
        rows[f[0]] = f
def col(i):
    return {k: float(r[i]) for k, r in rows.items() if r[i] != "N/A"}
# pmrep prints 4 decimals: half a unit in the last place
check("pmrep median", col(2), want["agentbench.run.median"], 0, 0.51e-4)
check("pmrep overhead", col(5), want["agentbench.run.overhead"], 0, 0.51e-4)
check("pmrep p", col(8), want["agentbench.run.pvalue"], 0, 0.51e-4)

# pmproxy /pmapi/fetch?names=agentbench.run.median (instance ids -> names via pminfo ids)
ids = {}
for line in open(sys.argv[2]):
    m = re.match(r'\s+inst \[(\d+) or "(.*)"\]', line)
    if m:
        ids[int(m.group(1))] = m.group(2)
doc = json.load(open(sys.argv[4]))
vals = {ids[i["instance"]]: i["value"] for i in doc["values"][0]["instances"]}
check("pmproxy agentbench.run.median", vals, want["agentbench.run.median"])
sys.exit(1 if bad else 0)
