#!/usr/bin/env python3
"""pyroscope_encode.py: encoders for the bodies Pyroscope's ingest API accepts, standard
library only (protobuf written by hand from the profile.proto and push.proto field
numbers, independently of the protobuf-c code under test). Imported by make_seeds.py and
run by the ingester's qa tests:

  pyroscope_encode.py pprof [--gzip] [--heap]   the 3-stack profile (STACKS) as pprof
  pyroscope_encode.py multipart                 Go agent body: profile, prev_profile,
                                                sample_type_config (boundary b0undary)
  pyroscope_encode.py push-proto | push-json    push.v1.PushRequest: series web (2
                                                profiles, service_name) and db (1, __name__)
  pyroscope_encode.py trie | tree               the same 3 stacks, legacy formats
  pyroscope_encode.py bomb MIB                  gzip of MIB mebibytes of zeros
  pyroscope_encode.py deep N                    one folded line of N frames
Hostile bodies (qa 130-149: bounded work and memory), and benign ones to compare with:
  pyroscope_encode.py folded-many BYTES         about BYTES of distinct folded lines
  pyroscope_encode.py trie-wide LEN N           a trie: a root named LEN bytes, N empty
                                                children of value 1
  pyroscope_encode.py tree-wide LEN N           a tree: one frame named LEN bytes with N
                                                empty-named children of value 1
  pyroscope_encode.py pprof-deep LEN DEPTH [N]  N samples (default 1), each a leaf of its
                                                own under one location (a LEN-byte
                                                function name) DEPTH times
  pyroscope_encode.py pprof-string BYTES        a valid profile with a BYTES-long string
  pyroscope_encode.py push-string BYTES         a push of one such profile (raw)
  pyroscope_encode.py push-name NAME            the 3-stack push under service_name NAME
                                                (NAME may be @FILE: its bytes)
Output goes to stdout."""
import base64
import gzip
import json
import sys
import zlib

# root-first frames and [samples, cpu ns]: 3 samples, value 6, 7 frames
STACKS = [(["main", "run", "work"], [3, 30000000]), (["main", "run"], [1, 10000000]),
          (["main", "gc"], [2, 20000000])]


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint(field << 3 | wire)


def f_varint(field, n):
    return key(field, 0) + varint(n & 0xFFFFFFFFFFFFFFFF)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return key(field, 2) + varint(len(data)) + data


def f_packed(field, nums):
    return f_bytes(field, b"".join(varint(n & 0xFFFFFFFFFFFFFFFF) for n in nums))


def pprof(stacks, sample_types=(("samples", "count"), ("cpu", "nanoseconds"))):
    """stacks: list of (frames root-first, [values]); each frame one function and location."""
    strings = [""]

    def s(x):
        if x not in strings:
            strings.append(x)
        return strings.index(x)

    out = bytearray()
    for t, u in sample_types:
        out += f_bytes(1, f_varint(1, s(t)) + f_varint(2, s(u)))
    funcs = {}
    for frames, values in stacks:
        for fr in frames:
            funcs.setdefault(fr, len(funcs) + 1)
    for frames, values in stacks:
        locs = [funcs[fr] for fr in reversed(frames)]  # leaf first
        out += f_bytes(2, f_packed(1, locs) + f_packed(2, values))
    for name, fid in funcs.items():
        line = f_bytes(4, f_varint(1, fid) + f_varint(2, 10 + fid))
        out += f_bytes(4, f_varint(1, fid) + f_varint(3, 0x1000 * fid) + line)
        out += f_bytes(5, f_varint(1, fid) + f_varint(2, s(name)) + f_varint(4, s("main.go")))
    for x in strings:
        out += f_bytes(6, x)
    out += f_varint(9, 1700000000000000000) + f_varint(10, 10000000000)
    out += f_bytes(11, f_varint(1, s("cpu")) + f_varint(2, s("nanoseconds"))) + f_varint(12, 10000000)
    return bytes(out)


def node(name, value, children):
    name = name.encode()
    return varint(len(name)) + name + varint(value) + varint(children)


def trie():
    return (node("", 0, 2) + node("main;r", 0, 2) + node("un", 1, 0) + node("un;work", 3, 0)
            + node("main;gc", 2, 0))


def tree():
    return (node("", 0, 1) + node("main", 0, 2) + node("run", 1, 1) + node("work", 3, 0)
            + node("gc", 2, 0))


def multipart(parts, boundary="b0undary", nl=b"\r\n"):
    out = bytearray()
    for name, data in parts:
        out += b"--" + boundary.encode() + nl
        out += b'Content-Disposition: form-data; name="' + name.encode() + b'"; filename="x"' + nl
        out += b"Content-Type: application/octet-stream" + nl + nl + data + nl
    out += b"--" + boundary.encode() + b"--" + nl
    return bytes(out)


