#!/usr/bin/env python3
"""make_seeds.py: writes the seed corpus of the ingester's decoder fuzz targets
(fuzz_ingest, fuzz_pprof, fuzz_multipart, fuzz_push, fuzz_datadog) next to this script,
using only the standard library (the encoders are in pyroscope_encode.py), the regression
inputs (regress-*) of issue 10's bugs, which test_decode_regress replays under
fuzz_targets.h's work bound, and fuzz_http's seeds for its server with tokens, --store and
--files (secured-*). Crash inputs kept by `make fuzz` (crash-*) are left alone."""
import base64
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyroscope_encode import (STACKS, multipart, pprof, pprof_deep,  # noqa: E402
                              pprof_string, push_request, tree_wide, trie, trie_wide, tree)

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data, prefix="seed-"):
    d = os.path.join(HERE, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, prefix + name), "wb") as f:
        f.write(data)


def http(first, method, target, headers=(), body=b""):
    """fuzz_http's input: the first byte (bit 3 control listener, bit 4 the secured
    server), then one request."""
    head = "%s %s HTTP/1.1\r\nHost: x\r\n" % (method, target)
    for h in headers:
        head += h + "\r\n"
    head += "Content-Length: %d\r\n\r\n" % len(body)
    return bytes([first]) + head.encode() + body


def regressions():
    """Issue 10, item 2: each input must decode with bounded work (fuzz_targets.h aborts
    when the stack text handed over passes max_decompressed) and memory."""
    write("fuzz_ingest", "trie-wide", b"\x02" + trie_wide(20000, 60000), "regress-")
    write("fuzz_ingest", "tree-wide", b"\x03" + tree_wide(20000, 60000), "regress-")
    write("fuzz_ingest", "trie-long-key", b"\x02" + trie_wide(70000, 3), "regress-")
    write("fuzz_pprof", "deep", gzip.compress(pprof_deep(1024, 500, 30), mtime=0), "regress-")
    write("fuzz_pprof", "deep-many", pprof_deep(100, 500, 200), "regress-")
    write("fuzz_pprof", "huge-string", gzip.compress(pprof_string(900000), mtime=0), "regress-")
    big = push_request([([("service_name", "big")], [pprof_string(600000)])])
    write("fuzz_push", "huge-string", b"\x00" + gzip.compress(big, mtime=0), "regress-")
    gz = gzip.compress(pprof(STACKS), mtime=0)
    for name, value in (("long-name", b"n" * 300), ("utf8-name", "caf\u00e9".encode()),
                        ("control-name", b"a\tb")):
        write("fuzz_push", name, b"\x00" + push_request([([("service_name", value)], [gz])]), "regress-")
    # fuzz_http: the secured server (tokens, --store, --files), and names to quote
    folded = b"main;run 1\nmain;gc 2\n"
    data_auth = "Authorization: Bearer fuzz-d4ta"
    control_auth = "Authorization: Bearer fuzz-c0ntrol"
    write("fuzz_http", "ingest", http(0x10, "POST", "/ingest?name=my/app", [data_auth], folded), "secured-")
    write("fuzz_http", "ingest-collide", http(0x10, "POST", "/ingest?name=my_app", [data_auth], folded)
          + http(0, "POST", "/ingest?name=my/app", [data_auth], folded)[1:], "secured-")
    write("fuzz_http", "basic", http(0x10, "POST", "/ingest?name=b", ["Authorization: Basic eDpmdXp6LWQ0dGE="],
                                     folded), "secured-")
    write("fuzz_http", "no-token", http(0x10, "POST", "/ingest?name=n", [], folded), "secured-")
    write("fuzz_http", "mode", http(0x18, "PUT", "/mode", [control_auth], b'{"mode":"slow","delay_s":0.001}'),
          "secured-")
    write("fuzz_http", "mode-no-token", http(0x18, "GET", "/mode"), "secured-")
    write("fuzz_http", "stats", http(0x10, "GET", "/stats?apps=0", [control_auth]), "secured-")
    write("fuzz_http", "file", http(0x18, "GET", "/flamegraphs/x.svg"), "secured-")
    write("fuzz_http", "utf8-name", http(0x00, "POST", "/ingest?name=caf%C3%A9", [], folded), "regress-")


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
    regressions()
    return 0


if __name__ == "__main__":
    sys.exit(main())
