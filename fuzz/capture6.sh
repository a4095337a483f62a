#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Record a real IPv6 session for the frame fuzzer's seeds: `unideck serve
# --net tap:...` in a network namespace of our own, tcpdump on the TAP's host
# side, and Linux's own stack as the peer: neighbour discovery and DAD, ping -6
# (one of them fragmented), curl -6 of pages and a range, wget, a UDP datagram
# and a TCP connection to closed ports, and a few of thc-ipv6's
# implementation6 cases (extension headers, fragments, a routing header).
# Then fuzz/seeds.py readdresses the frames our stack received to the fuzz
# stack and writes fuzz/corpus/net_frame/capture-linux-ipv6.
#
# Usage (root): fuzz/capture6.sh [UNIDECK]   (default build/san/unideck)
set -eu
cd "$(dirname "$0")/.."
UNIDECK=${1:-build/san/unideck}
NS=ud-cap6-$$
TMP=$(mktemp -d /tmp/unideck-cap6.XXXXXX)
ip netns add "$NS"
NX=(ip netns exec "$NS")
trap 'ip netns pids "$NS" | xargs -r kill 2>/dev/null; sleep 0.3; ip netns del "$NS"; rm -rf "$TMP"' EXIT
"${NX[@]}" ip link set lo up
"${NX[@]}" ip tuntap add dev cap0 mode tap
"${NX[@]}" ip -6 addr add 2001:db8:77::1/64 dev cap0 nodad
"${NX[@]}" ip link set cap0 up
"$UNIDECK" build decks -o "$TMP/store" --no-pdf --quiet
"${NX[@]}" tcpdump -i cap0 -w "$TMP/cap.pcap" -U -s 0 ip6 >/dev/null 2>&1 &
sleep 1
A=2001:db8:77::2
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:cap0 --ip6 $A/64 \
	--mac 02:00:00:00:77:02 >"$TMP/serve.log" 2>&1 &
for _ in $(seq 1 100); do
	grep -q "^serving .*\[$A\]" "$TMP/serve.log" && break
	sleep 0.1
done
LL=$(sed -n 's|^serving .* at http://\[\(fe80:[0-9a-f:]*\)%25cap0\]/.*|\1|p' "$TMP/serve.log")
"${NX[@]}" ping -6 -c 2 -i 0.2 $A >/dev/null
"${NX[@]}" ping -6 -c 1 "$LL%cap0" >/dev/null
"${NX[@]}" ping -6 -c 1 -s 1800 -W 1 $A >/dev/null || true # fragmented; too big to answer
"${NX[@]}" curl -6 -gsf "http://[$A]/" -o /dev/null
"${NX[@]}" curl -6 -gsf "http://[$A]/unideck/" -H 'Accept-Encoding: br' -o /dev/null
"${NX[@]}" curl -6 -gsf "http://[$A]/unideck/" -r 10-99 -o /dev/null
"${NX[@]}" wget -q -O /dev/null "http://[$A]/"
"${NX[@]}" bash -c "echo hi >/dev/udp/$A/9" || true
"${NX[@]}" curl -6 -gs --max-time 2 "http://[$A]:81/" -o /dev/null || true
for t in 1 3 5 7 11 12 14 16 18 19 32 41 47 49 57; do
	"${NX[@]}" timeout 10 atk6-implementation6 -p cap0 $A $t >/dev/null 2>&1 || true
done
sleep 1 # tcpdump -U has written every packet
python3 fuzz/seeds.py --pcap "$TMP/cap.pcap" --mac 02:00:00:00:77:02 linux-ipv6 \
	--prefix6 2001:db8:77::
