#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A ClientHello flood (issue 17) against HTTPS on our own TCP/IP stack:
# `unideck serve --net tap:... --cert --key --http-port 80` in a network
# namespace of our own, Linux's stack as the peer. The attacker and the honest
# clients are tests/integration/tls_flood.py (as for kernel sockets), run from
# the namespace: a burst of real ClientHellos and then a sustained flood from a
# process of its own, while keep-alive HTTPS connections, new `curl --cacert`
# clients, plain HTTP on port 80 and a slow honest client (it answers our
# flight 100 ms late, as over a long link) are served throughout.
#
# Checked in counts, not times: the cap on handshakes in progress holds, no
# handshake is given up while none owes us its answer past the grace
# (hs_full 0: newcomers waited in the backlog instead, tls.deferred and
# tls.held), each flood handshake is counted as evicted, timed out or failed.
# Before newcomers waited, the table turned over faster than the slow client
# answered and it was the one given up. Then a second server, against
# tricklers (below).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/netnslib.sh"
. "$(dirname "$0")/../integration/tls_lib.sh"

ns_require tls-flood-tap
command -v openssl >/dev/null || { skip "tls-flood-tap: openssl is not installed"; exit 0; }
FLOOD=${TLS_FLOOD:-1000}
CAP=64 # TLS_HOSTED_HANDSHAKES
ns_up tlsflood tls-flood-tap
IF=tfl$$
ns_tap "$IF" 10.79.0.1/24

tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test" || { notok "the certificate is made"; exit 1; }
mkdir -p "$TMP/decks/t"
printf -- '---\ntitle: Flood\n---\n# Under a flood on our stack\n' >"$TMP/decks/t/deck.md"

# Flows for the burst, the honest clients and those in TIME_WAIT.
"${NX[@]}" "$UNIDECK" serve "$TMP/decks" --net "tap:$IF" --ip 10.79.0.2/24 \
	--cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" --http-port 80 --header-timeout 3 \
	--flows 4096 --stats >"$TMP/server.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 1 150); do
	grep -q '^redirecting http://10.79.0.2:80/' "$TMP/server.log" && break
	kill -0 "$SRV" 2>/dev/null || break
	sleep 0.2
done
grep -q '^redirecting http://10.79.0.2:80/' "$TMP/server.log" ||
	{ notok "the server serves HTTPS and the plain port on TAP"; sed 's/^/#   /' "$TMP/server.log"; exit 1; }
ulimit -n 8192 2>/dev/null || true
"${NX[@]}" python3 "$ROOT/tests/integration/tls_flood.py" --host 10.79.0.2 --port 443 --hport 80 \
	--ca "$TMP/tls/ca.pem" --flood "$FLOOD" --curl --slow 0.1 --timeout 30 \
	>"$TMP/flood.out" 2>"$TMP/flood.err"
sed 's/^/# /' "$TMP/flood.err" | head -20
v() { awk -v k="$1" '$1 == k {print $2}' "$TMP/flood.out"; }
expect_eq "8 keep-alive HTTPS connections are established" 8 "$(v before)"
[ "$(v hello_bytes)" -gt 100 ] && ok "a real ClientHello ($(v hello_bytes) bytes)" || notok "a real ClientHello"
expect_eq "the flood opened $FLOOD connections" "$FLOOD" "$(v flood_opened)"
expect_eq "during the flood the established connections are all served" 8 "$(v during)"
expect_eq "during the flood a slow honest client (100 ms to answer) is served" 200 "$(v slow_during)"
expect_eq "during the flood a new curl --cacert client is served" 200 "$(v new_during)"
expect_eq "during the flood plain HTTP on port 80 answers 308" 308 "$(v plain_during)"
expect_eq "every flood connection is closed by the server" "$FLOOD" "$(v flood_closed)"
expect_eq "after the flood the established connections are still served" 8 "$(v after)"
[ "$(v sustained_made)" -gt 512 ] && ok "a sustained flood: $(v sustained_made) ClientHellos" ||
	notok "a sustained flood: only $(v sustained_made) ClientHellos"
