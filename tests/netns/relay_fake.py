#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A hostile upstream for tests/netns/relay.sh: relay_fake.py ADDR PORT.

Answers GET /_unideck/relay as an instance would (200, text/event-stream, a
hello), then sends slide events a relay must not pass on: a MAC made with the
wrong token, one with no MAC at all, and an event too large for the client's
cap; then holds the stream open with comments. Anything else is a 404."""
import hashlib
import hmac
import socket
import sys
import threading
import time

NONCE = "f" * 32


def slide(mac, n, h):
    return (f'event: slide\ndata: {{"deck":"features","nonce":"{NONCE}","set":true,'
            f'"h":{h},"v":0,"f":-1,"n":{n},"mac":"{mac}"}}\n\n')


def serve(c):
    try:
        req = c.recv(4096).decode("latin-1")
        if not req.startswith("GET /_unideck/relay "):
            c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
        c.sendall(f'event: hello\ndata: {{"nonce":"{NONCE}","ok":true}}\n\n'.encode())
        wrong = hmac.new(b"not-the-presenter-token-at-all-00", f"{NONCE}/features/5/4/0/-1".encode(),
                         hashlib.sha256).hexdigest()
        c.sendall(slide(wrong, 5, 4).encode())
        c.sendall(slide("", 6, 5).encode())
        c.sendall(("event: slide\ndata: " + "x" * 5000 + "\n\n").encode())
        while True:
            time.sleep(1)
            c.sendall(b":\n\n")
    except OSError:
        pass
    finally:
        c.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
