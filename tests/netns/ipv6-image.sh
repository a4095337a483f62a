#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The image with IPv6 on TAP (issue 18), booted by `unideck run --tap`: once
# with a static ip6= (passed as --ip6) beside its IPv4 address, serving curl -6
# and wget and IPv4 and IPv6 requests at once; once with SLAAC from radvd's
# advertisements (an RFC 7217 address, not EUI-64). The console prints each
# IPv6 URL bracketed once duplicate address detection has passed. The static
# boot has stats=1: its ip, arp, ip6 and nd6 lines must show DAD, and must move
# when tests/netns/inject6.py sends fragments the reassembly refuses (an
# overlap, one past the cap, more unfinished datagrams than slots), unknown
# next headers past the ICMPv6 error bucket, and neighbour solicitations from
# twice as many sources as the neighbour cache holds; the image serves after.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/netnslib.sh"

KERNEL=$ROOT/build/kernel/unideck.elf
ns_require "image with IPv6" qemu-system-x86_64 "$KERNEL"
ns_up img6 ipv6-image
for i in 0 1; do
	ns_tap "uj$i" "10.80.$i.1/24" "2001:db8:8$i::1/64"
done
"${NX[@]}" sysctl -qw net.ipv6.conf.all.forwarding=1

"$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.elf" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the image"; cat "$TMP/build.log"; exit 1; }
"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf --quiet
"${NX[@]}" "$UNIDECK" serve "$TMP/store" --port 8099 >"$TMP/ref.log" 2>&1 &
PIDS+=("$!")

# counter LAYER NAME: NAME's value in the newest whole "stats: LAYER" line of
# the static boot's console (stats=1: net_stats_brief's lines, each second).
counter() {
	local f=$TMP/static.log
	{ if [ -n "$(tail -c 1 "$f")" ]; then sed '$d' "$f"; else cat "$f"; fi; } |
		grep "^stats: $1 " | tail -n 1 | sed "s/^stats: $1 //" | tr ',' '\n' |
		awk -v n="$2" '$1 == n {print $2}'
}
# snap LAYER NAMES: their values in the newest line, "?" for one missing;
# full_or_recycled: nd6's cache_full + recycled (a full cache of entries
# in use refuses newcomers, one with stale entries recycles the oldest).
snap() {
	local n v
	for n in $2; do
		if [ "$n" = full_or_recycled ]; then
			v=$(($(counter nd6 cache_full) + $(counter nd6 recycled)))
		else
			v=$(counter "$1" "$n")
		fi
		printf '%s ' "${v:-?}"
	done
}
# moved NAMES BEFORE AFTER: "name a->b, ..."; true when every one grew.
moved() {
	local -a n=($1) a=($2) b=($3)
	local i rc=0 out=""
	for i in "${!n[@]}"; do
		out+="${n[$i]} ${a[$i]}->${b[$i]}, "
		[[ ${a[$i]} =~ ^[0-9]+$ && ${b[$i]} =~ ^[0-9]+$ ]] && [ "${b[$i]}" -gt "${a[$i]}" ] || rc=1
	done
	echo "${out%, }"
	return $rc
}
# stats_lines: how many whole ip6 lines the static boot has printed.
stats_lines() { grep -c '^stats: ip6 .*icmp_too_big [0-9]*$' "$TMP/static.log"; }
# stats_wait: until two more whole lines are out (one begun after the call).
stats_wait() {
	local n
	n=$(stats_lines)
	for _ in $(seq 1 300); do [ "$(stats_lines)" -ge $((n + 2)) ] && break; sleep 0.1; done
}

# boot LOG WANT ARGS...: run the image until its console shows WANT (an ERE).
boot() {
	image_boot "$1" "$2" 600 "$TMP/decks.elf" "${@:3}" && return 0
	sed 's/^/#   /' "$TMP/$1" | tail -20
	return 1
}

