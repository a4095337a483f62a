#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Lean live-follow clients for bench/relay.py: one process, selectors, raw
sockets, nothing parsed but what is needed, so the time measured is mostly the
servers'.

    relay_clients.py SLUG COUNT TARGET[,TARGET...] [SRC,...]

Opens COUNT event streams on /_unideck/follow/SLUG, spread over the targets
(HOST:PORT) and the source addresses in turn, and prints "ready" once every
one has its response head. Then reads commands on stdin:

    expect N    print "done T" when every stream has received an event with
                "n":N (T: the monotonic time the last of them had it), or
                "missing K" after 30 s

    relay_clients.py --poster

reads lines "HOST PORT BODY" and POSTs each BODY to /_unideck/follow/SLUG on
a connection opened beforehand, printing "sent T0 STATUS" with T0 the
monotonic time just before the request's bytes were written: the presenter,
inside the namespace, with no process start in the measured time.
"""
import resource
import selectors
import socket
import sys
import time


def poster():
    for line in sys.stdin:
        host, port, slug, body = line.split()
        s = socket.create_connection((host, int(port)))
        req = (f"POST /_unideck/follow/{slug} HTTP/1.1\r\nHost: {host}\r\nContent-Type: "
               f"application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
               f"Connection: close\r\n\r\n{body}").encode()
        t0 = time.monotonic()
        s.sendall(req)
        head = s.recv(4096).decode("latin-1")
        s.close()
        print(f"sent {t0:.6f} {head.split()[1] if head else 0}", flush=True)
    return 0


def main():
    if sys.argv[1] == "--poster":
        return poster()
    slug, count, targets = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    srcs = sys.argv[4].split(",") if len(sys.argv) > 4 and sys.argv[4] else [None]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sel = selectors.DefaultSelector()
    conns = []
    for i in range(count):
        host, port = targets[i % len(targets)].rsplit(":", 1)
        s = socket.socket()
        src = srcs[(i // len(targets)) % len(srcs)]
        if src:
            s.bind((src, 0))
        s.connect((host, int(port)))
        s.sendall(f"GET /_unideck/follow/{slug} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        s.setblocking(False)
        c = {"s": s, "buf": b"", "head": False, "seen": None}
        conns.append(c)
        sel.register(s, selectors.EVENT_READ, c)
    sel.register(sys.stdin, selectors.EVENT_READ, None)
    want, left, deadline, ready, last = None, 0, 0, False, 0.0

    while True:
        if not ready and all(c["head"] for c in conns):
            ready = True
            print("ready", flush=True)
        timeout = None if want is None else max(0.0, deadline - time.monotonic())
        events = sel.select(timeout)
        now = time.monotonic()
        for key, _ in events:
            c = key.data
            if c is None:
                line = sys.stdin.readline()
                if not line:
                    return
                want = f'"n":{int(line.split()[1])},'.encode()
                left, last = len(conns), 0.0
                deadline = now + 30
                for x in conns:
                    x["seen"] = None
                    if want in x["buf"]:
                        x["seen"] = now
                        left -= 1
                continue
            data = c["s"].recv(65536)
            if not data:
                sel.unregister(c["s"])
                continue
            c["buf"] = (c["buf"] + data)[-1024:]
            if not c["head"] and b"\r\n\r\n" in c["buf"]:
                c["head"] = True
            if want is not None and c["seen"] is None and want in c["buf"]:
                c["seen"] = now
                left -= 1
                last = max(last, now)
        if want is not None and left == 0:
            print(f"done {last:.6f}", flush=True)
            want = None
        elif want is not None and time.monotonic() > deadline:
            print(f"missing {left}", flush=True)
            want = None


sys.exit(main())
