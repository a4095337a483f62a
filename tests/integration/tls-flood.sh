#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A ClientHello flood (issue 17, CPU exhaustion) against `unideck serve --cert
# --http-port`: FLOOD connections each send a real TLS 1.2 ClientHello (so the
# server does ECDHE and signs for every one) and then nothing. Checked in
# counts, not times: the cap on handshakes in progress holds (hs_peak at most
# 64), every flood connection is closed by the server (evicted by a newer one
# or by the handshake timeout, and counted as such), while keep-alive HTTPS
# connections established before the flood are served during and after it, a
# new HTTPS client completes, and plain HTTP answers.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tls_lib.sh"

command -v openssl >/dev/null || { skip "tls-flood: openssl is not installed"; exit 0; }
FLOOD=${TLS_FLOOD:-1000}
CAP=64 # TLS_HOSTED_HANDSHAKES
tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test" || { notok "the certificate is made"; exit 1; }
mkdir -p "$TMP/decks/t"
printf -- '---\ntitle: Flood\n---\n# Under a flood\n' >"$TMP/decks/t/deck.md"
ulimit -n 8192 2>/dev/null || true
start_tls_server "$TMP/server.log" "$TMP/decks" --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" \
	--http-port 0 --header-timeout 3 --stats || exit 1

python3 - "$TLS_PORT" "$HTTP_PORT" "$TMP/tls/ca.pem" "$FLOOD" >"$TMP/flood.out" 2>"$TMP/flood.err" <<'PY'
import socket, ssl, subprocess, sys, time
port, hport, ca, flood = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])

def hello():
    """A real TLS 1.2 ClientHello from openssl, caught on a socket of ours."""
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
    p = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.getsockname()[1],
                          "-tls1_2", "-servername", "deck.test"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c, _ = srv.accept(); c.settimeout(5); d = c.recv(16384); c.close(); srv.close()
    p.kill(); p.wait()
    return d

ctx = ssl.create_default_context(cafile=ca)
def https():
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20),
                        server_hostname="deck.test")
    return s
def get(s, path="/t/"):
    """One keep-alive request; the status, or 0 if the connection failed."""
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: deck.test\r\n\r\n" % path).encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
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
            d = s.recv(65536)
            if not d:
                return 0
            body += d
        return int(head.split()[1])
    except OSError:
        return 0

est = [https() for _ in range(8)]
print("before", sum(get(s) == 200 for s in est))
h = hello()
print("hello_bytes", len(h))
socks, opened = [], 0
for i in range(flood):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(h)
        s.setblocking(False)
        socks.append(s)
        opened += 1
    except OSError:
        pass
print("flood_opened", opened)
# While the last of them are still in their handshakes.
print("during", sum(get(s) == 200 for s in est))
try:
    n = https(); print("new_during", get(n)); n.close()
except OSError as e:
    print("new_during 0")
try:
    c = socket.create_connection(("127.0.0.1", hport), timeout=10)
    c.sendall(b"GET / HTTP/1.1\r\nHost: deck.test\r\nConnection: close\r\n\r\n")
    print("plain_during", c.recv(100).split()[1].decode()); c.close()
except OSError:
    print("plain_during 0")
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

# A sustained flood: 256 ClientHellos kept in flight, each one the server
# closes replaced at once, so the backlog never drains. Meanwhile, one by
# one: a request on each established connection, a new HTTPS client, plain
# HTTP. Before accepts were batched, the accept loop never left a backlog
# the flood kept full, and every one of these went unanswered.
# The attacker is a process of its own, as it would be a machine of its own:
# as a thread it held the GIL, and the honest client beside it, slowed down in
# answering our flight, was the slow one the handshake table gives up.
import multiprocessing
stop = multiprocessing.Event()
made = multiprocessing.Value("l", 0)
def sustained():
    live = []
    while not stop.is_set():
        while len(live) < 256:
            try:
                s = socket.socket(); s.setblocking(False)
                try:
                    s.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
                live.append([s, False]); made.value += 1
            except OSError:
                break
        time.sleep(0.01)
        keep = []
        for s, sent in live:
            try:
                if not sent:
                    s.send(h); sent = True
                if s.recv(65536) == b"":
                    s.close(); continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close(); continue
            keep.append([s, sent])
        live = keep
    for s, _ in live:
        s.close()
