#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# thc-ipv6 (Debian's thc-ipv6, van Hauser's attack toolkit) against our IPv6
# (issue 18): `unideck serve --net tap:...` in a network namespace of our own,
# and the image booted on a second TAP. Linux is only the wire: the tools
# write their frames onto the TAP's host side, our stack reads them.
#
# - atk6-implementation6 runs its whole suite; every test must leave the server
#   answering, and its report goes to build/test-logs/ipv6-thc/ (THC_REPORT=FILE
#   writes it there instead: bench/thc-implementation6.txt is one such run).
# - The floods (flood_router26, flood_advertise6, flood_solicitate6,
#   ndpexhaust26, fragmentation6 in flood mode, denial6's seven cases) each
#   run for THC_SECONDS (default 4) while an honest client fetches a deck by
#   curl -6 over and over; every fetch must be served (the percentage is in the
#   result's name), the server must survive, and afterwards the counters must
#   show the caps held: the neighbour cache's and reassembly's drops counted.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probethc-$$" 2>/dev/null; then
	skip "thc-ipv6: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probethc-$$"
if ! command -v atk6-implementation6 >/dev/null; then
	skip "thc-ipv6: atk6-implementation6 is not installed (scripts/deps.sh installs thc-ipv6)"
	exit 0
fi
SECS=${THC_SECONDS:-4}
NS=ud-thc-$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
LOGS=$ROOT/build/test-logs/ipv6-thc
mkdir -p "$LOGS"
teardown() {
	cp "$TMP"/*.log "$TMP"/*.txt "$LOGS/" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.3
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
for i in 0 1; do
	"${NX[@]}" ip tuntap add dev "th$i" mode tap
	"${NX[@]}" ip addr add "10.83.$i.1/24" dev "th$i"
	"${NX[@]}" ip -6 addr add "2001:db8:83$i::1/64" dev "th$i" nodad
	"${NX[@]}" ip link set "th$i" up
done

"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf --quiet >"$TMP/build.log" 2>&1 ||
	{ notok "build the test store"; cat "$TMP/build.log"; exit 1; }
A6=2001:db8:830::2
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net tap:th0 --ip 10.83.0.2/24 --ip6 $A6/64 \
	--mac 02:00:00:00:83:02 --stats >"$TMP/server.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for i in $(seq 1 100); do
	grep -q "^serving .* at http://\[$A6\]/" "$TMP/server.log" && break
	sleep 0.1
done
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --port 8099 >"$TMP/ref.log" 2>&1 &
PIDS+=("$!")
sleep 1
WANT=$("${NX[@]}" curl -sf --max-time 20 "http://127.0.0.1:8099/unideck/" | sha256sum)
got=$("${NX[@]}" curl -6 -gsf --max-time 20 "http://[$A6]/unideck/" | sha256sum)
expect_eq "tap: the server answers over IPv6 before the attacks, as kernel sockets do" "$WANT" "$got"

# honest ADDR N: N fetches of a deck, one after another; prints "served N".
honest() {
	local a=$1 n=$2 k good=0
	for k in $(seq 1 "$n"); do
		got=$("${NX[@]}" curl -6 -gsf --max-time 30 "http://[$a]/unideck/" | sha256sum)
		[ "$got" = "$WANT" ] && good=$((good + 1))
	done
	echo "$good"
}

# attack LABEL ADDR N TOOL ARGS...: the tool for SECS seconds (or until it
# ends) while N honest fetches go on; every fetch must be served.
attack() {
	local label=$1 a=$2 n=$3 tool=$4 pid good
	shift 4
	"${NX[@]}" timeout -s INT "$SECS" "atk6-$tool" "$@" >"$TMP/$label.log" 2>&1 &
	pid=$!
	good=$(honest "$a" "$n")
	wait "$pid"
	expect_eq "$label: atk6-$tool $*: $good of $n honest fetches served ($((good * 100 / n))%)" \
		"$n" "$good"
}

# suite WHO ADDR IFACE N: implementation6 and the floods against one target.
suite() {
	local who=$1 a=$2 dev=$3 n=$4 t
	"${NX[@]}" timeout 600 atk6-implementation6 "$dev" "$a" >"$TMP/implementation6-$who.txt" 2>&1
	if [ -n "${THC_REPORT:-}" ] && [ "$who" = tap ]; then
		cp "$TMP/implementation6-$who.txt" "$THC_REPORT"
	fi
	expect_match "$who: implementation6 ran its suite ($(grep -c '^Test' "$TMP/implementation6-$who.txt") tests)" \
		'^Test +[0-9]+' "$(cat "$TMP/implementation6-$who.txt")"
	got=$("${NX[@]}" curl -6 -gsf --max-time 30 "http://[$a]/unideck/" | sha256sum)
	expect_eq "$who: the server still serves after implementation6" "$WANT" "$got"
	attack "$who-flood_router26" "$a" "$n" flood_router26 "$dev"
	attack "$who-flood_advertise6" "$a" "$n" flood_advertise6 "$dev"
	attack "$who-flood_solicitate6" "$a" "$n" flood_solicitate6 "$dev" "$a"
	attack "$who-ndpexhaust26" "$a" "$n" ndpexhaust26 -r -p "$dev" "${a%::*}::/64"
	attack "$who-fragmentation6" "$a" "$n" fragmentation6 -f -p "$dev" "$a"
	for t in 1 2 3 4 5 6 7; do
		attack "$who-denial6-$t" "$a" "$((n / 4 + 1))" denial6 "$dev" "$a" "$t"
	done
}

# The image: the same, on the second TAP, at the same time as the TAP stack
# (the two suites share nothing but the namespace; QEMU's TCG is slow: fewer
# fetches). Its lines are printed once both are done.
KERNEL=$ROOT/build/kernel/unideck.elf
IMAGE_SUITE=""
if ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$KERNEL" ]; then
	skip "image under thc-ipv6: needs qemu-system-x86_64 and $KERNEL"
elif ! "$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.elf" --no-pdf >"$TMP/build-image.log" 2>&1; then
	notok "build the image"
else
	B6=2001:db8:831::2
	"${NX[@]}" "$UNIDECK" run "$TMP/decks.elf" --tap th1 --ip 10.83.1.2/24 --ip6 $B6/64 \
		>"$TMP/image.log" 2>&1 &
	RUN=$!
	PIDS+=("$RUN")
	(
		for i in $(seq 1 1800); do
			grep -q "^unideck: IPv6: serving at http://\[$B6\]/" "$TMP/image.log" && break
			kill -0 "$RUN" 2>/dev/null || break
			sleep 0.1
		done
		got=$("${NX[@]}" curl -6 -gsf --max-time 60 "http://[$B6]/unideck/" | sha256sum)
		expect_eq "image: serves over IPv6 before the attacks" "$WANT" "$got"
		suite image "$B6" th1 6
		kill -0 "$RUN" 2>/dev/null && ok "image: the VM survived every tool" || notok "image: the VM died"
	) >"$TMP/image-suite.out" 2>&1 &
	IMAGE_SUITE=$!
fi

suite tap "$A6" th0 24
kill -0 "$SRV" 2>/dev/null && ok "tap: the server survived every tool" ||
	notok "tap: the server died"
kill -INT "$SRV"
wait "$SRV"
stat() { sed -n "s/^$1 //p" "$TMP/server.log"; }
nc_max=$(sed -n 's/^#define ND6_ENTRIES *\([0-9]*\)u.*/\1/p' "$ROOT/net/ipv6.h")
expect_match "tap: flood_solicitate6 and flood_advertise6 reached us ($(stat nd6.rx_ns) NSs, $(stat nd6.rx_na) NAs)" \
	'^[0-9]{4,} [0-9]{4,}$' "$(stat nd6.rx_ns) $(stat nd6.rx_na)"
expect_match "tap: the floods met the neighbour cache's cap of $nc_max and it counted them (cache_full $(stat nd6.cache_full), recycled $(stat nd6.recycled), incomplete_full $(stat nd6.incomplete_full))" \
	'^[1-9]' "$(($(stat nd6.cache_full) + $(stat nd6.recycled)))"
expect_match "tap: reassembly took fragmentation6's datagrams and counted what it refused (ok $(stat ip6.reasm_ok), overlap $(stat ip6.reasm_overlap), timeout $(stat ip6.reasm_timeout), evicted $(stat ip6.reasm_evicted))" \
	'^[1-9][0-9]* [1-9]' "$(stat ip6.reasm_ok) $(stat ip6.reasm_overlap)"
expect_match "tap: the error bucket limited ICMPv6 errors ($(stat ip6.icmp_errors_sent) sent, $(stat ip6.icmp_rate_limited) limited)" \
	'^[0-9]+ [1-9]' "$(stat ip6.icmp_errors_sent) $(stat ip6.icmp_rate_limited)"
expect_match "tap: router advertisements taken at most once as our router and prefix ($(stat nd6.ra_routers) routers, $(stat nd6.slaac_addrs) SLAAC addresses with a static one)" \
	'^[0-1] 0$' "$(stat nd6.ra_routers) $(stat nd6.slaac_addrs)"

if [ -n "$IMAGE_SUITE" ]; then
	wait "$IMAGE_SUITE"
	cat "$TMP/image-suite.out"
	grep -q '^ok - image: the VM survived every tool' "$TMP/image-suite.out" ||
		grep -q '^not ok - image: the VM died' "$TMP/image-suite.out" ||
		notok "image: the suite did not finish"
fi
exit 0
