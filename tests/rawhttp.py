#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Send raw bytes to a server and print what comes back, for malformed requests.

usage: rawhttp.py PORT [--host H] [--timeout S] [--wait S] [--half-close] < request
The request is read from stdin with C-style escapes decoded (\\r, \\n, \\x00).
Several chunks may be separated by a line '---pause---' to send them apart.
Exit status: 0 when the peer closed the connection, 3 when it was still open
at --timeout (the output says which, on its last line)."""
import argparse
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--wait", type=float, default=0.3, help="pause between chunks")
    ap.add_argument("--half-close", action="store_true")
    a = ap.parse_args()
    text = sys.stdin.read()
    chunks = [c.encode("latin-1").decode("unicode_escape").encode("latin-1")
              for c in text.split("---pause---\n")]
    s = socket.create_connection((a.host, a.port), timeout=a.timeout)
    for i, c in enumerate(chunks):
        if i:
            time.sleep(a.wait)
        s.sendall(c)
    if a.half_close:
        s.shutdown(socket.SHUT_WR)
    out = b""
    closed = False
    deadline = time.time() + a.timeout
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not b:
            closed = True
            break
        out += b
    sys.stdout.buffer.write(out)
    sys.stdout.write("\n[closed]\n" if closed else "\n[open]\n")
    return 0 if closed else 3


if __name__ == "__main__":
    sys.exit(main())
