#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live-follow fan-out: one presenter, thousands of followers on one server.

Opens N event-stream followers on /_unideck/follow/<deck>, then posts K
authenticated position updates one after another and measures, for each, the
time from the POST until the last follower has the event, and the server's
CPU time per update. Used by bench.py; also runs alone:

    bench/follow.py UNIDECK STORE [--followers 1000,4000] [--updates 50]
"""
import argparse
import hashlib
import hmac
import os
import re
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def run(unideck, store, followers, updates, deck="unideck", cpu="0"):
    token = "bench-token-0123456789abcdef0123456789"  # 128 bits or more
    raise_fd_limit()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    srv = subprocess.Popen(["taskset", "-c", cpu, unideck, "serve", store, "--port", str(port),
                            "--token", token, "--quiet"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        sel = selectors.DefaultSelector()
        conns = []
        req = (f"GET /_unideck/follow/{deck} HTTP/1.1\r\nHost: b\r\n\r\n").encode()
        for i in range(followers):
            # 200 per source address: a server takes 256 event streams from
            # one client address (APP_SUBS_PER_ADDR).
            c = socket.create_connection(("127.0.0.1", port),
                                         source_address=(f"127.0.0.{2 + i // 200}", 0))
            c.sendall(req)
            c.setblocking(False)
            conns.append(c)
            sel.register(c, selectors.EVENT_READ, {"buf": b"", "done": False})

        def round_(want, deadline):
            """Read until every follower's stream holds (want)."""
            seen = 0
            for key in sel.get_map().values():
                key.data["buf"], key.data["done"] = b"", False
            while seen < followers:
                if time.time() > deadline:
                    raise RuntimeError(f"{seen} of {followers} followers got it in time")
                for key, _ in sel.select(1):
                    d = key.data
                    d["buf"] += key.fileobj.recv(65536)
                    if not d["done"] and want.search(d["buf"]):
                        d["done"] = True
                        seen += 1
                        m = want.search(d["buf"])
                        d["match"] = m
            return [k.data["match"] for k in sel.get_map().values()]

        hellos = round_(re.compile(rb'event: hello\ndata: \{"nonce":"([0-9a-f]+)".*?"n":(\d+)'),
                        time.time() + 60)
        nonce, last_n = hellos[0].group(1).decode(), int(hellos[0].group(2))
        lat = []
        cpu0 = cpu_seconds(srv.pid)
        for k in range(updates):
            n = last_n + 1 + k
            h = k % 10
            msg = f"{nonce}/{deck}/{n}/{h}/0/-1"
            mac = hmac.new(token.encode(), msg.encode(), hashlib.sha256).hexdigest()
            body = f"n={n}&h={h}&v=0&f=-1&mac={mac}"
            post = (f"POST /_unideck/follow/{deck} HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
                    f"Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n{body}").encode()
            t0 = time.perf_counter()
            p = socket.create_connection(("127.0.0.1", port))
            p.sendall(post)
            round_(re.compile(rb'"n":' + str(n).encode() + rb'[,}]'), time.time() + 30)
            lat.append((time.perf_counter() - t0) * 1000)
            p.close()
        cpu1 = cpu_seconds(srv.pid)
        for c in conns:
            c.close()
        lat.sort()
        return {
            "followers": followers,
            "updates": updates,
            "p50_ms": statistics.median(lat),
            "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
            "cpu_ms_per_update": (cpu1 - cpu0) * 1000 / updates,
        }
    finally:
        srv.terminate()
        srv.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("unideck")
    ap.add_argument("store")
    ap.add_argument("--followers", default="100,1000,4000")
    ap.add_argument("--updates", type=int, default=30)
    a = ap.parse_args()
    for n in (int(x) for x in a.followers.split(",")):
        r = run(a.unideck, a.store, n, a.updates)
        print(f"{n:6d} followers: update to last follower p50 {r['p50_ms']:.2f} ms, "
              f"p99 {r['p99_ms']:.2f} ms, server CPU {r['cpu_ms_per_update']:.3f} ms per update")


if __name__ == "__main__":
    main()
