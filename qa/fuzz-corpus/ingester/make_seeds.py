#!/usr/bin/env python3
"""make_seeds.py: writes the seed corpus of the ingester's decoder fuzz targets
(fuzz_ingest, fuzz_pprof, fuzz_multipart, fuzz_push, fuzz_datadog) next to this script, using only the
standard library (the encoders are in pyroscope_encode.py). Crash inputs kept by
`make fuzz` (crash-*) are left alone."""
import base64
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyroscope_encode import (STACKS, multipart, pprof, push_request, trie,  # noqa: E402
                              tree)

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def main():
    raw = pprof(STACKS)
    gz = gzip.compress(raw, mtime=0)
    folded = b"main;run;work 3\nmain;run 1\nmain;gc 2\n"
    lines = b"main;run;work\nmain;run\nmain;gc\nmain;gc\n"
    # fuzz_ingest: first byte picks folded, lines, trie, tree, pprof, jfr, default
    write("fuzz_ingest", "folded", b"\x00" + folded)
    write("fuzz_ingest", "lines", b"\x01" + lines)
    write("fuzz_ingest", "trie", b"\x02" + trie())
    write("fuzz_ingest", "tree", b"\x03" + tree())
    write("fuzz_ingest", "pprof", b"\x04" + raw)
    write("fuzz_ingest", "pprof-gzip", b"\x04" + gz)
    write("fuzz_ingest", "jfr", b"\x05" + b"FLR\x00\x02\x00\x01")
    write("fuzz_ingest", "default", b"\x06" + folded)
    write("fuzz_pprof", "raw", raw)
    write("fuzz_pprof", "gzip", gz)
    write("fuzz_pprof", "heap", pprof(STACKS, (("alloc_objects", "count"), ("alloc_space", "bytes"))))
    ct = b"multipart/form-data; boundary=b0undary\n"
    write("fuzz_multipart", "go-agent", ct + multipart([("profile", gz), ("prev_profile", gz),
                                                         ("sample_type_config", json.dumps(
                                                             {"samples": {"units": "samples"}}).encode())]))
    write("fuzz_multipart", "profile-only", multipart([("profile", raw)]))
    write("fuzz_multipart", "lf", b'multipart/form-data; boundary="q b"\n' +
          multipart([("profile", gz)], boundary="q b", nl=b"\n"))
    req = push_request([([("service_name", "web"), ("env", "x")], [gz, raw]), ([("__name__", "db")], [gz])])
    write("fuzz_push", "proto", b"\x00" + req)
    write("fuzz_push", "proto-gzip", b"\x00" + gzip.compress(req, mtime=0))
    js = {"series": [{"labels": [{"name": "service_name", "value": "web"}],
                      "samples": [{"rawProfile": base64.b64encode(gz).decode(), "ID": "1"},
                                  {"raw_profile": base64.urlsafe_b64encode(raw).decode().rstrip("=")}]}]}
    write("fuzz_push", "json", b"\x01" + json.dumps(js).encode())
    # fuzz_datadog: dd-trace-js 5.x's upload (an event part, gzipped pprof parts)
    event = {"attachments": ["space.pprof", "wall.pprof"], "family": "node", "version": "4",
             "tags_profiler": "language:javascript,service:web,profile_seq:0"}
    write("fuzz_datadog", "dd-trace", multipart([("event", json.dumps(event).encode()),
                                                  ("space.pprof", gz), ("wall.pprof", gz)]))
    write("fuzz_datadog", "no-attachments", multipart([("event", b"{}"), ("cpu.pprof", raw)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
