#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The follow relay in `unideck serve` on kernel sockets (tests/netns/relay.sh
# runs it on our own stack): an origin, a relay that names it "localhost"
# (the system's resolver, asked without blocking), and a relay of that relay
# that reaches it by an IPv6 literal ([::1]).
# A follower of the second relay gets the presenter's updates with the
# origin's nonce and MAC unchanged; a POST to a relay is 421; --upstream
# without --token, an https URL, a path and a bad port are refused at start;
# the origin stops (its connections close): the follower is told the upstream
# is lost; it restarts: told it is back, and follows the new origin.
. "$(dirname "$0")/../lib.sh"
CHECK=$ROOT/tests/netns/relay_check.py
TOK=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the test store"; cat "$TMP/build.log"; exit 1; }

for bad in "https://localhost/" "http://localhost/x/" "http://localhost:0/" "http://a b/" "http://1.2.3/"; do
	out=$("$UNIDECK" serve "$TMP/store" --port 0 --token "$TOK" --upstream "$bad" 2>&1)
	rc=$?
	expect_match "--upstream $bad is refused at start" "^unideck serve: --upstream" "$out"
	[ $rc = 2 ] || notok "--upstream $bad exits 2 (got $rc)"
done
out=$("$UNIDECK" serve "$TMP/store" --port 0 --upstream http://127.0.0.1:1/ 2>&1)
expect_match "--upstream without --token is refused" "wants the origin's --token" "$out"

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
PO=$(free_port) P1=$(free_port) P2=$(free_port)
"$UNIDECK" serve "$TMP/store" --port "$PO" --token "$TOK" >"$TMP/origin.log" 2>&1 &
ORIGIN=$!
PIDS+=("$ORIGIN")
wait_for "$TMP/origin.log" "serving" 10
"$UNIDECK" serve "$TMP/store" --host :: --port "$P1" --token "$TOK" \
	--upstream "http://localhost:$PO/" --stats >"$TMP/r1.log" 2>&1 &
R1=$!
PIDS+=("$R1")
"$UNIDECK" serve "$TMP/store" --port "$P2" --token "$TOK" --upstream "http://[::1]:$P1" \
	>"$TMP/r2.log" 2>&1 &
PIDS+=("$!")
for r in r1 r2; do
	if wait_for "$TMP/$r.log" 'relay: upstream .*: following' 15; then
		ok "relay $r follows its upstream on kernel sockets"
	else
		notok "relay $r follows its upstream on kernel sockets"
		sed 's/^/#   /' "$TMP/$r.log"
	fi
done
python3 "$ROOT/tests/netns/relay_follow.py" "$TMP/f.json" features "127.0.0.1:$P2" 3 &
PIDS+=("$!")
sleep 1
nonce=$(curl -sN --max-time 1 "http://127.0.0.1:$PO/_unideck/follow/features" |
	sed -n 's/.*"nonce":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
n=0
for pos in "3 0 -1" "1 1 0"; do
	n=$((n + 1))
	set -- $pos
	st=$(curl -s -o /dev/null -w '%{http_code}' -d "$(python3 "$CHECK" sign "$TOK" "$nonce" features $n "$@")" \
		"http://127.0.0.1:$PO/_unideck/follow/features")
	expect_eq "update $n accepted at the origin" 204 "$st"
	out=$(python3 "$CHECK" wait "$TMP/f.json" "$@" $n 15) && ok "the relay of a relay's followers show $1/$2/$3" ||
		notok "the relay of a relay's followers show $1/$2/$3: $out"
done
got=$(curl -sN --max-time 1 "http://127.0.0.1:$P2/_unideck/follow/features" | sed -n 's/.*"nonce":"\([0-9a-f]*\)".*"mac":"\([0-9a-f]*\)".*/\1 \2/p' | head -n 1)
want_mac=$(python3 "$CHECK" sign "$TOK" "$nonce" features 2 1 1 0 | sed 's/.*mac=//')
expect_eq "two hops away, the event carries the origin's nonce and the presenter's MAC" "$nonce $want_mac" "$got"
st=$(curl -s -o /dev/null -w '%{http_code}' -d "$(python3 "$CHECK" sign "$TOK" "$nonce" features 9 0 0 -1)" \
	"http://127.0.0.1:$P1/_unideck/follow/features")
expect_eq "a POST to a relay is refused (421)" 421 "$st"
kill -INT "$ORIGIN"
wait "$ORIGIN" 2>/dev/null
out=$(python3 "$CHECK" upstream "$TMP/f.json" 0 15 "127.0.0.1:$P2") && ok "the origin stops: followers two hops away are told" ||
	notok "the origin stops: followers two hops away are told: $out"
"$UNIDECK" serve "$TMP/store" --port "$PO" --token "$TOK" >"$TMP/origin2.log" 2>&1 &
PIDS+=("$!")
wait_for "$TMP/origin2.log" "serving" 10
out=$(python3 "$CHECK" upstream "$TMP/f.json" 1 30 "127.0.0.1:$P2") && ok "it restarts: they are told it is back" ||
	notok "it restarts: they are told it is back: $out"
nonce=$(curl -sN --max-time 1 "http://127.0.0.1:$PO/_unideck/follow/features" |
	sed -n 's/.*"nonce":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
curl -s -o /dev/null -d "$(python3 "$CHECK" sign "$TOK" "$nonce" features 1 4 0 -1)" "http://127.0.0.1:$PO/_unideck/follow/features"
out=$(python3 "$CHECK" wait "$TMP/f.json" 4 0 -1 1 15) && ok "and follow the restarted origin's first update" ||
	notok "and follow the restarted origin's first update: $out"
kill -INT "$R1"
wait "$R1" 2>/dev/null
expect_match "the relay counted its reconnections" 'relay.lost [1-9]' "$(cat "$TMP/r1.log")"
finish
