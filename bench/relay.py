#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live follow across instances: the bench of the follow relay (make bench).

In a network namespace of our own, on one bridge, `unideck serve --net tap`
instances (our own TCP/IP stack each): an origin and relays started with
--upstream. Two measurements, written as the section "Live follow across
instances" of bench/RESULTS.md (replaced in place, the rest left alone):

1. Fan-out: 1, 2 and 3 instances (the origin, then relays of it), 1,000
   followers on each (bench/relay_clients.py, one process per instance,
   spread over 20 source addresses: an instance takes 256 event streams per
   client address). For each of UPDATES authenticated updates, the time from
   just before the presenter's POST until the last follower of all has it.
2. Hops: a chain origin -> relay -> relay -> relay, 20 followers at each
   depth; for each update the time until the last follower at each depth has
   it; the time a hop adds is the difference of medians between depths.

Times include the Python followers' own reading (2 CPUs are shared by
instances and clients): they bound the relay's cost from above."""
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIDECK = os.environ.get("UNIDECK", os.path.join(ROOT, "build/rel/unideck"))
CHECK = os.path.join(ROOT, "tests/netns/relay_check.py")
CLIENTS = os.path.join(ROOT, "bench/relay_clients.py")
NS = f"ud-relaybench-{os.getpid()}"
BR = f"urb{os.getpid() % 100000}"
TOK = os.urandom(16).hex()
UPDATES = int(os.environ.get("RELAY_UPDATES", "20"))
FOLLOWERS = int(os.environ.get("RELAY_FOLLOWERS", "1000"))
SRCS = [f"10.79.1.{i}" for i in range(1, 21)]
TMP = f"/tmp/ud-relaybench-{os.getpid()}"
procs = []
LOAD = [0.0, 0.0]  # the 1-minute load average when the fan-out runs began and ended


def nx(*args, **kw):
    return subprocess.run(["ip", "netns", "exec", NS, *args], check=True, **kw)


def spawn(args, log, env=None):
    p = subprocess.Popen(["ip", "netns", "exec", NS, *args], stdout=open(log, "w"),
                         stderr=subprocess.STDOUT, env=env)
    procs.append(p)
    return p


