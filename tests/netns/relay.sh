#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live follow across instances (issue 19), in a network namespace of our own:
# on one bridge, an origin and two relays (`unideck serve --net tap`, our own
# TCP/IP stack each; one relay finds the origin by name, through the name
# server that DHCP option 6 named: dnsmasq for both), all
# three behind HAProxy, which spreads followers across them and sends the
# presenter's POSTs to the origin; a chain origin -> relay -> relay -> the VM
# image (relay of a relay of a relay, under QEMU), and a relay that reaches the
# origin over IPv6 by a literal. Python followers (through
# the balancer and direct) and two Chromium pages must all show the
# presenter's slide after every move (asserted on the received position, not
# on times); a POST to a relay is refused (421); a forged update moves nobody.
# Then the origin stops: the relays' followers are told the upstream is lost,
# in Chromium too; it restarts (a new nonce): they are told it is back and
# follow the next move. Last, a hostile upstream (forged MACs, a malformed
# event, an oversized one) moves no follower of the relay it feeds.
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "relay: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
PATH=$PATH:/usr/sbin
for c in haproxy dnsmasq curl python3; do
	command -v "$c" >/dev/null || { skip "relay: $c is not installed"; exit 0; }
done
KERNEL=$ROOT/build/kernel/unideck.elf
NS=ud-relay-$$
BR=urbr$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs" &&
		for f in "$TMP"/*.log; do cp "$f" "$ROOT/build/test-logs/relay-$(basename "$f")"; done
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.3
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
"${NX[@]}" ip link add "$BR" type bridge
"${NX[@]}" ip addr add 10.77.0.1/24 dev "$BR"
"${NX[@]}" ip -6 addr add fd77::1/64 dev "$BR" nodad
"${NX[@]}" ip link set "$BR" up
for t in o r1 r2 r3 r6 im fk; do
	"${NX[@]}" ip tuntap add dev "ur$t" mode tap
	"${NX[@]}" ip link set "ur$t" master "$BR"
	"${NX[@]}" ip link set "ur$t" up
done
TOK=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
O=10.77.0.11 R1=10.77.0.12 R2=10.77.0.13 R3=10.77.0.14 IM=10.77.0.15 FK=10.77.0.16
LB=10.77.0.1:8000
CHECK=$ROOT/tests/netns/relay_check.py

"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the test store"; cat "$TMP/build.log"; exit 1; }

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# instance NAME TAP ADDR [ARGS...]: serve the store on our own stack.
instance() {
	local name=$1 tap=$2 addr=$3
	shift 3
	"${NX[@]}" "$UNIDECK" serve "$TMP/store" --net "tap:$tap" ${addr:+--ip "$addr/24"} \
		--token "$TOK" --flows 512 --stats "$@" >>"$TMP/$name.log" 2>&1 &
	eval "PID_$name=$!"
	PIDS+=("$!")
}

# dnsmasq for the relay that finds its upstream by name: its address and its
# name server come from DHCP (option 6, pinned to its MAC), and the name
# server knows origin.relay.test.
"${NX[@]}" dnsmasq --no-daemon --port=53 --interface="$BR" --bind-interfaces \
	--no-resolv --no-hosts --address=/origin.relay.test/$O --log-queries \
	--dhcp-range=10.77.0.100,10.77.0.150,1h --dhcp-host=02:77:00:00:00:13,$R2 \
	--dhcp-option=option:dns-server,10.77.0.1 --dhcp-leasefile="$TMP/leases" \
	--pid-file="$TMP/dnsmasq.pid" >"$TMP/dnsmasq.log" 2>&1 &
PIDS+=("$!")
# A fixed MAC, as a VM keeps across a restart: our stack never lets an ARP
# entry be overwritten (net/arp.h), so a new MAC is reachable only after
# ARP_REACHABLE_NS.
instance origin uro $O --mac 02:77:00:00:00:11 --ip6 fd77::11/64
wait_for "$TMP/origin.log" "serving .* at http://$O/" 20 || { notok "the origin starts"; cat "$TMP/origin.log"; exit 1; }
instance r1 urr1 $R1 --upstream "http://$O/"
instance r2 urr2 "" --dhcp --mac 02:77:00:00:00:13 --upstream "http://origin.relay.test/"
instance r3 urr3 $R3 --upstream "http://$R1:80/"
# One relay reaches the origin over IPv6, by a literal.
instance r6 urr6 "" --ip6 fd77::16/64 --upstream "http://[fd77::11]/"
for r in r1 r2 r3 r6; do
	if wait_for "$TMP/$r.log" 'relay: upstream .*: following' 30; then
		ok "relay $r follows its upstream"
	else
		notok "relay $r follows its upstream"
		sed 's/^/#   /' "$TMP/$r.log" | tail -5
	fi
done
expect_match "relay r2 found origin.relay.test through the name server DHCP gave it" \
	"query\[A\] origin.relay.test from 10.77.0.13" "$(cat "$TMP/dnsmasq.log")"

# The image, at the end of the chain: origin -> r1 -> r3 -> image.
have_image=""
if command -v qemu-system-x86_64 >/dev/null && [ -f "$KERNEL" ]; then
	"$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.elf" --no-pdf >"$TMP/build-image.log" 2>&1 &&
		"${NX[@]}" "$UNIDECK" run "$TMP/decks.elf" --tap urim --ip $IM/24 \
			--append "token=$TOK upstream=http://$R3/" >"$TMP/image.log" 2>&1 &
	PIDS+=("$!")
	if wait_for "$TMP/image.log" 'relay: upstream .*: following' 180; then
		have_image=1
		ok "the VM image relays from the relay of a relay"
	else
		notok "the VM image relays from the relay of a relay"
		sed 's/^/#   /' "$TMP/image.log" | tail -8
	fi
else
	skip "relay: the image in the chain needs qemu-system-x86_64 and $KERNEL"
fi

cat >"$TMP/haproxy.cfg" <<EOF
global
	maxconn 4096
defaults
	mode http
	timeout connect 5s
	timeout client 1h
	timeout server 1h
	timeout tunnel 1h
frontend decks
	bind $LB
	acl present method POST
	acl follow path_beg /_unideck/follow/
	use_backend origin if present follow
	default_backend all
backend all
	balance roundrobin
	http-response set-header X-Served-By %[srv_name]
	server origin $O:80
	server r1 $R1:80
	server r2 $R2:80
backend origin
	server origin $O:80
EOF
"${NX[@]}" haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
PIDS+=("$!")
sleep 1

# Followers: 30 through the balancer, 6 on the chain's relay, 4 on the image.
"${NX[@]}" python3 "$ROOT/tests/netns/relay_follow.py" "$TMP/lb.json" features "$LB" 30 &
PIDS+=("$!")
"${NX[@]}" python3 "$ROOT/tests/netns/relay_follow.py" "$TMP/r3.json" features "$R3:80" 6 &
PIDS+=("$!")
"${NX[@]}" python3 "$ROOT/tests/netns/relay_follow.py" "$TMP/r6.json" features "[fd77::16]:80" 3 &
PIDS+=("$!")
if [ -n "$have_image" ]; then
	"${NX[@]}" python3 "$ROOT/tests/netns/relay_follow.py" "$TMP/im.json" features "$IM:80" 4 &
	PIDS+=("$!")
fi
sleep 2
spread=$(python3 "$CHECK" spread "$TMP/lb.json")
expect_match "the balancer spreads followers over all three instances ($spread)" \
	'origin=[0-9]+ r1=[0-9]+ r2=[0-9]+' "$spread"

# Chromium: one page through the balancer, one on the chain's relay.
have_chromium=""
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ -d "$ROOT/node_modules/playwright-core" ]; then
	mkdir -p "$TMP/signals"
	"${NX[@]}" node "$ROOT/tests/browser/relay.mjs" "http://$LB" "$TOK" "$TMP/signals" \
		"http://$LB" "http://$R3" >"$TMP/browser.log" 2>&1 &
	BROWSER=$!
	PIDS+=("$BROWSER")
	have_chromium=1
else
	skip "relay: Chromium followers need chromium and playwright-core"
fi

nonce=$("${NX[@]}" curl -sN --max-time 2 "http://$O/_unideck/follow/features" |
	sed -n 's/.*"nonce":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
# present N H V F: the presenter's POST through the balancer.
present() {
	"${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		-d "$(python3 "$CHECK" sign "$TOK" "$nonce" features "$@")" \
		"http://$LB/_unideck/follow/features"
}
# all_at H V F N: every follower (balancer, chain, image) there.
# (within WAIT seconds, 20 unless set: a bound for failing, not a measure)
all_at() {
	local out rc=0
	out=$(python3 "$CHECK" wait "$TMP/lb.json" "$@" "${WAIT:-20}") || rc=1
	out="$out; $(python3 "$CHECK" wait "$TMP/r3.json" "$@" "${WAIT:-20}")" || rc=1
	out="$out; $(python3 "$CHECK" wait "$TMP/r6.json" "$@" "${WAIT:-20}")" || rc=1
	if [ -n "$have_image" ]; then
		out="$out; $(python3 "$CHECK" wait "$TMP/im.json" "$@" "${WAIT:-20}")" || rc=1
	fi
	echo "$out"
	return $rc
}
# Let the browser make its moves first (n 101..103), then ours go past them.
if [ -n "$have_chromium" ]; then
	wait_for "$TMP/browser.log" 'waiting for the origin to stop' 120 ||
		{ notok "the browser part ran"; sed 's/^/#   /' "$TMP/browser.log" | tail -10; }
fi
n=200
for pos in "5 0 -1" "2 1 -1" "3 0 0" "0 0 -1"; do
	n=$((n + 1))
	set -- $pos
	st=$(present $n "$1" "$2" "$3")
	expect_eq "presenter update $n through the balancer is accepted" 204 "$st"
	if out=$(all_at "$1" "$2" "$3" $n); then
		ok "every follower (balancer, relay of a relay, IPv6 relay, image) shows $1/$2/$3 ($out)"
	else
		notok "every follower shows $1/$2/$3: $out"
	fi
done
st=$("${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	-d "$(python3 "$CHECK" sign "$TOK" "$nonce" features 300 1 0 -1)" \
	"http://$R1/_unideck/follow/features")
expect_eq "a presenter POST to a relay is refused (421)" 421 "$st"
st=$("${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	-d "n=301&h=7&v=0&f=-1&mac=$(printf '%064d' 0)" "http://$LB/_unideck/follow/features")
expect_eq "a forged update is refused at the origin (403)" 403 "$st"
out=$(all_at 0 0 -1 $n) && ok "the forged update moved nobody" ||
	notok "the forged update moved nobody: $out"

# The origin stops: the relays' followers hear of it, then of its return.
kill -INT "$PID_origin"
wait "$PID_origin" 2>/dev/null
# Its --stats: each event was written once for every follower and relay of
# its topic (app/app.c's shared slots), not once per follower.
copies=$(sed -n 's/^follow\.event_copies //p' "$TMP/origin.log" | tail -1)
sent=$(sed -n 's/^follow\.events_sent //p' "$TMP/origin.log" | tail -1)
if [ -n "$copies" ] && [ -n "$sent" ] && [ "$copies" -gt 0 ] && [ $((2 * copies)) -lt "$sent" ]; then
	ok "the origin wrote each event once for all its followers ($copies copies for $sent sends)"
else
	notok "the origin wrote each event once for all its followers (${copies:-?} copies for ${sent:-?} sends)"
fi
told=1
for t in "$TMP/r3.json $R3:80" ${have_image:+"$TMP/im.json $IM:80"}; do
	set -- $t
	if ! out=$(python3 "$CHECK" upstream "$1" 0 40 "$2"); then
		told=0
		notok "followers of $2 are told the upstream is lost: $out"
	fi
done
[ $told = 1 ] && ok "followers of the relays are told the upstream is lost"
if out=$(python3 "$CHECK" wait "$TMP/r3.json" 0 0 -1 $n 5); then
	ok "while it is lost they keep the presenter's last slide"
else
	notok "while it is lost they keep the presenter's last slide: $out"
fi
[ -n "$have_chromium" ] && touch "$TMP/signals/lost"
sleep 1
instance origin2 uro $O --mac 02:77:00:00:00:11 --ip6 fd77::11/64
wait_for "$TMP/origin2.log" "serving .* at http://$O/" 20 ||
	notok "the origin restarts: $(tail -3 "$TMP/origin2.log")"
told=1
for t in "$TMP/r3.json $R3:80" ${have_image:+"$TMP/im.json $IM:80"}; do
	set -- $t
	if ! out=$(python3 "$CHECK" upstream "$1" 1 60 "$2"); then
		told=0
		notok "followers of $2 are told the upstream is back: $out"
	fi
done
[ $told = 1 ] && ok "followers of the relays are told the upstream is back"
for r in r1 r2; do
	expect_match "relay $r logged the loss and retried with backoff" \
		'relay: upstream .*: (went silent|closed the connection|connection lost|cannot connect).*again in [0-9]+ ms' \
		"$(cat "$TMP/$r.log")"
done
[ -n "$have_chromium" ] && touch "$TMP/signals/back"
if [ -n "$have_chromium" ]; then
	wait "$BROWSER"
	grep -E '^(ok|not ok|skip) ' "$TMP/browser.log"
	FAILS=$((FAILS + $(grep -c '^not ok' "$TMP/browser.log")))
	grep -q '^ok' "$TMP/browser.log" || notok "the browser part ran: $(tail -3 "$TMP/browser.log")"
fi
nonce=$("${NX[@]}" curl -sN --max-time 2 "http://$O/_unideck/follow/features" |
	sed -n 's/.*"nonce":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
st=$(present 50 4 0 -1)
expect_eq "an update to the restarted origin is accepted" 204 "$st"
# Followers the balancer had on the old origin sit on a connection that
# HAProxy still holds (the origin vanished without a FIN): like deck.js, they
# give up on a stream silent for 40 s and reconnect.
if out=$(WAIT=90 all_at 4 0 -1 50); then
	ok "after the restart every follower follows the new origin ($out)"
else
	notok "after the restart every follower follows the new origin: $out"
fi

# A hostile upstream: nothing it sends moves the relay's followers.
"${NX[@]}" python3 "$ROOT/tests/netns/relay_fake.py" 10.77.0.1 8099 >"$TMP/fake.log" 2>&1 &
PIDS+=("$!")
instance fk urfk $FK --upstream "http://10.77.0.1:8099/"
"${NX[@]}" python3 "$ROOT/tests/netns/relay_follow.py" "$TMP/fk.json" features "$FK:80" 3 &
PIDS+=("$!")
wait_for "$TMP/fk.log" 'sent a malformed event' 30
sleep 1
pos=$(python3 -c 'import json,sys; print(sorted(set(str(f["pos"]) for f in json.load(open(sys.argv[1])))))' "$TMP/fk.json")
expect_eq "a hostile upstream moves no follower" "['None']" "$pos"
kill -INT "$PID_fk"
wait "$PID_fk" 2>/dev/null
expect_match "the forged MAC was counted and dropped" 'relay.forged [1-9]' "$(cat "$TMP/fk.log")"
expect_match "the malformed event dropped the upstream, which is retried" \
	'relay: upstream .*: sent a malformed event; again in [0-9]+ ms' "$(cat "$TMP/fk.log")"
finish
