#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A ClientHello flood (issue 17) against HTTPS in the image: booted once by
# `unideck run --tap --cert --key` in a network namespace of our own, Linux's
# stack as the peer, tests/integration/tls_flood.py (the attacker and honest
# clients of the other flood tests) in the namespace: a burst of real
# ClientHellos, then a sustained flood from a process of its own, while
# keep-alive HTTPS connections, new `curl --cacert` clients, plain HTTP on port
# 80 (the guest's redirect) and a slow honest client (100 ms to answer our
# flight) are served.
#
# Under TCG each handshake costs the guest milliseconds, so the flood here is
# smaller than on the host (TLS_FLOOD, default 300 at once, 64 in flight) and
# the checks are counts from the guest's stats line, not times: the cap on
# handshakes in progress holds, no handshake is given up while none owes us its
# answer past the grace ("given up unowed" 0: newcomers waited in the backlog,
# counted as accept holds and accepts after a hold), and every flood handshake
# is counted as evicted, timed out or failed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/netnslib.sh"
. "$(dirname "$0")/../integration/tls_lib.sh"

KERNEL=$ROOT/build/kernel/unideck.elf
ns_require tls-flood-image qemu-system-x86_64 "$KERNEL"
command -v openssl >/dev/null || { skip "tls-flood-image: openssl is not installed"; exit 0; }
FLOOD=${TLS_FLOOD:-300}
CAP=32 # tls_handshakes= below
ns_up tlsfloodimg tls-flood-image run.log
IF=tfi$$
ns_tap "$IF" 10.79.0.1/24

tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test" || { notok "the certificate is made"; exit 1; }
mkdir -p "$TMP/decks/t"
printf -- '---\ntitle: Flood\n---\n# Under a flood in the image\n' >"$TMP/decks/t/deck.md"
"$UNIDECK" build "$TMP/decks" -o "$TMP/decks.elf" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the image"; sed 's/^/#   /' "$TMP/build.log"; exit 1; }

image_up "the image boots and serves HTTPS and the redirect on TAP" run.log '^unideck: redirecting http' 600 \
	"$TMP/decks.elf" --tap "$IF" --ip 10.79.0.2/24 --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" \
	--append "stats=1 tls_handshakes=$CAP"
ulimit -n 8192 2>/dev/null || true
"${NX[@]}" python3 "$ROOT/tests/integration/tls_flood.py" --host 10.79.0.2 --port 443 --hport 80 \
	--ca "$TMP/tls/ca.pem" --flood "$FLOOD" --in-flight 64 --curl --slow 0.1 --timeout 60 \
	>"$TMP/flood.out" 2>"$TMP/flood.err"
sed 's/^/# /' "$TMP/flood.err" | head -20
v() { awk -v k="$1" '$1 == k {print $2}' "$TMP/flood.out"; }
expect_eq "8 keep-alive HTTPS connections are established" 8 "$(v before)"
expect_eq "the flood opened $FLOOD connections" "$FLOOD" "$(v flood_opened)"
expect_eq "during the flood the established connections are all served" 8 "$(v during)"
expect_eq "during the flood a slow honest client (100 ms to answer) is served" 200 "$(v slow_during)"
expect_eq "during the flood a new curl --cacert client is served" 200 "$(v new_during)"
expect_eq "during the flood plain HTTP on port 80 answers 308" 308 "$(v plain_during)"
expect_eq "every flood connection is closed by the guest" "$FLOOD" "$(v flood_closed)"
[ "$(v sustained_made)" -gt 64 ] && ok "a sustained flood: $(v sustained_made) ClientHellos" ||
	notok "a sustained flood: only $(v sustained_made) ClientHellos"
expect_eq "under it, 3 requests on each of the 8 established connections are served" 24 "$(v sustained_est)"
expect_eq "under it, 3 new curl clients are served" 3 "$(v sustained_new)"
expect_eq "under it, plain HTTP answers 3 times out of 3" 3 "$(v sustained_plain)"
expect_eq "under it, the slow honest client is served 3 times out of 3" 3 "$(v sustained_slow)"
sleep 2 # the next stats line
kill -0 "$RUN" 2>/dev/null && ok "the image is still serving" || notok "the image died"
line=$(grep '^stats: tls' "$TMP/run.log" | tail -n 1)
echo "# $line"
n() { sed -n "s/.*[ (]\([0-9][0-9]*\) $1.*/\1/p" <<<"$line"; }
peak=$(n peak)
[ -n "$peak" ] && [ "$peak" -le "$CAP" ] && [ "$peak" -ge $((CAP / 2)) ] &&
	ok "handshakes in progress at once: $peak (the cap is $CAP)" ||
	notok "handshakes in progress at once: ${peak:-?} (the cap is $CAP)"
expect_eq "no handshake was given up while none owed us its answer past the grace" 0 "$(n 'given up unowed')"
[ "$(n 'accept holds')" -gt 0 ] 2>/dev/null &&
	ok "accepts were held back while no handshake could give way ($(n 'accept holds') holds)" ||
	notok "accepts were held back while no handshake could give way ($(n 'accept holds'))"
[ "$(n 'accepted after a hold')" -ge $((FLOOD - CAP)) ] 2>/dev/null &&
	ok "connections waited in the backlog rather than being reset ($(n 'accepted after a hold'))" ||
	notok "connections waited in the backlog: $(n 'accepted after a hold') accepted after a hold, wanted $((FLOOD - CAP))"
expect_eq "none was reset for want of a TLS connection" 0 "$(n 'reset at accept')"
expect_eq "the honest handshakes completed (8 kept, 4 curl, 4 slow)" 16 "$(n handshakes)"
gone=$(($(n failed, | head -n 1) + $(n 'timed out') + $(n evicted)))
[ "$gone" -ge "$FLOOD" ] &&
	ok "each flood handshake is counted as evicted, timed out or failed ($gone)" ||
	notok "each flood handshake is counted as evicted, timed out or failed ($gone of $FLOOD)"
image_stop
finish
