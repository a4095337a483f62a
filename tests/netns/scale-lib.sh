# SPDX-License-Identifier: MIT
# The honest client and the attacker's tally shared by scale.sh (serve on
# kernel sockets and on TAP) and scale-image.sh (the image). Sourced after
# tests/lib.sh and netnslib.sh; not a test by itself (not executable, so
# tests/run leaves it alone). The sourcing script sets:
#   URL            what the honest client asks for, from inside the namespace
#   HONEST_WAIT    seconds each honest request may take
#   HONEST_PCT     the share of honest requests that must be served (percent)
#   HONEST_AFTER   seconds the request right after an attack may take
#   TARGET_PID     the process under attack, TARGET what to call it (server, image)

# honest_start: a fresh connection with a one-packet request every 0.2 s until
# honest_check, each result a line of $TMP/honest.
honest_start() {
	rm -f "$TMP/stop" "$TMP/honest"
	(
		while [ ! -f "$TMP/stop" ]; do
			c=$("${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time "$HONEST_WAIT" "$URL")
			[ "$c" = 200 ] && echo ok >>"$TMP/honest" || echo "fail $c" >>"$TMP/honest"
			sleep 0.2
		done
	) &
	HONEST=$!
}

# honest_check NAME: stop the honest client; at least HONEST_PCT% of at least
# 10 requests served, one served at once afterwards, the target still running.
# "NAME GOOD ALL" is added to $TMP/results.
honest_check() {
	local good bad pct
	touch "$TMP/stop"
	wait "$HONEST"
	good=$(grep -c '^ok' "$TMP/honest")
	bad=$(grep -c '^fail' "$TMP/honest")
	pct=$((100 * good / (good + bad > 0 ? good + bad : 1)))
	echo "$1 $good $((good + bad))" >>"$TMP/results"
	if [ $((good + bad)) -ge 10 ] && [ "$pct" -ge "$HONEST_PCT" ]; then
		ok "$1: honest requests served $pct% ($good of $((good + bad)))"
	else
		notok "$1: honest requests served $pct% ($good of $((good + bad)))"
	fi
	expect_eq "$1: served at once afterwards" 200 \
		"$("${NX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time "$HONEST_AFTER" "$URL")"
	kill -0 "$TARGET_PID" 2>/dev/null && ok "$1: the $TARGET is still running" ||
		notok "$1: the $TARGET died"
}

# attack_made NAME LOG N: slowhttptest's LOG shows that the attack really was
# at scale: N connections opened (held at the end plus closed by the target;
# under slow heads the target keeps about its buffers' worth and closes the
# oldest).
attack_made() {
	local made held
	made=$(sed 's/\x1b\[[0-9;]*m//g' "$TMP/$2" |
		awk '/^connected:/ {c = $2} /^closed:/ {d = $2} END {print c + d}')
	held=$(sed 's/\x1b\[[0-9;]*m//g' "$TMP/$2" | awk '/^connected:/ {if ($2 > m) m = $2} END {print m + 0}')
	if [ "${made:-0}" -ge "$3" ]; then
		ok "$1: the attacker opened $made connections, up to $held held at once"
	else
		notok "$1: the attacker opened only ${made:-0} connections (wanted $3)"
	fi
}
