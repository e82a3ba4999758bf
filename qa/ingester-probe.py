#!/usr/bin/env python3
"""ingester-probe.py: how long an ingester's event loop stops while it handles one
request. A thread asks GET /healthz on PROBE (keep-alive, back to back) while the main
thread sends one request to URL; prints one JSON line:
  {"status": HTTP status of the request, "body": its answer (text),
   "healthz_ms": the longest /healthz round trip while the request was in flight,
   "idle_ms": the longest of the same number of round trips before it}
so that a test can compare what a request costs the loop with what the loop costs idle.

  ingester-probe.py PROBE_HOST:PORT METHOD URL BODY_FILE [HEADER: VALUE]...
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def prober(hostport, stop, out):
    host, port = hostport.rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=120)
    while not stop.is_set():
        t0 = time.monotonic()
        c.request("GET", "/healthz")
        r = c.getresponse()
        r.read()
        out.append((t0, time.monotonic() - t0))
        time.sleep(0.001)
    c.close()


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    probe, method, url, body_file = argv[1:5]
    headers = dict(h.split(": ", 1) for h in argv[5:])
    body = open(body_file, "rb").read() if body_file != "-" else b""
    u = urllib.parse.urlsplit(url)
    stop, seen = threading.Event(), []
    t = threading.Thread(target=prober, args=(probe, stop, seen), daemon=True)
    t.start()
    while len(seen) < 50:          # the idle loop's round trips, as a reference
        time.sleep(0.005)
    idle = [d for _, d in seen]
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    c.putrequest(method, u.path + ("?" + u.query if u.query else ""))
    for k, v in headers.items():
        c.putheader(k, v)
    c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    t0 = time.monotonic()
    c.send(body)
    r = c.getresponse()
    answer = r.read()
    t1 = time.monotonic()
    time.sleep(0.05)                # a round trip that began during the request ends
    stop.set()
    t.join()
    during = [d for s, d in seen if s + d >= t0 and s <= t1]
    print(json.dumps({"status": r.status, "body": answer.decode("utf-8", "replace")[:300],
                      "healthz_ms": round(max(during or [0]) * 1000, 3),
                      "idle_ms": round(max(idle) * 1000, 3),
                      "request_ms": round((t1 - t0) * 1000, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
