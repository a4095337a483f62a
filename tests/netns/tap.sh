#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Our TCP/IP stack against Linux's: `unideck serve --net tap:...` and `unideck
# get` on TAP devices inside a network namespace of our own, with Linux's stack
# (ping, curl, wget, python, dnsmasq) as the peer. Every frame is recorded; the
# pcaps are kept in build/test-logs/ when a check fails.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "tap: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
for c in curl wget python3 dnsmasq; do
	command -v "$c" >/dev/null || PATH=$PATH:/usr/sbin
done
NS=ud-tap-$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs" &&
		cp "$TMP"/*.pcap "$TMP"/*.log "$ROOT/build/test-logs/" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.2
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
for i in 0 1 2; do
	"${NX[@]}" ip tuntap add dev "ut$i" mode tap
	"${NX[@]}" ip addr add "10.77.$i.1/24" dev "ut$i"
	"${NX[@]}" ip link set "ut$i" up
done

# Decks with a 64 MB file among them.
cp -r "$ROOT/decks" "$TMP/decks"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$TMP/decks/features/media/big.bin"
big_sum=$(sha256sum <"$TMP/decks/features/media/big.bin" | cut -d' ' -f1)
"$UNIDECK" build "$TMP/decks" -o "$TMP/store" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the test store"; cat "$TMP/build.log"; exit 1; }

# start_on NAME LOG ARGS...: serve the store on our stack; wait for its URL.
start_on() {
	local log=$1 i
	shift
	"${NX[@]}" "$UNIDECK" serve "$TMP/store" "$@" --stats >"$TMP/$log" 2>&1 &
	PIDS+=("$!")
	for i in $(seq 1 200); do
		URL=$(sed -n 's|^serving .* at \(http://[0-9.:]*\)/ on our own.*|\1|p' "$TMP/$log")
		[ -n "$URL" ] && return 0
		sleep 0.1
	done
	cat "$TMP/$log"
	return 1
}
start_on server.log --net tap:ut0 --ip 10.77.0.2/24 --pcap "$TMP/server.pcap" ||
	{ notok "serve on tap:ut0"; exit 1; }
SRV=$!
expect_eq "serve on tap:ut0 prints its URL" "http://10.77.0.2" "$URL"

# The same store on kernel sockets inside the namespace: the reference bytes.
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --port 8099 >"$TMP/ref.log" 2>&1 &
PIDS+=("$!")
sleep 1

check "ping" "${NX[@]}" ping -c 3 -i 0.2 -W 2 10.77.0.2
out=$("${NX[@]}" ping -f -c 5000 -W 2 10.77.0.2 2>&1)
expect_match "flood ping: 5000 echoes, none lost" " 5000 received, 0% packet loss" "$out"
out=$("${NX[@]}" ping -c 2 -i 0.2 -s 8000 -W 2 10.77.0.2 2>&1)
expect_match "ping of 8000 bytes: fragments reassembled both ways" " 2 received" "$out"

# Every path of the store, by curl and by wget, byte-identical to kernel sockets.
mapfile -t paths < <("$UNIDECK" inspect "$TMP/store" --json | sed -n 's|^{"path":"\([^"]*\)".*|\1|p')
bad=0 n=0
for p in "${paths[@]}"; do
	[ "$p" = /features/media/big.bin ] && continue
	a=$("${NX[@]}" curl -sf "http://10.77.0.2$p" | sha256sum)
	b=$("${NX[@]}" curl -sf "http://127.0.0.1:8099$p" | sha256sum)
	c=$("${NX[@]}" wget -q -O - "http://10.77.0.2$p" | sha256sum)
	[ "$a" = "$b" ] && [ "$a" = "$c" ] || { bad=$((bad + 1)); echo "# differs: $p"; }
	n=$((n + 1))
done
expect_eq "curl and wget of all $n files over our stack match kernel sockets" 0 "$bad"
br=$("$UNIDECK" inspect "$TMP/store" --json | grep '"br":{' | head -n 1 | sed 's|^{"path":"\([^"]*\)".*|\1|')
a=$("${NX[@]}" curl -sf --compressed -H 'Accept-Encoding: br' "http://10.77.0.2$br" | sha256sum)
b=$("${NX[@]}" curl -sf "http://127.0.0.1:8099$br" | sha256sum)
expect_eq "a brotli representation over our stack decodes to the same bytes ($br)" "$b" "$a"

got=$("${NX[@]}" curl -sf http://10.77.0.2/features/media/big.bin | sha256sum | cut -d' ' -f1)
expect_eq "64 MB file by curl: sha256 matches" "$big_sum" "$got"
got=$("${NX[@]}" wget -q -O - http://10.77.0.2/features/media/big.bin | sha256sum | cut -d' ' -f1)
expect_eq "64 MB file by wget: sha256 matches" "$big_sum" "$got"
got=$("${NX[@]}" curl -sf -r 1000000-1999999 http://10.77.0.2/features/media/big.bin | sha256sum | cut -d' ' -f1)
want=$(tail -c +1000001 "$TMP/decks/features/media/big.bin" | head -c 1000000 | sha256sum | cut -d' ' -f1)
expect_eq "a ranged 1 MB slice of it" "$want" "$got"

# 200 connections at once, each fetching the index and keeping it open.
cat >"$TMP/conc.py" <<'PY'
import socket, sys, time
n, host = int(sys.argv[1]), sys.argv[2]
socks = []
for i in range(n):
    s = socket.create_connection((host, 80), timeout=20)
    socks.append(s)
for s in socks:
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
ok = 0
for s in socks:
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, _, body = buf.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0])
    while len(body) < length:
        body += s.recv(65536)
    ok += head.startswith(b"HTTP/1.1 200") and len(body) == length
print(ok)
PY
out=$("${NX[@]}" python3 "$TMP/conc.py" 200 10.77.0.2 2>&1)
expect_eq "200 concurrent connections all answered" 200 "$out"

out=$("${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://10.77.0.2:81/; echo " $?")
expect_eq "a closed TCP port is refused at once (RST)" "000 7" "$out"
out=$("${NX[@]}" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.connect(("10.77.0.2", 9999)); s.send(b"x")
try:
    s.recv(10); print("answered")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("silent")')
expect_eq "a closed UDP port answers ICMP port unreachable" refused "$out"

# Our stack as a client of a Linux server.
mkdir -p "$TMP/www"
head -c 3000000 /dev/urandom >"$TMP/www/blob"
"${NX[@]}" python3 -u -m http.server 8000 --bind 10.77.1.1 --directory "$TMP/www" >"$TMP/py.log" 2>&1 &
PIDS+=("$!")
# Listening once it says so (a fixed sleep lost the race on a loaded machine).
for i in $(seq 1 100); do
	grep -q '^Serving HTTP' "$TMP/py.log" && break
	sleep 0.1
done
"${NX[@]}" "$UNIDECK" get --net tap:ut1 --ip 10.77.1.2/24 --pcap "$TMP/client.pcap" \
	http://10.77.1.1:8000/blob -o "$TMP/blob.got" >"$TMP/get.log" 2>&1
rc=$?
expect_eq "unideck get from python's http.server exits 0" 0 "$rc"
check "the 3 MB it fetched is byte-identical" cmp "$TMP/www/blob" "$TMP/blob.got"
out=$("${NX[@]}" "$UNIDECK" get --net tap:ut1 --ip 10.77.1.2/24 --timeout 10 http://10.77.1.1:8001/ 2>&1; echo "rc $?")
expect_match "a refused connection is reported" "refused or reset.*rc 1" "$(echo $out)"

# DHCP: dnsmasq leases us an address and we serve on it.
if command -v dnsmasq >/dev/null; then
	"${NX[@]}" dnsmasq --no-daemon --interface=ut2 --bind-interfaces --port=0 \
		--dhcp-range=10.77.2.50,10.77.2.60,255.255.255.0,2m --dhcp-leasefile="$TMP/leases" \
		--pid-file="$TMP/dnsmasq.pid" >"$TMP/dnsmasq.log" 2>&1 &
	PIDS+=("$!")
	sleep 0.5
	if start_on dhcp.log --net tap:ut2 --dhcp --port 8080; then
		expect_match "DHCP: leased an address from dnsmasq" '^http://10\.77\.2\.(5[0-9]|60):8080$' "$URL"
		out=$("${NX[@]}" curl -sf -o /dev/null -w '%{http_code}' "$URL/")
		expect_eq "DHCP: serving on the leased address" 200 "$out"
		expect_match "DHCP: dnsmasq saw the whole exchange" "DHCPACK" "$(cat "$TMP/dnsmasq.log")"
	else
		notok "DHCP: no address leased"
		cat "$TMP/dnsmasq.log"
	fi
else
	skip "DHCP: dnsmasq is not installed"
fi

# Stop the server: its counters show every store byte went by reference.
kill -INT "$SRV"
wait "$SRV"
expect_eq "the server stops cleanly on SIGINT" 0 "$?"
ref=$(sed -n 's/^tcp.bytes_ref //p' "$TMP/server.log")
copied=$(sed -n 's/^tcp.bytes_copied //p' "$TMP/server.log")
expect_match "store bytes went by reference ($ref), only headers by copy ($copied)" \
	'^ok$' "$( [ "${ref:-0}" -gt $((64 * 1024 * 1024 * 2)) ] && [ "${copied:-0}" -lt $((ref / 100)) ] && echo ok)"
tso=$(sed -n 's/^tcp.tso_sends //p' "$TMP/server.log")
expect_match "segmentation offload: 64 KiB frames handed to Linux's TAP ($tso)" '^[1-9]' "$tso"
expect_eq "Linux took every one of them" 0 "$(sed -n 's/^tap.tso_refused //p' "$TMP/server.log")"
echo "# $FAILS failed"
exit 0
