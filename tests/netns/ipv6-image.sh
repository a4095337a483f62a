#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The image with IPv6 on TAP (issue 18), booted by `unideck run --tap`: once
# with a static ip6= (passed as --ip6) beside its IPv4 address, serving curl -6
# and wget and IPv4 and IPv6 requests at once; once with SLAAC from radvd's
# advertisements (an RFC 7217 address, not EUI-64). The console prints each
# IPv6 URL bracketed once duplicate address detection has passed.
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

# boot LOG WANT ARGS...: run the image until its console shows WANT (an ERE).
boot() {
	image_boot "$1" "$2" 600 "$TMP/decks.elf" "${@:3}" && return 0
	sed 's/^/#   /' "$TMP/$1" | tail -20
	return 1
}

A6=2001:db8:80::2
if boot static.log "^unideck: IPv6: serving at http://\[$A6\]/" --tap uj0 --ip 10.80.0.2/24 \
	--ip6 $A6/64 --gw6 2001:db8:80::1; then
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
