#!/usr/bin/python3
# genjournal.py: writes a suite journal of synthetic runs, line for line in the form the
# runner writes (compact JSON, the fields of lib/events.h in order), for `make bench`
# (runner/bench/report-scale.sh) and the statistics' qa tests (380-389). Deterministic for a
# given --seed.
#
#   genjournal.py OUT [--benchmarks N] [--variants N] [--runs N] [--order shuffled|blocked]
#                     [--effect F] [--cov F] [--round-cov F] [--drift F] [--steal PCT]
#                     [--migrations N] [--seed N] [--running] [--wall S]
#
# Variants are baseline, v1, v2...; v1's wall time is (1 + effect) times the baseline's
# (the others 1 + effect * k / 2), each run's is multiplied by a log-normal factor of
# sigma --cov (its own noise) and by one of sigma --round-cov shared by the runs of a
# round (the machine's state: what the paired analysis removes), and by 1 + drift * r /
# runs (a trend across the suite). --running leaves out suite_end (an interim suite).
import argparse
import json
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--benchmarks", type=int, default=1)
    ap.add_argument("--variants", type=int, default=2)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--order", default="shuffled")
    ap.add_argument("--effect", type=float, default=0.0)
    ap.add_argument("--cov", type=float, default=0.01)
    ap.add_argument("--round-cov", type=float, default=0.0)
    ap.add_argument("--drift", type=float, default=0.0)
    ap.add_argument("--steal", type=float, default=0.0)
    ap.add_argument("--migrations", type=int, default=-1)
    ap.add_argument("--wall", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--running", action="store_true")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    variants = ["baseline"] + ["v%d" % i for i in range(1, a.variants)]
    benches = ["bench%04d" % i for i in range(a.benchmarks)]
    total = len(benches) * len(variants) * a.runs
    t = [1795400000.0]
    out = open(a.out, "w")

    def ev(fields):
        t[0] += 0.25
        line = {"v": 1, "type": fields.pop("type"), "t": round(t[0], 3)}
        line.update(fields)
        out.write(json.dumps(line, separators=(",", ":")) + "\n")

    ev({"type": "suite_start", "suite": "20261201-100000-%04x" % (a.seed & 0xffff),
        "host": "genhost", "seed": a.seed, "order": a.order, "benchmarks": benches,
        "variants": variants, "warmup": 0, "runs": a.runs, "min_runs": a.runs,
        "max_runs": a.runs, "target_ci": 0, "total_runs": total, "slow_delay": 1,
        "timeout": 60, "argv": ["genjournal"]})
    done = seq = 0

    def run(b, v, r, round_factor):
        nonlocal done, seq
        seq += 1
        ev({"type": "run_start", "benchmark": b, "variant": v, "run": r, "seq": seq,
            "warmup": False, "done": done, "total": total})
        done += 1
        k = variants.index(v)
        effect = 1 + (a.effect if k == 1 else a.effect * k / 2 if k else 0)
        trend = 1 + a.drift * r / a.runs
        wall = a.wall * effect * round_factor * trend * rng.lognormvariate(0, a.cov)
        e = {"type": "run_end", "benchmark": b, "variant": v, "run": r, "seq": seq,
             "warmup": False, "status": "ok", "exit_code": 0, "signal": 0,
             "wall_s": round(wall, 9), "user_s": round(wall * 0.9, 6),
             "sys_s": round(wall * 0.05, 6), "maxrss_kb": 10000 + 500 * (k > 0) + rng.randrange(16),
             "nvcsw": rng.randrange(10), "nivcsw": rng.randrange(50), "minflt": 1000 + rng.randrange(100),
             "majflt": 0, "profiles": 2 if k else 0, "samples": 200 if k else 0, "done": done,
             "total": total, "eta_s": round((total - done) * 0.5, 3),
             "steal_pct": round(a.steal * rng.random(), 4), "checksum": "12345"}
        if a.migrations >= 0:
            e["migrations"] = rng.randrange(a.migrations + 1)
        ev(e)

    for b in benches:
        if a.order == "shuffled":
            for r in range(1, a.runs + 1):
                round_factor = rng.lognormvariate(0, a.round_cov) if a.round_cov else 1
                order = variants[:]
                rng.shuffle(order)
                for v in order:
                    run(b, v, r, round_factor)
        else:
            for v in variants:
                for r in range(1, a.runs + 1):
                    run(b, v, r, rng.lognormvariate(0, a.round_cov) if a.round_cov else 1)
    if not a.running:
        ev({"type": "suite_end", "status": "done", "done": done, "failed": 0, "total": total,
            "seconds": round(t[0] - 1795400000.0, 3)})
    out.close()


if __name__ == "__main__":
    main()