def wait_log(path, text, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            if text in open(path).read():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def setup():
    os.makedirs(TMP, exist_ok=True)
    subprocess.run(["ip", "netns", "add", NS], check=True)
    nx("ip", "link", "set", "lo", "up")
    nx("ip", "link", "add", BR, "type", "bridge")
    nx("ip", "addr", "add", "10.79.0.1/16", "dev", BR)
    for a in SRCS:
        nx("ip", "addr", "add", f"{a}/16", "dev", BR)
    nx("ip", "link", "set", BR, "up")
    subprocess.run([UNIDECK, "build", os.path.join(ROOT, "decks"), "-o", f"{TMP}/store",
                    "--no-pdf"], check=True, stdout=subprocess.DEVNULL)


def instance(name, k, upstream=None, flows=1400):
    tap = f"urb{k}"
    nx("ip", "tuntap", "add", "dev", tap, "mode", "tap")
    nx("ip", "link", "set", tap, "master", BR)
    nx("ip", "link", "set", tap, "up")
    addr = f"10.79.0.{10 + k}"
    args = [UNIDECK, "serve", f"{TMP}/store", "--net", f"tap:{tap}", "--ip", f"{addr}/16",
            "--token", TOK, "--flows", str(flows), "--mac", f"02:79:00:00:00:{10 + k:02x}",
            "--quiet", "--stats"]
    if upstream:
        args += ["--upstream", f"http://{upstream}/"]
    log = f"{TMP}/{name}.log"
    p = spawn(args, log)
    if not wait_log(log, "serving", 20):
        raise SystemExit(f"{name} did not start: {open(log).read()}")
    if upstream and not wait_log(log, ": following", 30):
        raise SystemExit(f"{name} does not follow: {open(log).read()}")
    return p, addr


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()


def nonce_of(addr):
    out = subprocess.run(["ip", "netns", "exec", NS, "curl", "-sN", "--max-time", "1",
                          f"http://{addr}/_unideck/follow/features"],
                         capture_output=True, text=True).stdout
    return out.split('"nonce":"')[1][:32]


POSTER = None


def post(addr, nonce, n, h):
    """POST an update from inside the namespace; the monotonic time just
    before its bytes were written."""
    global POSTER
    if POSTER is None:
        POSTER = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, CLIENTS,
                                   "--poster"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        procs.append(POSTER)
    body = subprocess.run([sys.executable, CHECK, "sign", TOK, nonce, "features", str(n), str(h),
                           "0", "-1"], capture_output=True, text=True).stdout.strip()
    POSTER.stdin.write(f"{addr} 80 features {body}\n")
    POSTER.stdin.flush()
    line = POSTER.stdout.readline().split()
    if len(line) < 3 or line[2] != "204":
        for q in procs:
            if q.poll() is None and q is not POSTER:
                q.send_signal(2)
        time.sleep(2)
        log = open(TMP + "/origin.log").read()
        raise SystemExit(f"update {n} was refused: {line}; origin: "
                         + " ".join(x for x in log.split("\n") if x.startswith(("follow.", "http.req"))))
    return float(line[1])


def counters():
    """Stop every instance with SIGINT (each prints its --stats) and return
    their follow, relay and pool counters, for a failure's message."""
    for q in procs:
        if q.poll() is None and "serve" in q.args:
            q.send_signal(2)
    time.sleep(3)
    out = []
    for name in sorted(os.listdir(TMP)):
        if name.endswith(".log"):
            keep = [x for x in open(os.path.join(TMP, name)).read().split("\n")
                    if x.startswith(("follow.", "relay.", "tcp.copy_rings", "tcp.conn_failed",
                                     "http.timeout"))]
            out.append(f"{name}: " + " ".join(keep))
    return "; ".join(out)


class Clients:
    """A relay_clients.py process in the namespace: COUNT streams on ADDR."""

    def __init__(self, addr, count, srcs):
        self.addr = addr
        self.p = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, CLIENTS, "features",
                                   str(count), f"{addr}:80", ",".join(srcs)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        procs.append(self.p)
        line = self.p.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"followers of {addr} did not connect: {line!r}")

    def expect(self, n):
        self.p.stdin.write(f"expect {n}\n")
        self.p.stdin.flush()

    def result(self):
        line = self.p.stdout.readline().split()
        if not line or line[0] != "done":
            raise SystemExit(f"followers of {self.addr} missed an update: {line}; "
                             + counters())
        return float(line[1])


def measure(clients, origin, nonce, n, h):
    for c in clients:
        c.expect(n)
    t0 = post(origin, nonce, n, h)
    return [c.result() - t0 for c in clients]


def fanout():
    LOAD[0] = os.getloadavg()[0]
    rows = []
    inst = [instance("origin", 0)]
    origin = inst[0][1]
    clients = [Clients(origin, FOLLOWERS, SRCS)]
    for k in (1, 2, 3):
        while len(inst) < k:
            inst.append(instance(f"relay{len(inst)}", len(inst), upstream=origin))
            clients.append(Clients(inst[-1][1], FOLLOWERS, SRCS))
        nonce = nonce_of(origin)
        times, at_origin, at_relays = [], [], []
        for u in range(UPDATES):
            per = measure(clients, origin, nonce, k * 1000 + u, u % 5)
            times.append(max(per))
            at_origin.append(per[0])
            if k > 1:
                at_relays.append(max(per[1:]))
            time.sleep(0.2)
        rows.append((k, k * FOLLOWERS, times, at_origin, at_relays))
        print(f"fan-out {k} instances: median {statistics.median(times) * 1000:.2f} ms",
              flush=True)
    LOAD[1] = os.getloadavg()[0]
    global POSTER
    for p in procs:
        if p.poll() is None:
            stop(p)
    procs.clear()
    POSTER = None
    return rows


def hops():
    chain = [instance("h0", 10, flows=256)]
    for d in (1, 2, 3):
        chain.append(instance(f"h{d}", 10 + d, upstream=chain[-1][1], flows=256))
    clients = [Clients(chain[d][1], 20, SRCS[:1]) for d in range(4)]
    nonce = nonce_of(chain[0][1])
    per = [[] for _ in range(4)]
    for u in range(UPDATES):
        for d, t in enumerate(measure(clients, chain[0][1], nonce, 1 + u, u % 5)):
            per[d].append(t)
        time.sleep(0.2)
    for p in procs:
        if p.poll() is None:
            stop(p)
    return per


