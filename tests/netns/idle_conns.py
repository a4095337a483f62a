#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hold N idle connections to HOST:PORT (used by tests/netns/scale.sh).

Every other connection first sends one keep-alive request and reads its whole
response, so it has been through a response (an output buffer lent and given
back) before it idles; the rest connect and say nothing. Prints "held N" once
all are open and each has what it asked for, then waits for a line on stdin
and closes them all. usage: idle_conns.py HOST PORT N PATH"""
import selectors
import socket
import sys

host, port, n, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
req = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
sel = selectors.DefaultSelector()
socks = []
pending = {}
for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect((host, port))
    except BlockingIOError:
        pass
    socks.append(s)
    if i % 2 == 0:
        pending[s] = bytearray()
        sel.register(s, selectors.EVENT_WRITE)
    # Not too many handshakes in the backlog at once.
    if i % 500 == 499:
        for key, ev in sel.select(0.05):
            pass


def want(buf):
    head, sep, body = bytes(buf).partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


sent = set()
failed = 0
while pending:
    events = sel.select(10)
    if not events:
        break
    for key, ev in events:
        s = key.fileobj
        try:
            if s not in sent:
                s.send(req)
                sent.add(s)
                sel.modify(s, selectors.EVENT_READ)
                continue
            d = s.recv(65536)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            d = b""
        if not d:
            failed += 1
            sel.unregister(s)
            del pending[s]
            continue
        pending[s] += d
        if want(pending[s]):
            sel.unregister(s)
            del pending[s]
asked = (n + 1) // 2
print(f"held {n} answered {asked - failed - len(pending)} of {asked}", flush=True)
sys.stdin.readline()
for s in socks:
    s.close()
