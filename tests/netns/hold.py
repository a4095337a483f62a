#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hold many idle TCP connections open (issue 14: 10,000 idle connections).

Usage: hold.py HOST PORT COUNT SECONDS [--request PATH]

Opens COUNT connections to HOST:PORT as fast as the server takes them (at
most WINDOW handshakes and requests outstanding at once); with
--request each sends one keep-alive GET of PATH and reads the response head,
then all stay idle for SECONDS. Prints, one per line, "opened N" (handshakes
completed), "answered N" (requests answered with 200, with --request), "peak
N" (open at once) and "closed N" (closed by the server before the end).
"""
import selectors
import socket
import sys
import time

WINDOW = 128


def main():
    host, port, count, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    path = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--request" else None
    req = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode() if path else None)
    sel = selectors.DefaultSelector()
    state = {}
    opened = answered = closed = peak = live = 0
    pending = 0
    next_i = 0
    end_open = time.monotonic() + secs
    # At most WINDOW handshakes and requests in flight at once: clients that
    # arrive as fast as they are answered, and then stay.
    waiting = 0
    while time.monotonic() < end_open:
        while next_i < count and pending + waiting < WINDOW:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect_ex((host, port))
            except OSError:
                s.close()
                break
            state[s] = ["connecting", b""]
            sel.register(s, selectors.EVENT_WRITE)
            pending += 1
            next_i += 1
        for key, ev in sel.select(timeout=0.2):
            s = key.fileobj
            st = state[s]
            if st[0] == "connecting":
                pending -= 1
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    sel.unregister(s)
                    s.close()
                    del state[s]
                    continue
                opened += 1
                live += 1
                peak = max(peak, live)
                if req:
                    s.send(req)
                    st[0] = "waiting"
                    waiting += 1
                    sel.modify(s, selectors.EVENT_READ)
                else:
                    st[0] = "idle"
                    sel.modify(s, selectors.EVENT_READ)
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                if st[0] == "waiting":
                    waiting -= 1
                closed += 1
                live -= 1
                sel.unregister(s)
                s.close()
                del state[s]
                continue
            if st[0] == "waiting":
                st[1] += data
                if b"\r\n\r\n" in st[1]:
                    if st[1].startswith(b"HTTP/1.1 200"):
                        answered += 1
                    st[0] = "idle"
                    waiting -= 1
    print(f"opened {opened}")
    if req:
        print(f"answered {answered}")
    print(f"peak {peak}")
    print(f"closed {closed}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