A6=2001:db8:80::2
if boot static.log "^unideck: IPv6: serving at http://\[$A6\]/" --tap uj0 --ip 10.80.0.2/24 \
	--ip6 $A6/64 --gw6 2001:db8:80::1 --append stats=1; then
	ok "the image with ip6= prints its bracketed URL once DAD is done"
	expect_match "...and its link-local one" '^unideck: IPv6: serving at http://\[fe80:' \
		"$(cat "$TMP/static.log")"
	check "image, static ip6=: ping -6" "${NX[@]}" ping -6 -c 2 -i 0.2 -W 2 $A6
	for p in / /unideck/; do
		a=$("${NX[@]}" curl -6 -gsf --max-time 20 "http://[$A6]$p" | sha256sum)
		b=$("${NX[@]}" curl -sf "http://127.0.0.1:8099$p" | sha256sum)
		c=$("${NX[@]}" wget -q -T 20 -O - "http://[$A6]$p" | sha256sum)
		expect_eq "image, static ip6=: curl -6 and wget of $p match kernel sockets" "$b $b" "$a $c"
	done
	(seq 30 | "${NX[@]}" xargs -P 6 -I{} curl -4 -sf --max-time 20 -o /dev/null -w '%{http_code}\n' http://10.80.0.2/ >"$TMP/v4.log") &
	v4=$!
	seq 30 | "${NX[@]}" xargs -P 6 -I{} curl -6 -gsf --max-time 20 -o /dev/null -w '%{http_code}\n' "http://[$A6]/" >"$TMP/v6.log"
	wait $v4
	expect_eq "image, dual stack: 30 IPv4 and 30 IPv6 requests at once" "30 30" \
		"$(grep -c '^200$' "$TMP/v4.log") $(grep -c '^200$' "$TMP/v6.log")"

	# stats=1 (issue 18): the image's network-layer counters, a line a layer
	# beside the http line, must move when fragments and neighbour discovery
	# come in: fragmented echoes both ways, then fragments the reassembly
	# refuses, unknown next headers past the error bucket, and more
	# neighbour solicitations from distinct sources than the cache holds.
	stats_wait
	expect_match "stats=1: the image reports IPv4 and ARP counters beside the http line" \
		'^[1-9][0-9]* [1-9][0-9]*$' "$(counter ip rx) $(counter arp rx)"
	expect_match "stats=1: DAD counted for both addresses (started, passed, conflicts: $(snap nd6 "dad_started dad_ok dad_conflicts" | sed 's/ $//'))" \
		'^[2-9] [2-9] 0$' "$(counter nd6 dad_started) $(counter nd6 dad_ok) $(counter nd6 dad_conflicts)"
	frag_names="rx_frags reasm_ok reasm_overlap reasm_too_big reasm_evicted"
	nd_names="rx_ns na_sent full_or_recycled"
	err_names="rx_unknown_next icmp_errors_sent icmp_rate_limited"
	f0=$(snap ip6 "$frag_names") n0=$(snap nd6 "$nd_names") e0=$(snap ip6 "$err_names")
	check "image, static ip6=: ping -6 with 3000-byte echoes (fragmented both ways)" \
		"${NX[@]}" ping -6 -c 2 -i 0.3 -W 5 -s 3000 $A6
	mac=$(sed -n 's/^pvh: net: .*MAC \([0-9a-f:]*\),.*/\1/p' "$TMP/static.log")
	inj() { "${NX[@]}" python3 "$ROOT/tests/netns/inject6.py" "$1" uj0 "$mac" "${@:2}"; }
	slots=$(sed -n 's/^#define IP6_REASM_SLOTS *\([0-9]*\)u.*/\1/p' "$ROOT/net/ipv6.h")
	cache=$(sed -n 's/^#define ND6_ENTRIES *\([0-9]*\)u.*/\1/p' "$ROOT/net/ipv6.h")
	echo "# $(inj frags 2001:db8:80::1 $A6 "$slots")"
	echo "# $(inj errors 2001:db8:80::1 $A6 300)"
	echo "# $(inj ns $A6 $((cache * 2)))"
	stats_wait
	f1=$(snap ip6 "$frag_names") n1=$(snap nd6 "$nd_names") e1=$(snap ip6 "$err_names")
	if out=$(moved "$frag_names" "$f0" "$f1"); then
		ok "stats=1: reassembly counted in the image ($out)"
	else
		notok "stats=1: reassembly counters did not all move: $out"
	fi
	if out=$(moved "$nd_names" "$n0" "$n1"); then
		ok "stats=1: neighbour discovery counted, $((cache * 2)) solicitors meeting the cache of $cache ($out)"
	else
		notok "stats=1: neighbour discovery counters did not all move: $out"
	fi
	if out=$(moved "$err_names" "$e0" "$e1"); then
		ok "stats=1: the ICMPv6 error bucket limited the parameter problems ($out)"
	else
		notok "stats=1: ICMPv6 error counters did not all move: $out"
	fi
	echo "# reassembly timeouts so far (60 s, RFC 8200 4.5; not waited for): $(counter ip6 reasm_timeout)"
	grep '^stats: \(ip\|arp\|ip6\|nd6\) ' "$TMP/static.log" | tail -n 4 | sed 's/^/# /'
	a=$("${NX[@]}" curl -6 -gsf --max-time 20 "http://[$A6]/unideck/" | sha256sum)
	b=$("${NX[@]}" curl -sf "http://127.0.0.1:8099/unideck/" | sha256sum)
	expect_eq "image, static ip6=: still serving curl -6 after the hostile frames" "$b" "$a"
	kill "$RUN" 2>/dev/null
	wait "$RUN" 2>/dev/null
else
	notok "the image boots with ip6= and serves IPv6"
fi

if ! command -v radvd >/dev/null; then
	skip "image with SLAAC: radvd is not installed"
	exit 0
fi
cat >"$TMP/radvd.conf" <<CONF
interface uj1 {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	prefix 2001:db8:81::/64 { AdvOnLink on; AdvAutonomous on; };
};
CONF
"${NX[@]}" radvd -n -C "$TMP/radvd.conf" -p "$TMP/radvd.pid" -m logfile -l "$TMP/radvd.log" &
PIDS+=("$!")
if boot slaac.log '^unideck: IPv6: serving at http://\[2001:db8:81:' --tap uj1 --ip 10.80.1.2/24; then
	G=$(sed -n 's|^unideck: IPv6: serving at http://\[\(2001:db8:81:[0-9a-f:]*\)\]/.*|\1|p' "$TMP/slaac.log")
	ok "the image takes an address by SLAAC from radvd's prefix ($G)"
	expect_match "image, SLAAC: a stable privacy identifier, not EUI-64 (RFC 7217)" '^ok$' \
		"$(echo "$G" | grep -q 'ff:fe' && echo "$G" || echo ok)"
	a=$("${NX[@]}" curl -6 -gsf --max-time 20 "http://[$G]/unideck/" | sha256sum)
	b=$("${NX[@]}" curl -sf "http://127.0.0.1:8099/unideck/" | sha256sum)
	expect_eq "image, SLAAC: curl -6 fetches a deck" "$b" "$a"
	kill "$RUN" 2>/dev/null
	wait "$RUN" 2>/dev/null
else
	notok "the image takes an address by SLAAC and serves on it"
fi
echo "# $FAILS failed"
exit 0
