#!/usr/bin/python3
# grow.py: makes a suite journal grow while `make -C pmda bench` fetches (run-bench): the
# runs of genjournal.py's suite go on, one round of every benchmark x variant after
# another, RATE run_end events a second (each after its run_start, as the runner writes
# them, one line and one flush each), until killed.
#   grow.py JOURNAL BENCHMARKS RATE
import json, random, sys, time

path, nbench, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
variants = ["baseline", "fast", "slow", "down"]
rng = random.Random(2)
out = open(path, "a")
t, seq, run = time.time(), 10 ** 6, 10 ** 4
pause = 1.0 / rate
while True:
    run += 1
    for b in range(nbench):
        for i, v in enumerate(variants):
            seq += 1
            common = {"benchmark": "bench%03d" % b, "variant": v, "run": run, "seq": seq,
                      "warmup": False}
            out.write(json.dumps(dict({"v": 1, "type": "run_start", "t": time.time()}, **common,
                                      done=seq, total=seq + 1), separators=(",", ":")) + "\n")
            wall = 1.0 + 0.05 * i + rng.gauss(0, 0.01)
            out.write(json.dumps(dict({"v": 1, "type": "run_end", "t": time.time()}, **common,
                                      status="ok", exit_code=0, signal=0, wall_s=wall,
                                      user_s=wall * 0.9, sys_s=wall * 0.05, maxrss_kb=10000 + i,
                                      nvcsw=1, nivcsw=1, minflt=1, majflt=0, profiles=2,
                                      samples=200, done=seq, total=seq + 1, eta_s=1.0,
                                      steal_pct=0.1, checksum="1", migrations=3),
                                 separators=(",", ":")) + "\n")
            out.flush()
            t += pause
            delay = t - time.time()
            if delay > 0:
                time.sleep(delay)