def ms(x):
    return f"{x * 1000:.1f} ms"


def write(rows, per):
    med = [statistics.median(p) for p in per]
    lines = [
        "<!-- relay.py begin -->",
        "## Live follow across instances",
        "",
        f"Written by bench/relay.py (`make bench`), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}."
        " `unideck serve --net tap` instances in a network namespace, on one bridge:"
        " an origin and relays of it (`--upstream`), our own TCP/IP stack each; followers"
        " are bench/relay_clients.py (Python, selectors on raw sockets, one process per"
        " instance, 20 source addresses). For each of"
        f" {UPDATES} authenticated updates, the time from just before the presenter's POST is"
        " written (from inside the namespace) until the last follower has the event. The"
        " followers' own reading is inside these times, and the machine's 2 CPUs are shared by"
        " every instance and every follower process (and other work), so with more instances"
        " the deliveries queue for the same CPUs: the growth with instances measures this"
        " machine, not the relay, which adds a hop (second table). On separate hosts the time"
        " to the last follower is about one instance's plus one hop. An update is written"
        " once into a refcounted slot and every follower's TCP send queue references it"
        " (app/app.c, lib/sharedbuf.h), so it needs no copy ring per follower (the pool,"
        " net/tcp_pool.c, is a quarter of `--flows`, 350 here) and goes to all in one pass."
        " Before that, an event to more followers than rings went out in rounds, each waiting"
        " for the followers' (delayed) ACKs to bring rings back, plus app_tick's 20 ms resend:"
        " 515 / 562 / 1,490 ms for 1 / 2 / 3 instances in the previous run of this bench."
        f" Load average (1 min) of this machine: {LOAD[0]:.1f} when the fan-out runs began,"
        f" {LOAD[1]:.1f} when they ended ({os.cpu_count()} CPUs).",
        "",
        "| instances | followers | time to the last follower: median | p90 | max |"
        " last on the origin: median | last on a relay: median |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, total, times, at_o, at_r in rows:
        t = sorted(times)
        name = "origin" if k == 1 else f"origin + {k - 1} relay" + ("s" if k > 2 else "")
        lines.append(f"| {k} ({name}) | {total:,} | {ms(statistics.median(t))} | "
                     f"{ms(t[int(len(t) * 0.9) - 1])} | {ms(t[-1])} | "
                     f"{ms(statistics.median(at_o))} | "
                     f"{ms(statistics.median(at_r)) if at_r else ''} |")
    lines += [
        "",
        "A chain origin -> relay -> relay -> relay, 20 followers at each depth: the time"
        " until the last follower at that depth has the update, and what each hop adds"
        " (difference of medians). Few followers, so this is the relay's own latency: read"
        " the event from upstream, check the MAC, re-publish.",
        "",
        "| depth | median | p90 | added by this hop |",
        "|---|---|---|---|",
    ]
    for d in range(4):
        t = sorted(per[d])
        lines.append(f"| {d} ({'origin' if d == 0 else f'relay, hop {d}'}) | {ms(med[d])} | "
                     f"{ms(t[int(len(t) * 0.9) - 1])} | {'' if d == 0 else ms(med[d] - med[d - 1])} |")
    lines += ["<!-- relay.py end -->", ""]
    path = os.path.join(ROOT, "bench/RESULTS.md")
    text = open(path).read()
    block = "\n".join(lines)
    if "<!-- relay.py begin -->" in text:
        a = text.index("<!-- relay.py begin -->")
        b = text.index("<!-- relay.py end -->") + len("<!-- relay.py end -->\n")
        text = text[:a] + block + text[b:]
    elif "\n## Memory per connection" in text:
        i = text.index("\n## Memory per connection") + 1
        text = text[:i] + block + "\n" + text[i:]
    else:
        text += "\n" + block
    open(path, "w").write(text)
    print(block)


def main():
    if os.geteuid() != 0:
        print("bench/relay.py: needs root (network namespaces, TAP devices)")
        return 0
    try:
        setup()
        rows = fanout()
        per = hops()
        write(rows, per)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    return 0


sys.exit(main())
