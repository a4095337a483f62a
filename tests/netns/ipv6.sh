#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IPv6 on our own stack against Linux's (issue 18): `unideck serve --net tap:...
# --ip 10.x --ip6 2001:db8:...` in a network namespace of our own, dual stack.
# Duplicate address detection completes and the URLs are printed bracketed;
# ping -6 (global and link-local), curl -6 and wget of every path byte-identical
# to kernel sockets, 64 MB by hash, 200 concurrent fetches, IPv4 and IPv6 at
# once, a TCP reset over IPv6; then Linux's neighbour cache and our counters;
# SLAAC from radvd's advertisements on a second TAP; path MTU discovery
# through a Linux router with a 1280-MTU link.
# Every frame is recorded; the pcap is kept in build/test-logs/ipv6 on failure.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe6-$$" 2>/dev/null; then
	skip "ipv6: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe6-$$"
NS=ud-v6-$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
NC=ud-v6c-$$
CX=(ip netns exec "$NC")
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs/ipv6" &&
		cp "$TMP"/*.pcap "$TMP"/*.log "$ROOT/build/test-logs/ipv6/" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.2
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NC" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
"${NX[@]}" ip tuntap add dev u6t0 mode tap
"${NX[@]}" ip addr add 10.78.0.1/24 dev u6t0
"${NX[@]}" ip -6 addr add 2001:db8:78::1/64 dev u6t0 nodad
"${NX[@]}" ip link set u6t0 up
A6=2001:db8:78::2

cp -r "$ROOT/decks" "$TMP/decks"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$TMP/decks/features/media/big.bin"
big_sum=$(sha256sum <"$TMP/decks/features/media/big.bin" | cut -d' ' -f1)
"$UNIDECK" build "$TMP/decks" -o "$TMP/store" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the test store"; cat "$TMP/build.log"; exit 1; }

"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:u6t0 --ip 10.78.0.2/24 --ip6 $A6/64 \
	--mac 02:00:00:00:78:02 --stats --pcap "$TMP/server.pcap" >"$TMP/server.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for i in $(seq 1 100); do
	grep -q "^serving .* at http://\[$A6\]/ on our own" "$TMP/server.log" && break
	sleep 0.1
done
expect_match "serve prints its IPv6 URL bracketed once DAD is done" \
	"serving .* at http://\[$A6\]/ on our own TCP/IP stack \(IPv6\)" "$(cat "$TMP/server.log")"
LL=$(sed -n 's|^serving .* at http://\[\(fe80:[0-9a-f:]*\)%25u6t0\]/.*|\1|p' "$TMP/server.log")
expect_match "...and its link-local one, with the zone" '^fe80:' "$LL"
expect_match "the link-local interface identifier is not EUI-64 (RFC 7217)" '^ok$' \
	"$([ -n "$LL" ] && ! echo "$LL" | grep -q 'ff:fe' && echo ok || echo "$LL")"

"${NX[@]}" "$UNIDECK" serve "$TMP/store" --port 8099 >"$TMP/ref.log" 2>&1 &
PIDS+=("$!")
sleep 1

check "ping -6 the global address" "${NX[@]}" ping -6 -c 3 -i 0.2 -W 2 $A6
check "ping -6 the link-local address" "${NX[@]}" ping -6 -c 2 -i 0.2 -W 2 "$LL%u6t0"
out=$("${NX[@]}" ping -6 -f -c 2000 -W 2 $A6 2>&1)
expect_match "flood ping -6: 2000 echoes, none lost" " 2000 received, 0% packet loss" "$out"
nb=$("${NX[@]}" ip -6 neigh show dev u6t0 | grep -i "$A6 .*02:00:00:00:78:02")
expect_match "Linux resolved us by neighbour discovery" 'lladdr' "$nb"

mapfile -t paths < <("$UNIDECK" inspect "$TMP/store" --json | sed -n 's|^{"path":"\([^"]*\)".*|\1|p')
bad=0 n=0
for p in "${paths[@]}"; do
	[ "$p" = /features/media/big.bin ] && continue
	a=$("${NX[@]}" curl -6 -gsf "http://[$A6]$p" | sha256sum)
	b=$("${NX[@]}" curl -sf "http://127.0.0.1:8099$p" | sha256sum)
	c=$("${NX[@]}" wget -q -O - "http://[$A6]$p" | sha256sum)
	n=$((n + 1))
	[ "$a" = "$b" ] && [ "$c" = "$b" ] || { bad=$((bad + 1)); echo "# differs: $p" >&2; }
done
expect_match "curl -6 and wget: all $n paths byte-identical to kernel sockets" "^0 [1-9]" "$bad $n"

got=$("${NX[@]}" curl -6 -gsf --max-time 120 "http://[$A6]/features/media/big.bin" | sha256sum | cut -d' ' -f1)
expect_eq "64 MB over IPv6 by hash" "$big_sum" "$got"

seq 200 | "${NX[@]}" xargs -P 50 -I{} sh -c \
	"curl -6 -gsf --max-time 30 -o /dev/null -w '%{http_code}\n' 'http://[$A6]/unideck/'" \
	>"$TMP/many.log" 2>&1
expect_eq "200 concurrent fetches over IPv6" 200 "$(grep -c '^200$' "$TMP/many.log")"

# Dual stack: IPv4 and IPv6 at once.
(seq 50 | "${NX[@]}" xargs -P 10 -I{} curl -4 -sf -o /dev/null -w '%{http_code}\n' http://10.78.0.2/ >"$TMP/v4.log") &
v4=$!
seq 50 | "${NX[@]}" xargs -P 10 -I{} curl -6 -gsf -o /dev/null -w '%{http_code}\n' "http://[$A6]/" >"$TMP/v6.log"
wait $v4
expect_eq "dual stack: 50 IPv4 and 50 IPv6 requests at once" "50 50" \
	"$(grep -c '^200$' "$TMP/v4.log") $(grep -c '^200$' "$TMP/v6.log")"

out=$("${NX[@]}" curl -6 -gs --max-time 5 "http://[$A6]:81/" 2>&1; echo "rc=$?")
expect_match "a closed port over IPv6 is refused at once (a reset)" 'rc=7' "$out"

# SLAAC: radvd advertises a prefix on a second TAP; our stack (given only an
# IPv4 address) forms a stable privacy address in it, passes DAD, takes the
# router, and serves on it.
"${NX[@]}" ip tuntap add dev u6t1 mode tap
"${NX[@]}" ip addr add 10.78.1.1/24 dev u6t1
"${NX[@]}" ip -6 addr add 2001:db8:79::1/64 dev u6t1 nodad
"${NX[@]}" ip link set u6t1 up
"${NX[@]}" sysctl -qw net.ipv6.conf.all.forwarding=1
cat >"$TMP/radvd.conf" <<CONF
interface u6t1 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	prefix 2001:db8:79::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
};
CONF
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:u6t1 --ip 10.78.1.2/24 \
	--mac 02:00:00:00:79:02 --stats --pcap "$TMP/slaac.pcap" >"$TMP/slaac.log" 2>&1 &
SLAAC=$!
PIDS+=("$SLAAC")
if command -v radvd >/dev/null || [ -x /usr/sbin/radvd ]; then
	"${NX[@]}" "$(command -v radvd || echo /usr/sbin/radvd)" -n -C "$TMP/radvd.conf" \
		-p "$TMP/radvd.pid" -m logfile -l "$TMP/radvd.log" &
	PIDS+=("$!")
	for i in $(seq 1 150); do
		grep -q '^serving .* at http://\[2001:db8:79:' "$TMP/slaac.log" && break
		sleep 0.1
	done
	G=$(sed -n 's|^serving .* at http://\[\(2001:db8:79:[0-9a-f:]*\)\]/.*|\1|p' "$TMP/slaac.log")
	expect_match "SLAAC: an address in radvd's prefix, printed once DAD is done" '^2001:db8:79:' "$G"
	expect_match "SLAAC: a stable privacy identifier, not EUI-64 (RFC 7217)" '^ok$' \
		"$([ -n "$G" ] && ! echo "$G" | grep -q '00:79ff:fe' && echo ok || echo "$G")"
	check "SLAAC: ping -6 answers" "${NX[@]}" ping -6 -c 2 -i 0.2 -W 2 "$G"
	got=$("${NX[@]}" curl -6 -gsf --max-time 10 "http://[$G]/unideck/" | sha256sum)
	want=$("${NX[@]}" curl -sf "http://127.0.0.1:8099/unideck/" | sha256sum)
	expect_eq "SLAAC: curl -6 fetches a deck" "$want" "$got"
	got=$("${NX[@]}" wget -q -O - "http://[$G]/" | sha256sum)
	want=$("${NX[@]}" curl -sf "http://127.0.0.1:8099/" | sha256sum)
	expect_eq "SLAAC: wget fetches the index" "$want" "$got"
	kill -INT "$SLAAC"
	wait "$SLAAC"
	expect_match "SLAAC: the router taken from its RA ($(sed -n 's/^nd6.ra_routers //p' "$TMP/slaac.log")), its prefix used" \
		'^1 1$' "$(sed -n 's/^nd6.ra_routers //p' "$TMP/slaac.log") $(sed -n 's/^nd6.slaac_addrs //p' "$TMP/slaac.log")"
else
	skip "SLAAC with radvd: radvd is not installed"
fi

# Path MTU (RFC 8201): a client in another namespace behind a Linux router
# (our namespace, forwarding) whose link toward it has an MTU of 1280, while
# both ends speak 1500: our 1500-byte segments draw Packet Too Big from the
# router, and our TCP must shrink them to get the file through.
ip netns add "$NC"
"${CX[@]}" ip link set lo up
"${NX[@]}" ip link add v6r type veth peer name v6c netns "$NC"
"${NX[@]}" ip link set v6r mtu 1280 up
"${NX[@]}" ip -6 addr add 2001:db8:7b::1/64 dev v6r nodad
"${CX[@]}" ip link set v6c mtu 1500 up
"${CX[@]}" ip -6 addr add 2001:db8:7b::2/64 dev v6c nodad
"${CX[@]}" ip -6 route add default via 2001:db8:7b::1
"${NX[@]}" ip tuntap add dev u6t2 mode tap
"${NX[@]}" ip -6 addr add 2001:db8:7a::1/64 dev u6t2 nodad
"${NX[@]}" ip link set u6t2 up
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:u6t2 --ip6 2001:db8:7a::2/64 \
	--gw6 2001:db8:7a::1 --mac 02:00:00:00:7a:02 --stats --pcap "$TMP/pmtu.pcap" \
	>"$TMP/pmtu.log" 2>&1 &
PM=$!
PIDS+=("$PM")
for i in $(seq 1 100); do
	grep -q '^serving .* at http://\[2001:db8:7a::2\]/' "$TMP/pmtu.log" && break
	sleep 0.1
done
got=$("${CX[@]}" curl -6 -gsf --max-time 60 "http://[2001:db8:7a::2]/features/media/big.bin" | sha256sum | cut -d' ' -f1)
expect_eq "path MTU: 64 MB through a 1280-MTU link by hash" "$big_sum" "$got"
kill -INT "$PM"
wait "$PM"
expect_match "path MTU: Packet Too Big taken ($(sed -n 's/^ip6.icmp_too_big //p' "$TMP/pmtu.log")), the flow's MSS shrunk ($(sed -n 's/^tcp.pmtu_updates //p' "$TMP/pmtu.log"))" \
	'^[1-9][0-9]* [1-9]' "$(sed -n 's/^ip6.icmp_too_big //p' "$TMP/pmtu.log") $(sed -n 's/^tcp.pmtu_updates //p' "$TMP/pmtu.log")"

kill -INT "$SRV"
wait "$SRV"
stat() { sed -n "s/^$1 //p" "$TMP/server.log"; }
expect_match "DAD passed for both addresses, no conflict ($(stat nd6.dad_ok) ok)" '^2 0$' \
	"$(stat nd6.dad_ok) $(stat nd6.dad_conflicts)"
expect_match "neighbour solicitations answered ($(stat nd6.na_sent) NAs)" '^[1-9]' "$(stat nd6.na_sent)"
expect_match "MLDv2 reports sent for the solicited-node groups ($(stat nd6.mld_reports))" '^[1-9]' \
	"$(stat nd6.mld_reports)"
expect_match "segmentation offload over IPv6: Linux's TAP took $(stat ip6.tx_gso) large frames (GSO_TCPV6)" \
	'^[1-9]' "$(stat ip6.tx_gso)"
expect_match "no IPv6 packet refused as malformed" '^0 0 0$' \
	"$(stat ip6.rx_bad_len) $(stat ip6.rx_bad_ext) $(stat ip6.icmp_bad)"
echo "# $FAILS failed"
exit 0
