#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile networks and clients against `unideck serve --net tap:...` (our own
# TCP/IP stack) inside a network namespace of our own. While each attack runs,
# an honest client keeps fetching a deck and checking its bytes; every honest
# request must succeed. Attacks: a SYN flood from random sources (hping3),
# slowloris and slow-read clients (slowhttptest), 20000 malformed, truncated and
# oversized frames generated from a seed, blind RST and data injection on a
# live download (RFC 5961), unsolicited ARP replies (no cache poisoning),
# oversized request lines and headers (414, 431, closed), and a full flow table
# (refused with a reset, never hung). The server's counters at the end show
# each defence at work. Every frame is recorded; pcaps are kept on failure.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "attacks: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
PATH=$PATH:/usr/sbin
NS=ud-atk-$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs/attacks" &&
		cp "$TMP"/*.log "$TMP"/*.pcap "$ROOT/build/test-logs/attacks/" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.2
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
for i in 0 1; do
	"${NX[@]}" ip tuntap add dev "ua$i" mode tap
	"${NX[@]}" ip addr add "10.66.$i.1/24" dev "ua$i"
	"${NX[@]}" ip link set "ua$i" up
done
MAC=02:00:00:00:66:02
SRV_IP=10.66.0.2

cp -r "$ROOT/decks" "$TMP/decks"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$TMP/decks/features/media/big.bin"
"$UNIDECK" build "$TMP/decks" -o "$TMP/store" --no-pdf --quiet ||
	{ notok "build the test store"; exit 1; }
want=$(curl -s --max-time 1 file:///dev/null; "$UNIDECK" serve "$TMP/store" --port 0 >"$TMP/ref.log" 2>&1 &
	rp=$!; for i in $(seq 50); do p=$(sed -n 's|.*http://[^ ]*:\([0-9]*\)/.*|\1|p' "$TMP/ref.log" | head -1); [ -n "$p" ] && break; sleep 0.1; done
	curl -sf "http://127.0.0.1:$p/unideck/" | sha256sum; kill $rp)

# serve LOG ARGS...: our stack on a TAP in the namespace; waits for its URL.
serve() {
	local log=$1 i
	shift
	"${NX[@]}" "$UNIDECK" serve "$TMP/store" --stats --header-timeout 2 --idle-timeout 5 \
		--send-timeout 3 "$@" >"$TMP/$log" 2>&1 &
	SRV=$!
	PIDS+=("$SRV")
	for i in $(seq 1 100); do
		grep -q '^serving .* on our own' "$TMP/$log" && return 0
		sleep 0.1
	done
	cat "$TMP/$log"
	return 1
}
serve server.log --net tap:ua0 --ip $SRV_IP/24 --gw 10.66.0.1 --mac $MAC --flows 1024 \
	--pcap "$TMP/server.pcap" || { notok "the server starts"; exit 1; }
MAIN=$SRV

# The honest client: fetch the deck every 100 ms and check its bytes, until told to stop.
honest_start() {
	rm -f "$TMP/stop" "$TMP/honest"
	(
		while [ ! -f "$TMP/stop" ]; do
			got=$("${NX[@]}" curl -sf --max-time 10 "http://$SRV_IP/unideck/" | sha256sum)
			[ "$got" = "$want" ] && echo ok >>"$TMP/honest" || echo fail >>"$TMP/honest"
			sleep 0.1
		done
	) &
	HONEST=$!
}
honest_check() {
	touch "$TMP/stop"
	wait "$HONEST"
	local good bad
	good=$(grep -c ok "$TMP/honest")
	bad=$(grep -c fail "$TMP/honest")
	if [ "$good" -ge 3 ] && [ "$bad" = 0 ]; then
		ok "$1: honest requests all succeeded ($good)"
	else
		notok "$1: honest requests: $good succeeded, $bad failed"
	fi
	kill -0 "$MAIN" 2>/dev/null && ok "$1: the server is still running" ||
		notok "$1: the server died"
}

honest_start
"${NX[@]}" timeout 5 hping3 -q -S -p 80 -i u100 --rand-source $SRV_IP >"$TMP/hping.log" 2>&1
honest_check "SYN flood from random sources (10000 a second for 5 s)"

honest_start
"${NX[@]}" slowhttptest -H -c 300 -i 1 -r 100 -l 8 -p 3 -x 20 -u "http://$SRV_IP/unideck/" \
	-o "$TMP/slowloris" >"$TMP/slowloris.log" 2>&1
honest_check "slowloris, 300 connections"

honest_start
"${NX[@]}" slowhttptest -X -c 100 -r 50 -w 10 -y 20 -n 5 -z 32 -k 3 -l 8 -p 3 \
	-u "http://$SRV_IP/features/media/big.bin" -o "$TMP/slowread" >"$TMP/slowread.log" 2>&1
honest_check "slow read, 100 connections"

honest_start
n=$("${NX[@]}" python3 "$ROOT/tests/netns/inject.py" fuzz ua0 $MAC $SRV_IP 20261124 20000 2>&1)
honest_check "$n malformed frames from seed 20261124"

# Blind injection on a live, rate-limited download.
honest_start
"${NX[@]}" curl -sf --limit-rate 2M -o "$TMP/big.got" "http://$SRV_IP/features/media/big.bin" &
DL=$!
sleep 1
port=$("${NX[@]}" ss -Htn state established dst "$SRV_IP:80" | awk '{print $3}' | sed 's/.*://' | head -1)
"${NX[@]}" ss -Htn >"$TMP/ss.log" 2>&1
if [ -n "$port" ]; then
	n=$("${NX[@]}" python3 "$ROOT/tests/netns/inject.py" blind ua0 $MAC $SRV_IP "$port" 80 4000)
	ok "blind injection: $n RSTs and data segments with guessed numbers on port $port"
else
	notok "blind injection: found no live download to attack"
fi
wait "$DL"
check "blind injection: the download survives, byte-identical" cmp "$TMP/big.got" "$TMP/decks/features/media/big.bin"
honest_check "blind RST and data injection"

honest_start
n=$("${NX[@]}" python3 "$ROOT/tests/netns/inject.py" poison ua0 $MAC $SRV_IP 10.66.0.1 500)
sleep 1
honest_check "$n unsolicited ARP replies claiming the peer's address"

out=$("${NX[@]}" python3 - "$SRV_IP" <<'PY'
import socket, sys
def ask(req):
    s = socket.create_connection((sys.argv[1], 80), timeout=5)
    s.sendall(req)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        return data[:12].decode() + " open"
    return data[:12].decode() + " closed"
print(ask(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
print(ask(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n"))
PY
)
expect_match "an oversized request line gets 414 and the connection closed" "HTTP/1.1 414 closed" "$out"
expect_match "oversized headers get 431 and the connection closed" "HTTP/1.1 431 closed" "$out"

# IP and TCP hardening (issue 14): IDs that are no counter, malformed SYN
# options answered, 300 in-window RSTs drawing ~1 challenge ACK (as Linux),
# unfinished first fragments not locking honest fragmented traffic out.
read -r steps replies <<<"$("${NX[@]}" python3 "$ROOT/tests/netns/inject.py" ipid ua0 $MAC $SRV_IP 20)"
expect_match "IPv4 IDs of 20 echo replies are no counter ($steps small steps, $replies replies)" \
	'^0 20$' "$steps $replies"
read -r answered tried <<<"$("${NX[@]}" python3 "$ROOT/tests/netns/inject.py" badsyn ua0 $MAC $SRV_IP 80)"
expect_match "SYNs with malformed options get SYN-ACKs ($answered of $tried)" '^5 5$' "$answered $tried"
read -r acks alive <<<"$("${NX[@]}" python3 "$ROOT/tests/netns/inject.py" rstburst ua0 $MAC $SRV_IP 80 300)"
expect_match "300 in-window RSTs on one connection draw 1-2 challenge ACKs ($acks), it still serves ($alive)" \
	'^[12] True$' "$acks $alive"
"${NX[@]}" python3 "$ROOT/tests/netns/inject.py" fragfill ua0 $MAC $SRV_IP 16 >/dev/null
check "16 unfinished first fragments (spoofed sources): a fragmented ping still answers" \
	"${NX[@]}" ping -c 2 -W 2 -s 3000 $SRV_IP

# A server with 32 flows, and 40 clients holding connections open.
serve small.log --net tap:ua1 --ip 10.66.1.2/24 --flows 32 || notok "the small server starts"
out=$("${NX[@]}" python3 - <<'PY'
import socket, time
held, refused, hung = [], 0, 0
for i in range(40):
    s = socket.socket()
    s.settimeout(3)
    try:
        s.connect(("10.66.1.2", 80))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        if s.recv(12) == b"HTTP/1.1 200":
            held.append(s)
        else:
            refused += 1
    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
        refused += 1
    except socket.timeout:
        hung += 1
for s in held:
    s.close()
time.sleep(0.5)
s = socket.create_connection(("10.66.1.2", 80), timeout=5)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
after = s.recv(12) == b"HTTP/1.1 200"
print(len(held), refused, hung, after)
PY
)
read -r held refused hung after <<<"$out"
expect_match "a full flow table: 40 clients, at most 32 served, the rest refused with a reset" \
	'^ok$' "$([ "${held:-0}" -ge 20 ] && [ "${held:-0}" -le 32 ] && [ $((held + refused)) = 40 ] && echo ok || echo "$out")"
expect_eq "a full flow table: no client left hanging" 0 "${hung:-x}"
expect_eq "a full flow table: served again once they leave" True "${after:-x}"

kill -INT "$SRV"
wait "$SRV"
kill -INT "$MAIN"
wait "$MAIN"
stat() { sed -n "s/^$1 //p" "$TMP/server.log"; }
expect_match "SYN cookies answered the flood ($(stat tcp.cookies_sent) sent)" '^[1-9]' "$(stat tcp.cookies_sent)"
expect_match "challenge ACKs met the blind injection ($(stat tcp.challenge_acks), $(stat tcp.challenge_limited) rate-limited)" \
	'^[1-9]' "$(stat tcp.challenge_acks)"
expect_match "forged ARP replies were counted, not cached ($(stat arp.rx_conflict) conflicts, $(stat arp.rx_unsolicited) unsolicited)" \
	'^[1-9]' "$(($(stat arp.rx_conflict) + $(stat arp.rx_unsolicited)))"
expect_match "header timeouts closed the slowloris clients ($(stat http.timeout_header))" \
	'^([1-9][0-9]{2,})$' "$(stat http.timeout_header)"
expect_match "send timeouts closed the slow readers ($(stat http.timeout_send))" '^[1-9]' \
	"$(stat http.timeout_send)"
expect_match "fragments evicted fairly, counted ($(stat ip.reasm_evicted))" '^[1-9]' "$(stat ip.reasm_evicted)"
expect_match "challenge ACKs limited per flow ($(stat tcp.challenge_flow_limited))" '^[1-9]' \
	"$(stat tcp.challenge_flow_limited)"
expect_match "414 and 431 counted ($(stat http.uri_too_long), $(stat http.header_too_large))" '^1 1$' \
	"$(stat http.uri_too_long) $(stat http.header_too_large)"
echo "# $FAILS failed"
exit 0
