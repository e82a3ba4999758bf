#!/usr/bin/python3
# report-ref.py: the reference `make -C runner bench` (report-scale.sh) measures
# `agentbench report` against: the least a report must do, in Python -- parse every
# journal line with json, keep the wall times of the ok measured runs per benchmark x
# variant, print each cell's numpy median.
#   report-ref.py JOURNAL
import json
import sys

import numpy as np

cells = {}
with open(sys.argv[1], "rb") as f:
    for line in f:
        ev = json.loads(line)
        if ev.get("type") == "run_end" and not ev.get("warmup") and ev.get("status") == "ok":
            cells.setdefault((ev["benchmark"], ev["variant"]), []).append(ev["wall_s"])
for (benchmark, variant), wall in cells.items():
    print(benchmark, variant, len(wall), np.median(np.array(wall)))
