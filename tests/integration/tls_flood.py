#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A ClientHello flood and the honest clients beside it (issue 17), for every
target: tests/integration/tls-flood.sh runs it against `unideck serve --cert`
on kernel sockets, tests/netns/tls-flood-tap.sh inside a network namespace
against `serve --net tap --cert` and the image on TAP.

Each flood connection sends a real TLS 1.2 ClientHello (caught from openssl
s_client, so the server does ECDHE and signs for every one) and then nothing.
Phases, each printed as "key value" lines on stdout:
  before    keep-alive HTTPS connections made before the flood, served
  burst     FLOOD connections at once; during it the established ones, a new
            HTTPS client (Python's ssl, or curl with --curl), plain HTTP on
            --hport (308), and with --slow S a slow honest client (it answers
            our flight S seconds late, as over a long link); then every flood
            connection must be closed by the server
  sustained IN_FLIGHT ClientHellos kept in flight by a process of its own
            (as it would be a machine of its own: as a thread it held the GIL
            and slowed the honest client beside it), each one the server
            closes replaced at once, while ROUNDS times over: a request on each
            established connection, a new HTTPS client, plain HTTP, and the
            slow client
With --trickle N instead: N connections kept in flight that send their
ClientHello a byte at a time (a flight that never ends, each byte fresh input),
while ROUNDS times over a new HTTPS client, plain HTTP and the slow client try.
Nothing here judges: the shell test compares the counts with what it wants.
How long the honest clients took under the sustained flood goes to stderr, for
the log (a test never asserts a time)."""
import argparse
import multiprocessing
import socket
import ssl
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--hport", type=int, required=True)
ap.add_argument("--ca", required=True)
ap.add_argument("--name", default="deck.test")
ap.add_argument("--flood", type=int, default=1000)
ap.add_argument("--in-flight", type=int, default=256)
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--est", type=int, default=8)
ap.add_argument("--slow", type=float, default=0.0, help="the slow client's delay, s")
ap.add_argument("--curl", action="store_true", help="new HTTPS clients are curl --cacert")
ap.add_argument("--timeout", type=float, default=20.0, help="each honest client's patience")
ap.add_argument("--path", default="/t/")
ap.add_argument("--trickle", type=int, default=0,
                help="instead: this many connections in flight trickling their ClientHello")
ap.add_argument("--trickle-gap", type=float, default=0.1, help="s between trickled bytes")
A = ap.parse_args()


def hello():
    """A real TLS 1.2 ClientHello from openssl, caught on a socket of ours."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    p = subprocess.Popen(["openssl", "s_client", "-connect",
                          "127.0.0.1:%d" % srv.getsockname()[1], "-tls1_2",
                          "-servername", A.name], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c, _ = srv.accept()
    c.settimeout(5)
    d = c.recv(16384)
    c.close()
    srv.close()
    p.kill()
    p.wait()
    return d


CTX = ssl.create_default_context(cafile=A.ca)
CTX.maximum_version = ssl.TLSVersion.TLSv1_2


def https():
    return CTX.wrap_socket(socket.create_connection((A.host, A.port), timeout=A.timeout),
                           server_hostname=A.name)


def read_response(recv):
    """The status of one response read through (recv), or 0."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = recv()
        if not d:
            return 0
        buf += d
    head, _, body = buf.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        d = recv()
        if not d:
            return 0
        body += d
    return int(head.split()[1])


def request(path):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, A.name)).encode()


def get(s, path=None):
    """One keep-alive request; the status, or 0 if the connection failed."""
    try:
        s.sendall(request(path or A.path))
        return read_response(lambda: s.recv(65536))
    except (OSError, ValueError, IndexError):
        return 0


def new_client():
    """A new HTTPS client's status (0: it failed)."""
    if A.curl:
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                            "--max-time", str(int(A.timeout)), "--cacert", A.ca,
                            "--resolve", "%s:%d:%s" % (A.name, A.port, A.host),
                            "https://%s:%d%s" % (A.name, A.port, A.path)],
                           capture_output=True, text=True)
        if r.stdout != "200":
            print("curl: %r %r" % (r.stdout, r.stderr), file=sys.stderr)
        return int(r.stdout) if r.stdout.isdigit() else 0
    try:
        n = https()
        code = get(n)
        n.close()
        return code
    except OSError as e:
        print("a new HTTPS client:", repr(e), file=sys.stderr)
        return 0