def push_request(series):
    out = bytearray()
    for labels, samples in series:
        body = bytearray()
        for k, v in labels:
            body += f_bytes(1, f_bytes(1, k) + f_bytes(2, v))
        for raw in samples:
            body += f_bytes(2, f_bytes(1, raw) + f_bytes(2, "id-1"))
        out += f_bytes(1, bytes(body))
    return bytes(out)


def bomb(mib):
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    out = bytearray()
    for _ in range(mib):
        out += z.compress(chunk)
    return bytes(out + z.flush())


def go_agent_multipart():
    gz = gzip.compress(pprof(STACKS), mtime=0)
    config = json.dumps({"samples": {"units": "samples", "aggregation": "sum"}}).encode()
    return multipart([("profile", gz), ("prev_profile", gz), ("sample_type_config", config)])


def push_bodies():
    raw = pprof(STACKS)
    gz = gzip.compress(raw, mtime=0)
    proto = push_request([([("service_name", "web"), ("env", "qa")], [gz, raw]),
                          ([("__name__", "db")], [gz])])
    js = {"series": [{"labels": [{"name": "service_name", "value": "web"}, {"name": "env", "value": "qa"}],
                      "samples": [{"rawProfile": base64.b64encode(gz).decode(), "ID": "a"},
                                  {"raw_profile": base64.urlsafe_b64encode(raw).decode().rstrip("=")}]},
                     {"labels": [{"name": "__name__", "value": "db"}],
                      "samples": [{"rawProfile": base64.b64encode(gz).decode()}]}]}
    return proto, json.dumps(js).encode()


def trie_wide(name_len, n):
    return (varint(name_len) + b"a" * name_len + varint(0) + varint(n)) + b"\x00\x01\x00" * n


def tree_wide(name_len, n):
    return (node("", 0, 1) + varint(name_len) + b"a" * name_len + varint(0) + varint(n)
            + b"\x00\x01\x00" * n)


def pprof_deep(name_len, depth, samples=1):
    """Function 1 has a name_len-byte name; sample i's stack is location 1 depth times
    under a leaf of its own (function i + 2), so that every sample is a distinct stack."""
    strings = ["", "samples", "count", "f" * name_len] + ["leaf%d" % i for i in range(samples)]
    out = bytearray(f_bytes(1, f_varint(1, 1) + f_varint(2, 2)))
    for i in range(samples):
        out += f_bytes(2, f_packed(1, [i + 2] + [1] * depth) + f_packed(2, [1]))
    for fid in range(1, samples + 2):
        out += f_bytes(4, f_varint(1, fid) + f_bytes(4, f_varint(1, fid)))
        out += f_bytes(5, f_varint(1, fid) + f_varint(2, fid + 2))
    for x in strings:
        out += f_bytes(6, x)
    return bytes(out)


def pprof_string(size):
    """The 3-stack profile with one more string of size bytes (valid, unused)."""
    return pprof(STACKS) + f_bytes(6, b"s" * size)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    cmd, args = argv[1], argv[2:]
    if cmd == "pprof":
        types = (("alloc_objects", "count"), ("alloc_space", "bytes")) if "--heap" in args else \
            (("samples", "count"), ("cpu", "nanoseconds"))
        out = pprof(STACKS, types)
        if "--gzip" in args:
            out = gzip.compress(out, mtime=0)
    elif cmd == "multipart":
        out = go_agent_multipart()
    elif cmd == "push-proto":
        out = push_bodies()[0]
    elif cmd == "push-json":
        out = push_bodies()[1]
    elif cmd == "trie":
        out = trie()
    elif cmd == "tree":
        out = tree()
    elif cmd == "bomb":
        out = bomb(int(args[0]))
    elif cmd == "deep":
        out = (";".join("f%d" % i for i in range(int(args[0]))) + " 1\n").encode()
    elif cmd == "folded-many":
        lines, size, i = [], 0, 0
        while size < int(args[0]):
            lines.append("main;work;f%d;g%d 1\n" % (i, i % 97))
            size += len(lines[-1])
            i += 1
        out = "".join(lines).encode()
    elif cmd == "trie-wide":
        out = trie_wide(int(args[0]), int(args[1]))
    elif cmd == "tree-wide":
        out = tree_wide(int(args[0]), int(args[1]))
    elif cmd == "pprof-deep":
        out = pprof_deep(*(int(a) for a in args[:3]))
    elif cmd == "pprof-string":
        out = pprof_string(int(args[0]))
    elif cmd == "push-string":
        out = push_request([([("service_name", "big")], [pprof_string(int(args[0]))])])
    elif cmd == "push-name":
        name = open(args[0][1:], "rb").read() if args[0].startswith("@") else args[0].encode()
        gz = gzip.compress(pprof(STACKS), mtime=0)
        out = push_request([([("service_name", name)], [gz])])
    else:
        print("pyroscope_encode.py: unknown command " + cmd, file=sys.stderr)
        return 2
    sys.stdout.buffer.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
