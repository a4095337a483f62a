#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Many live-follow clients at once, for tests/netns/relay.sh and bench/relay.sh.

    relay_follow.py STATE_FILE SLUG TARGET[,TARGET...] COUNT [SRC_ADDR,...]

Each TARGET is HOST:PORT; COUNT followers are spread over the targets in turn,
and over the source addresses in turn when given (an instance caps event
streams per client address). Each follower GETs /_unideck/follow/SLUG, reads
the server-sent events as a browser would, and keeps what it was last told:
the nonce, the position (h, v, f, n), whether its instance says the upstream is
there, and the X-Served-By header a balancer adds. A follower whose connection
ends, or that hears nothing for 40 s (as deck.js), reconnects after 0.3 s. Every 50 ms the whole table
is written to STATE_FILE (JSON, atomically; every RELAY_FOLLOW_EVERY seconds
when set), with for each follower the
monotonic time at which each update number n first arrived, so a bench can
tell when the last follower had it."""
import asyncio
import json
import os
import sys
import time


SILENT = 40.0


class Follower:
    def __init__(self, i, host, port, src):
        self.i, self.host, self.port, self.src = i, host, port, src
        self.served_by = None
        self.nonce = None
        self.pos = None  # [h, v, f, n]
        self.upstream_ok = None
        self.upstream_events = []
        self.connects = 0
        self.connected = False
        self.arrivals = {}  # n -> monotonic time of first arrival

    def state(self):
        return {"i": self.i, "target": f"{self.host}:{self.port}", "served_by": self.served_by,
                "nonce": self.nonce, "pos": self.pos, "upstream_ok": self.upstream_ok,
                "upstream_events": self.upstream_events, "connects": self.connects,
                "connected": self.connected, "arrivals": self.arrivals}

    def event(self, typ, data):
        try:
            d = json.loads(data)
        except ValueError:
            return
        if typ in ("hello", "slide"):
            self.nonce = d.get("nonce")
            if d.get("set"):
                self.pos = [d["h"], d["v"], d["f"], d["n"]]
                key = f'{d["nonce"]}/{d["n"]}'
                if key not in self.arrivals:
                    self.arrivals[key] = time.monotonic()
        elif typ == "upstream":
            self.upstream_ok = bool(d.get("ok"))
            self.upstream_events.append(self.upstream_ok)

    async def run(self, slug):
        while True:
            try:
                await self.once(slug)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
                pass
            self.connected = False
            await asyncio.sleep(0.3)

    async def once(self, slug):
        kw = {"local_addr": (self.src, 0)} if self.src else {}
        r, w = await asyncio.wait_for(
            asyncio.open_connection(self.host.strip("[]"), self.port, **kw), 10)
        self.connects += 1
        w.write(f"GET /_unideck/follow/{slug} HTTP/1.1\r\nHost: {self.host}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode())
        await w.drain()
        head = await r.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if " 200 " not in lines[0] + " ":
            w.close()
            return
        for ln in lines[1:]:
            if ln.lower().startswith("x-served-by:"):
                self.served_by = ln.split(":", 1)[1].strip()
        self.connected = True
        chunked = any(ln.lower() == "transfer-encoding: chunked" for ln in lines)
        buf = b""
        typ, data = None, []
        while True:
            # As deck.js: 40 s without a byte (the server beats every 15 s)
            # is a dead stream; reconnect.
            if chunked:
                line = await asyncio.wait_for(r.readuntil(b"\r\n"), SILENT)
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    return
                piece = await asyncio.wait_for(r.readexactly(size + 2), SILENT)
                buf += piece[:-2]
            else:
                piece = await asyncio.wait_for(r.read(4096), SILENT)
                if not piece:
                    return
                buf += piece
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.rstrip(b"\r").decode()
                if line == "":
                    if data:
                        self.event(typ or "message", "\n".join(data))
                    typ, data = None, []
                elif line.startswith(":"):
                    continue
                elif line.startswith("event:"):
                    typ = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" ") if line[5:6] == " " else line[5:])


async def main():
    path, slug, targets, count = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
    srcs = sys.argv[5].split(",") if len(sys.argv) > 5 and sys.argv[5] else [None]
    fs = []
    for i in range(count):
        host, port = targets[i % len(targets)].rsplit(":", 1)
        fs.append(Follower(i, host, int(port), srcs[(i // len(targets)) % len(srcs)]))
    tasks = [asyncio.create_task(f.run(slug)) for f in fs]
    while True:
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump([f.state() for f in fs], fh)
        os.replace(tmp, path)
        await asyncio.sleep(float(os.environ.get("RELAY_FOLLOW_EVERY", "0.05")))
    await asyncio.gather(*tasks)


asyncio.run(main())