def slow_client():
    """An honest client that answers the server's flight A.slow seconds late
    (its ClientKeyExchange and Finished), then asks for a page: the status,
    or 0 when the server gave it up."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = CTX.wrap_bio(inc, out, server_hostname=A.name)
    got = answered = 0.0
    try:
        s = socket.create_connection((A.host, A.port), timeout=A.timeout)
        flights = 0
        while True:
            try:
                obj.do_handshake()
                break
            except ssl.SSLWantReadError:
                pass
            data = out.read()
            if data:
                if flights:
                    time.sleep(A.slow)  # the long way back to the server
                    answered = time.monotonic()
                s.sendall(data)
                flights += 1
            d = s.recv(65536)
            if not d:
                print("the slow client: closed in the handshake", file=sys.stderr)
                return 0
            got = time.monotonic()
            inc.write(d)
        obj.write(request(A.path))
        s.sendall(out.read())

        def recv():
            while True:
                try:
                    return obj.read(65536)
                except ssl.SSLWantReadError:
                    d = s.recv(65536)
                    if not d:
                        return b""
                    inc.write(d)
        code = read_response(recv)
        s.close()
        return code
    except (OSError, ssl.SSLError, ValueError, IndexError) as e:
        print("the slow client: %r (%.0f ms from the server's last bytes to our answer)"
              % (e, 1000 * (answered - got) if answered > got else -1), file=sys.stderr)
        return 0


def plain():
    """The plain port's status (308 wanted)."""
    try:
        c = socket.create_connection((A.host, A.hport), timeout=A.timeout)
        c.sendall(("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                   % A.name).encode())
        code = int(c.recv(100).split()[1])
        c.close()
        return code
    except (OSError, IndexError, ValueError):
        return 0


def sustained(h, stop, made):
    live = []
    while not stop.is_set():
        while len(live) < A.in_flight:
            try:
                s = socket.socket()
                s.setblocking(False)
                try:
                    s.connect((A.host, A.port))
                except BlockingIOError:
                    pass
                live.append([s, False])
                made.value += 1
            except OSError:
                break
        time.sleep(0.01)
        keep = []
        for s, sent in live:
            try:
                if not sent:
                    s.send(h)
                    sent = True
                if s.recv(65536) == b"":
                    s.close()
                    continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                continue
            keep.append([s, sent])
        live = keep
    for s, _ in live:
        s.close()


def trickler(h, stop, made):
    """A.trickle connections in flight, each sending its ClientHello a byte
    per A.trickle_gap (a flight that never ends, each byte fresh input); one
    the server closes is replaced at once."""
    live = []
    while not stop.is_set():
        while len(live) < A.trickle:
            try:
                s = socket.socket()
                s.setblocking(False)
                try:
                    s.connect((A.host, A.port))
                except BlockingIOError:
                    pass
                live.append([s, 0])
                made.value += 1
            except OSError:
                break
        time.sleep(A.trickle_gap)
        keep = []
        for s, sent in live:
            try:
                if sent < len(h):
                    sent += s.send(h[sent:sent + 1])
                if s.recv(65536) == b"":
                    s.close()
                    continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                continue
            keep.append([s, sent])
        live = keep
    for s, _ in live:
        s.close()


def trickle_main():
    """Honest clients beside connections that trickle their ClientHello."""
    h = hello()
    stop = multiprocessing.Event()
    made = multiprocessing.Value("l", 0)
    th = multiprocessing.Process(target=trickler, args=(h, stop, made))
    th.start()
    time.sleep(2)  # every handshake slot has a trickler by now
    served = {"new": 0, "plain": 0, "slow": 0}
    for _ in range(A.rounds):
        served["new"] += new_client() == 200
        served["plain"] += plain() == 308
        if A.slow:
            served["slow"] += slow_client() == 200
    stop.set()
    th.join()
    print("trickle_made", made.value)
    for k, v in served.items():
        print("trickle_" + k, v)


def main():
    if A.trickle:
        trickle_main()
        return
    est = [https() for _ in range(A.est)]
    print("before", sum(get(s) == 200 for s in est))
    h = hello()
    print("hello_bytes", len(h))
    socks, opened = [], 0
    for _ in range(A.flood):
        try:
            s = socket.create_connection((A.host, A.port), timeout=5)
            s.sendall(h)
            s.setblocking(False)
            socks.append(s)
            opened += 1
        except OSError:
            pass
    print("flood_opened", opened)
    # While the last of them are still in their handshakes.
    print("during", sum(get(s) == 200 for s in est))
    if A.slow:
        print("slow_during", slow_client())
    print("new_during", new_client())
    print("plain_during", plain())
    # Every flood connection is closed by the server: evicted, or at its timeout.
    closed = set()
    end = time.time() + 60
    while len(closed) < len(socks) and time.time() < end:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                while True:
                    d = s.recv(65536)
                    if not d:
                        closed.add(i)
                        break
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                closed.add(i)
        time.sleep(0.1)
    print("flood_closed", len(closed))
    print("after", sum(get(s) == 200 for s in est))
    for s in socks:
        s.close()

    stop = multiprocessing.Event()
    made = multiprocessing.Value("l", 0)
    th = multiprocessing.Process(target=sustained, args=(h, stop, made))
    th.start()
    time.sleep(1)
    served = {"est": 0, "new": 0, "plain": 0, "slow": 0}
    took = {k: [] for k in served}

    def timed(key, ok):
        t0 = time.monotonic()
        served[key] += ok()
        took[key].append(time.monotonic() - t0)
    for _ in range(A.rounds):
        for s in est:
            timed("est", lambda: get(s) == 200)
        timed("new", lambda: new_client() == 200)
        timed("plain", lambda: plain() == 308)
        if A.slow:
            timed("slow", lambda: slow_client() == 200)
    stop.set()
    th.join()
    print("sustained_made", made.value)
    for k, v in served.items():
        print("sustained_" + k, v)
    # For the log and bench notes only: nothing judges these.
    for k, v in took.items():
        if v:
            print("# under the sustained flood, %s: %d tries, median %.3f s, max %.3f s"
                  % (k, len(v), sorted(v)[len(v) // 2], max(v)), file=sys.stderr)
    for s in est:
        s.close()


main()
