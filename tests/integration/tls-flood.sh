#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A ClientHello flood (issue 17, CPU exhaustion) against `unideck serve --cert
# --http-port`: FLOOD connections each send a real TLS 1.2 ClientHello (so the
# server does ECDHE and signs for every one) and then nothing. Checked in
# counts, not times: the cap on handshakes in progress holds (hs_peak at most
# 64), every flood connection is closed by the server (evicted by a newer one
# or by the handshake timeout, and counted as such), while keep-alive HTTPS
# connections established before the flood are served during and after it, a
# new HTTPS client completes, and plain HTTP answers. Then, against a second
# server, connections that trickle their ClientHello do not keep honest
# clients out.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tls_lib.sh"

command -v openssl >/dev/null || { skip "tls-flood: openssl is not installed"; exit 0; }
FLOOD=${TLS_FLOOD:-1000}
CAP=64 # TLS_HOSTED_HANDSHAKES
tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test" || { notok "the certificate is made"; exit 1; }
mkdir -p "$TMP/decks/t"
printf -- '---\ntitle: Flood\n---\n# Under a flood\n' >"$TMP/decks/t/deck.md"
ulimit -n 8192 2>/dev/null || true
start_tls_server "$TMP/server.log" "$TMP/decks" --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" \
	--http-port 0 --header-timeout 3 --stats || exit 1

# The attacker and the honest clients: tls_flood.py, shared with the flood
# tests on our own stack (tests/netns/tls-flood-tap.sh).
python3 "$ROOT/tests/integration/tls_flood.py" --port "$TLS_PORT" --hport "$HTTP_PORT" \
	--ca "$TMP/tls/ca.pem" --flood "$FLOOD" >"$TMP/flood.out" 2>"$TMP/flood.err"
cat "$TMP/flood.err" | sed 's/^/# /'
v() { awk -v k="$1" '$1 == k {print $2}' "$TMP/flood.out"; }
expect_eq "8 keep-alive HTTPS connections are established" 8 "$(v before)"
[ "$(v hello_bytes)" -gt 100 ] && ok "a real ClientHello ($(v hello_bytes) bytes)" || notok "a real ClientHello"
expect_eq "the flood opened $FLOOD connections" "$FLOOD" "$(v flood_opened)"
expect_eq "during the flood the established connections are all served" 8 "$(v during)"
expect_eq "during the flood a new HTTPS client is served" 200 "$(v new_during)"
expect_eq "during the flood plain HTTP answers" 308 "$(v plain_during)"
expect_eq "every flood connection is closed by the server" "$FLOOD" "$(v flood_closed)"
expect_eq "after the flood the established connections are still served" 8 "$(v after)"
[ "$(v sustained_made)" -gt 512 ] && ok "a sustained flood: $(v sustained_made) ClientHellos" ||
	notok "a sustained flood: only $(v sustained_made) ClientHellos"
expect_eq "under it, 3 requests on each of the 8 established connections are served" 24 "$(v sustained_est)"
expect_eq "under it, 3 new HTTPS clients are served" 3 "$(v sustained_new)"
expect_eq "under it, plain HTTP answers 3 times out of 3" 3 "$(v sustained_plain)"
kill -INT "$TLS_PID"
wait "$TLS_PID"
stats=$(grep '^tls:' "$TMP/server.log")
echo "$stats" | sed 's/^/# /'
t() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$stats" | head -n 1; }
peak=$(t hs_peak)
[ -n "$peak" ] && [ "$peak" -le "$CAP" ] && [ "$peak" -ge $((CAP / 2)) ] &&
	ok "handshakes in progress at once: $peak (the cap is $CAP)" ||
	notok "handshakes in progress at once: ${peak:-?} (the cap is $CAP)"
gone=$(($(t hs_evicted) + $(t hs_timeouts) + $(t hs_failed)))
[ "$gone" -ge "$FLOOD" ] &&
	ok "each flood handshake is counted as evicted, timed out or failed ($(t hs_evicted) + $(t hs_timeouts) + $(t hs_failed))" ||
	notok "each flood handshake is counted as evicted, timed out or failed ($gone of $FLOOD)"
[ "$(t hs_evicted)" -ge $((FLOOD - CAP)) ] && ok "the oldest gave way to the newest ($(t hs_evicted))" ||
	notok "the oldest gave way to the newest ($(t hs_evicted), wanted $((FLOOD - CAP)))"
[ "$(t hs_timeouts)" -gt 0 ] && ok "the last ones met the handshake timeout ($(t hs_timeouts))" ||
	notok "the last ones met the handshake timeout"
expect_eq "the honest handshakes completed (8 kept, 4 new)" 12 "$(t handshakes)"
# With every slot waiting for our step, newcomers were left in the backlog
# rather than allowed to push out a client whose delay was ours.
deferred=$(sed -n 's/^sock.hs_deferred \([0-9]*\)$/\1/p' "$TMP/server.log")
[ "${deferred:-0}" -gt 0 ] && ok "accepts were held back while no handshake could give way ($deferred)" ||
	notok "accepts were held back while no handshake could give way (${deferred:-none})"

# Tricklers (as in tests/netns/tls-flood-tap.sh): 128 connections sending
# their ClientHello a byte every 100 ms, a handshake timeout (30 s) longer
# than the honest clients' patience (10 s). A byte that is no answer buys no
# new grace, so at the cap a trickler gives way to a newcomer.
start_tls_server "$TMP/trickle.log" "$TMP/decks" --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" \
	--http-port 0 --header-timeout 30 --stats || exit 1
python3 "$ROOT/tests/integration/tls_flood.py" --port "$TLS_PORT" --hport "$HTTP_PORT" \
	--ca "$TMP/tls/ca.pem" --trickle 128 --curl --slow 0.1 --timeout 10 \
	>"$TMP/trickle.out" 2>"$TMP/trickle.err"
sed 's/^/# /' "$TMP/trickle.err" | head -10
w() { awk -v k="$1" '$1 == k {print $2}' "$TMP/trickle.out"; }
[ "$(w trickle_made)" -ge 128 ] 2>/dev/null && ok "tricklers: $(w trickle_made) connections" ||
	notok "tricklers: only $(w trickle_made) connections"
expect_eq "beside the tricklers, 3 new curl clients are served" 3 "$(w trickle_new)"
expect_eq "beside the tricklers, plain HTTP answers 3 times out of 3" 3 "$(w trickle_plain)"
expect_eq "beside the tricklers, the slow honest client is served 3 times out of 3" 3 "$(w trickle_slow)"
kill -INT "$TLS_PID"
wait "$TLS_PID"
stats=$(grep '^tls:' "$TMP/trickle.log")
echo "$stats" | sed 's/^/# /'
[ "$(t hs_evicted)" -gt 0 ] 2>/dev/null && ok "tricklers were evicted for newcomers ($(t hs_evicted))" ||
	notok "tricklers were evicted for newcomers ($(t hs_evicted))"
finish
