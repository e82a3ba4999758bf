#!/usr/bin/env python3
"""idle_conns.py: open N keep-alive connections to HOST:PORT, make one request on each
(so the server has really set them up), then keep them open and idle until stdin closes
or SECS pass. Prints "open N" once they are all established and answered."""
import socket
import sys
import time


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    secs = float(sys.argv[4]) if len(sys.argv) > 4 else 30
    req = (b"POST /ingest?name=idle.app HTTP/1.1\r\nHost: x\r\n"
           b"Content-Length: 9\r\n\r\nmain;a 1\n")
    socks = []
    for _ in range(n):
        s = socket.create_connection((host, port))
        s.sendall(req)
        socks.append(s)
    ok = 0
    for s in socks:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        if data.startswith(b"HTTP/1.1 200"):
            ok += 1
    print("open %d" % ok, flush=True)
    time.sleep(secs)


if __name__ == "__main__":
    main()