expect_eq "under it, 3 requests on each of the 8 established connections are served" 24 "$(v sustained_est)"
expect_eq "under it, 3 new curl clients are served" 3 "$(v sustained_new)"
expect_eq "under it, plain HTTP answers 3 times out of 3" 3 "$(v sustained_plain)"
expect_eq "under it, the slow honest client is served 3 times out of 3" 3 "$(v sustained_slow)"
kill -0 "$SRV" 2>/dev/null && ok "the server is still serving" || notok "the server died"
kill -INT "$SRV"
wait "$SRV"
t() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$TMP/server.log" | head -n 1; }
c() { sed -n "s/^$1 \([0-9]*\)$/\1/p" "$TMP/server.log" | head -n 1; }
grep '^tls' "$TMP/server.log" | sed 's/^/# /'
peak=$(t hs_peak)
[ -n "$peak" ] && [ "$peak" -le "$CAP" ] && [ "$peak" -ge $((CAP / 2)) ] &&
	ok "handshakes in progress at once: $peak (the cap is $CAP)" ||
	notok "handshakes in progress at once: ${peak:-?} (the cap is $CAP)"
expect_eq "no handshake was given up while none owed us its answer past the grace (hs_full)" 0 "$(t hs_full)"
[ "$(c tls.deferred)" -gt 0 ] 2>/dev/null &&
	ok "accepts were held back while no handshake could give way ($(c tls.deferred) holds)" ||
	notok "accepts were held back while no handshake could give way ($(c tls.deferred))"
[ "$(c tls.held)" -ge $((FLOOD - CAP)) ] 2>/dev/null &&
	ok "connections waited in the backlog rather than being reset ($(c tls.held) accepted after a hold)" ||
	notok "connections waited in the backlog: $(c tls.held) accepted after a hold, wanted $((FLOOD - CAP))"
expect_eq "none was reset for want of a TLS connection" 0 "$(c tls.refused_reset)"
expect_eq "the honest handshakes completed (8 kept, 4 curl, 4 slow)" 16 "$(t handshakes)"
gone=$(($(t hs_evicted) + $(t hs_timeouts) + $(t hs_failed)))
[ "$gone" -ge "$FLOOD" ] &&
	ok "each flood handshake is counted as evicted, timed out or failed ($(t hs_evicted) + $(t hs_timeouts) + $(t hs_failed))" ||
	notok "each flood handshake is counted as evicted, timed out or failed ($gone of $FLOOD)"

# Tricklers: 128 connections in flight sending their ClientHello a byte every
# 100 ms, with a handshake timeout (30 s) longer than the honest clients'
# patience (10 s). Each byte is input, but not an answer: the grace runs from
# the connection's start, so at the cap a trickler gives way to a newcomer.
# Had each byte bought a new grace, no slot would come free before the
# timeout, and every honest client would wait past its patience.
"${NX[@]}" "$UNIDECK" serve "$TMP/decks" --net "tap:$IF" --ip 10.79.0.2/24 \
	--cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" --http-port 80 --header-timeout 30 \
	--flows 4096 --stats >"$TMP/trickle.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 1 150); do
	grep -q '^redirecting http://10.79.0.2:80/' "$TMP/trickle.log" && break
	kill -0 "$SRV" 2>/dev/null || break
	sleep 0.2
done
"${NX[@]}" python3 "$ROOT/tests/integration/tls_flood.py" --host 10.79.0.2 --port 443 --hport 80 \
	--ca "$TMP/tls/ca.pem" --trickle 128 --curl --slow 0.1 --timeout 10 \
	>"$TMP/trickle.out" 2>"$TMP/trickle.err"
sed 's/^/# /' "$TMP/trickle.err" | head -10
w() { awk -v k="$1" '$1 == k {print $2}' "$TMP/trickle.out"; }
[ "$(w trickle_made)" -ge 128 ] 2>/dev/null && ok "tricklers: $(w trickle_made) connections" ||
	notok "tricklers: only $(w trickle_made) connections"
expect_eq "beside the tricklers, 3 new curl clients are served" 3 "$(w trickle_new)"
expect_eq "beside the tricklers, plain HTTP answers 3 times out of 3" 3 "$(w trickle_plain)"
expect_eq "beside the tricklers, the slow honest client is served 3 times out of 3" 3 "$(w trickle_slow)"
kill -INT "$SRV"
wait "$SRV"
grep '^tls' "$TMP/trickle.log" | sed 's/^/# /'
tt() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$TMP/trickle.log" | head -n 1; }
expect_eq "no trickler reached the handshake timeout: they gave way" 0 "$(tt hs_timeouts)"
[ "$(tt hs_evicted)" -gt 0 ] 2>/dev/null && ok "tricklers were evicted for newcomers ($(tt hs_evicted))" ||
	notok "tricklers were evicted for newcomers ($(tt hs_evicted))"
finish
