#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DHCP as clouds give it, against dnsmasq in a network namespace of our own:
# `unideck serve --net tap --dhcp` (the image's stack and DHCP client) leased
# 10.128.0.5/32 with a classless static route to its gateway 10.128.0.1 and a
# default route through it (option 121, as Compute Engine leases; the router
# option names another address and must be ignored), MTU 1460 (option 26),
# which the SYN-ACK's MSS must follow, and a short T1 so a renewal happens.
# Served to curl on-link and from an off-link address behind the gateway.
# Then a DHCP server that is absent at first: the client says so on the
# console, keeps asking with backoff and takes the lease once dnsmasq starts.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "dhcp: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
PATH=$PATH:/usr/sbin
for c in dnsmasq curl tcpdump; do
	command -v "$c" >/dev/null || { skip "dhcp: $c is not installed"; exit 0; }
done
NS=ud-dhcp-$$
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
for i in 0 1; do
	"${NX[@]}" ip tuntap add dev "ud$i" mode tap
	"${NX[@]}" ip link set "ud$i" up
done
# The gateway's side: 10.128.0.1, with the guest's /32 on-link through the TAP
# (as a cloud's virtual router), and an off-link client address of its own.
# (noprefixroute: Linux's side knows only the /32 route; dnsmasq matches its
# range to the /24 and names 10.128.0.1 as the server.)
"${NX[@]}" ip addr add 10.128.0.1/24 dev ud0 noprefixroute
"${NX[@]}" ip route add 10.128.0.5/32 dev ud0
"${NX[@]}" ip addr add 198.51.100.7/32 dev lo
"${NX[@]}" ip addr add 10.129.0.1/24 dev ud1

"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the test store"; cat "$TMP/build.log"; exit 1; }

# dnsmasq IFACE RANGE OPTIONS...: a DHCP server only (no DNS) on IFACE.
dnsmasq_on() {
	local ifc=$1 range=$2
	shift 2
	"${NX[@]}" dnsmasq --no-daemon --interface="$ifc" --bind-interfaces --port=0 \
		--dhcp-range="$range" --dhcp-leasefile="$TMP/leases-$ifc" --log-dhcp \
		--pid-file="$TMP/dnsmasq-$ifc.pid" "$@" >"$TMP/dnsmasq-$ifc.log" 2>&1 &
	PIDS+=("$!")
}

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# The client is told /32 (option 1), its routes (121), a router it must
# ignore (3), MTU 1460 (26), and T1/T2 of 8 and 12 s within a 2-minute lease.
dnsmasq_on ud0 10.128.0.5,10.128.0.5,2m \
	--dhcp-option=option:netmask,255.255.255.255 \
	--dhcp-option=option:router,10.128.0.254 \
	--dhcp-option=option:classless-static-route,10.128.0.1/32,0.0.0.0,0.0.0.0/0,10.128.0.1 \
	--dhcp-option=option:mtu,1460 \
	--dhcp-option-force=option:T1,8 --dhcp-option-force=option:T2,12
sleep 0.5
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:ud0 --dhcp --pcap "$TMP/gce.pcap" \
	--stats >"$TMP/gce.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
if wait_for "$TMP/gce.log" '^serving .* at http://[0-9]' 30; then
	ok "leased an address from dnsmasq configured as Compute Engine"
else
	notok "leased an address from dnsmasq configured as Compute Engine"
	sed 's/^/#   /' "$TMP/gce.log" "$TMP/dnsmasq-ud0.log" | tail -n 40
	exit 1
fi
log=$(cat "$TMP/gce.log")
expect_match "the address is 10.128.0.5/32 via 10.128.0.1 (option 121, not the router option)" \
	'net: address 10\.128\.0\.5/32 via 10\.128\.0\.1$' "$log"
expect_match "option 26: MTU 1460, said on the console" 'net: MTU 1460' "$log"
expect_eq "curl on-link: the index" 200 \
	"$("${NX[@]}" curl -s --max-time 20 -o /dev/null -w '%{http_code}' http://10.128.0.5/)"
expect_eq "curl from an off-link address: answered through the default route" 200 \
	"$("${NX[@]}" curl -s --max-time 20 --interface 198.51.100.7 -o /dev/null \
		-w '%{http_code}' http://10.128.0.5/unideck/)"
# A renewal at T1 (8 s): dnsmasq acknowledges a second time.
if wait_for "$TMP/dnsmasq-ud0.log" 'DHCPACK.*10\.128\.0\.5.*' 1 &&
	for i in $(seq 1 250); do
		[ "$(grep -c 'DHCPACK(ud0) 10.128.0.5' "$TMP/dnsmasq-ud0.log")" -ge 2 ] && break
		sleep 0.1
	done && [ "$(grep -c 'DHCPACK(ud0) 10.128.0.5' "$TMP/dnsmasq-ud0.log")" -ge 2 ]; then
	ok "the lease is renewed at T1 (dnsmasq acknowledged it again)"
else
	notok "the lease is renewed at T1"
	tail -n 20 "$TMP/dnsmasq-ud0.log" | sed 's/^/#   /'
fi
kill -INT "$SRV"
wait "$SRV"
expect_eq "the server stops cleanly" 0 "$?"
mss=$(tcpdump -nn -r "$TMP/gce.pcap" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)' 2>/dev/null |
	grep -o 'mss [0-9]*' | sort -u | tr '\n' ' ')
expect_eq "TCP's MSS follows the MTU: every SYN-ACK offers 1420" "mss 1420 " "$mss"
expect_eq "no DHCP option refused" "0 0" \
	"$(sed -n 's/^dhcp.routes_bad //p' "$TMP/gce.log") $(sed -n 's/^dhcp.mtu_bad //p' "$TMP/gce.log")"

# An absent server: the client says so and keeps asking; dnsmasq starts late.
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:ud1 --dhcp --stats >"$TMP/late.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
if wait_for "$TMP/late.log" 'net: no DHCP offer after [0-9]+ s' 30; then
	ok "no DHCP server: the console says so ($(grep -o 'no DHCP offer after [0-9]* s' "$TMP/late.log" | head -n 1))"
else
	notok "no DHCP server: the console says so"
	sed 's/^/#   /' "$TMP/late.log"
fi
kill -0 "$SRV" 2>/dev/null && ok "and the server is still running, not hung on it" ||
	notok "and the server is still running"
dnsmasq_on ud1 10.129.0.50,10.129.0.60,255.255.255.0,2m
if wait_for "$TMP/late.log" '^serving .* at http://10\.129\.0\.' 60; then
	ok "a server that comes late is found by the next retransmission"
	url=$(sed -n 's|^serving .* at \(http://[0-9.:]*\)/.*|\1|p' "$TMP/late.log")
	expect_eq "and the leased address serves" 200 \
		"$("${NX[@]}" curl -s --max-time 20 -o /dev/null -w '%{http_code}' "$url/")"
else
	notok "a server that comes late is found by the next retransmission"
	sed 's/^/#   /' "$TMP/late.log" | tail -n 20
fi
kill -INT "$SRV"
wait "$SRV"
expect_eq "and it stops cleanly" 0 "$?"
echo "# $FAILS failed"
exit $((FAILS > 0))