th = multiprocessing.Process(target=sustained); th.start()
time.sleep(1)
served = {"est": 0, "new": 0, "plain": 0}
for rnd in range(3):
    served["est"] += sum(get(s) == 200 for s in est)
    try:
        n = https(); served["new"] += get(n) == 200; n.close()
    except OSError as e:
        print("a new HTTPS client under the sustained flood:", repr(e), file=sys.stderr)
    try:
        c = socket.create_connection(("127.0.0.1", hport), timeout=20)
        c.sendall(b"GET / HTTP/1.1\r\nHost: deck.test\r\nConnection: close\r\n\r\n")
        served["plain"] += c.recv(100).split()[1] == b"308"; c.close()
    except (OSError, IndexError):
        pass
stop.set(); th.join()
print("sustained_made", made.value)
for k, v in served.items():
    print("sustained_" + k, v)
for s in est:
    s.close()
PY
cat "$TMP/flood.err" | sed 's/^/# /'
v() { awk -v k="$1" '$1 == k {print $2}' "$TMP/flood.out"; }
expect_eq "8 keep-alive HTTPS connections are established" 8 "$(v before)"
[ "$(v hello_bytes)" -gt 100 ] && ok "a real ClientHello ($(v hello_bytes) bytes)" || notok "a real ClientHello"
expect_eq "the flood opened $FLOOD connections" "$FLOOD" "$(v flood_opened)"
expect_eq "during the flood the established connections are all served" 8 "$(v during)"
expect_eq "during the flood a new HTTPS client is served" 200 "$(v new_during)"
expect_eq "during the flood plain HTTP answers" 308 "$(v plain_during)"
expect_eq "every flood connection is closed by the server" "$FLOOD" "$(v flood_closed)"
expect_eq "after the flood the established connections are still served" 8 "$(v after)"
[ "$(v sustained_made)" -gt 512 ] && ok "a sustained flood: $(v sustained_made) ClientHellos" ||
	notok "a sustained flood: only $(v sustained_made) ClientHellos"
expect_eq "under it, 3 requests on each of the 8 established connections are served" 24 "$(v sustained_est)"
expect_eq "under it, 3 new HTTPS clients are served" 3 "$(v sustained_new)"
expect_eq "under it, plain HTTP answers 3 times out of 3" 3 "$(v sustained_plain)"
kill -INT "$TLS_PID"
wait "$TLS_PID"
stats=$(grep '^tls:' "$TMP/server.log")
echo "$stats" | sed 's/^/# /'
t() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$stats" | head -n 1; }
peak=$(t hs_peak)
[ -n "$peak" ] && [ "$peak" -le "$CAP" ] && [ "$peak" -ge $((CAP / 2)) ] &&
	ok "handshakes in progress at once: $peak (the cap is $CAP)" ||
	notok "handshakes in progress at once: ${peak:-?} (the cap is $CAP)"
gone=$(($(t hs_evicted) + $(t hs_timeouts) + $(t hs_failed)))
[ "$gone" -ge "$FLOOD" ] &&
	ok "each flood handshake is counted as evicted, timed out or failed ($(t hs_evicted) + $(t hs_timeouts) + $(t hs_failed))" ||
	notok "each flood handshake is counted as evicted, timed out or failed ($gone of $FLOOD)"
[ "$(t hs_evicted)" -ge $((FLOOD - CAP)) ] && ok "the oldest gave way to the newest ($(t hs_evicted))" ||
	notok "the oldest gave way to the newest ($(t hs_evicted), wanted $((FLOOD - CAP)))"
[ "$(t hs_timeouts)" -gt 0 ] && ok "the last ones met the handshake timeout ($(t hs_timeouts))" ||
	notok "the last ones met the handshake timeout"
expect_eq "the honest handshakes completed (8 kept, 4 new)" 12 "$(t handshakes)"
# With every slot waiting for our step, newcomers were left in the backlog
# rather than allowed to push out a client whose delay was ours.
deferred=$(sed -n 's/^sock.hs_deferred \([0-9]*\)$/\1/p' "$TMP/server.log")
[ "${deferred:-0}" -gt 0 ] && ok "accepts were held back while no handshake could give way ($deferred)" ||
	notok "accepts were held back while no handshake could give way (${deferred:-none})"
finish
