#!/usr/bin/python3
# bench_stats_ref.py: the reference of bench_stats.c's scale table: numpy's median of each
# of K arrays of N float64 values read from FILE (written back to back). Prints the seconds
# per pass over the K arrays (the best of several when a pass is short; loading the file is
# not timed).
#   bench_stats_ref.py FILE K N
import sys
import time

import numpy as np


def main():
    path, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    arrays = np.fromfile(path, dtype=np.float64, count=k * n).reshape(k, n)
    arrays = [np.array(a) for a in arrays]    # separate arrays, as a script would have
    best = None
    started = time.perf_counter()
    while best is None or (time.perf_counter() - started < 0.2 and best < 0.2):
        t0 = time.perf_counter()
        for a in arrays:
            np.median(a)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    print("%.9f" % best)


if __name__ == "__main__":
    main()
