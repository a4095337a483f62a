#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTPS from `unideck serve --net tap:... --cert --key`: our TCP/IP stack's
# streams under http/tls.c, Linux's stack as the peer inside a network
# namespace of our own, curl and openssl s_client as the clients: the index
# verified against a test CA, keep-alive, Range, a 4 MB file by hash, four at
# once, HSTS, TLS 1.1 refused, a silent handshake and garbage while others are
# served, the plain port (--http-port 80: the 308 and ACME HTTP-01 from
# --acme-webroot) on our stack, and the key in no output.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../integration/tls_lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "tls-tap: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
command -v openssl >/dev/null || { skip "tls-tap: openssl is not installed"; exit 0; }
PATH=$PATH:/usr/sbin
NS=ud-tlstap-$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs" && cp "$TMP"/*.log "$ROOT/build/test-logs/" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.2
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
"${NX[@]}" ip tuntap add dev tt0 mode tap
"${NX[@]}" ip addr add 10.79.0.1/24 dev tt0
"${NX[@]}" ip link set tt0 up

tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test" || { notok "the certificate is made"; exit 1; }
mkdir -p "$TMP/decks/t/media" "$TMP/web/.well-known/acme-challenge"
printf -- '---\ntitle: Secure\n---\n# Over TLS on our stack\n' >"$TMP/decks/t/deck.md"
printf 'tok-123.key-auth' >"$TMP/web/.well-known/acme-challenge/tok-123"
head -c 4000000 /dev/urandom >"$TMP/decks/t/media/big.bin"

"${NX[@]}" "$UNIDECK" serve "$TMP/decks" --net tap:tt0 --ip 10.79.0.2/24 --cert "$TMP/tls/ec.pem" \
	--key "$TMP/tls/ec.key" --http-port 80 --acme-webroot "$TMP/web" --stats >"$TMP/server.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
for i in $(seq 1 150); do
	grep -q '^redirecting http://10.79.0.2:80/' "$TMP/server.log" && break
	sleep 0.2
done
expect_match "the banner says https on our stack, port 443" 'serving .* at https://10.79.0.2/ on our own TCP/IP stack' \
	"$(cat "$TMP/server.log")"
expect_match "and the plain port 80 beside it, with challenges from --acme-webroot" \
	'redirecting http://10.79.0.2:80/ to https \(ACME HTTP-01 challenges from --acme-webroot\)' "$(cat "$TMP/server.log")"
C=("${NX[@]}" curl -s --max-time 30 --cacert "$TMP/tls/ca.pem" --resolve "deck.test:443:10.79.0.2")
B=https://deck.test
expect_eq "the index over HTTPS from our stack, verified against the test CA" 200 \
	"$("${C[@]}" -o /dev/null -w '%{http_code}' "$B/")"
out=$("${C[@]}" -v -o /dev/null "$B/t/" 2>&1)
expect_match "TLS 1.2, ECDHE-ECDSA with AES-128-GCM" 'SSL connection using TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256' "$out"
h=$("${C[@]}" -D - -o /dev/null "$B/t/")
expect_match "HSTS" 'Strict-Transport-Security: max-age=63072000' "$h"
out=$("${C[@]}" -v -o /dev/null -o /dev/null -o /dev/null "$B/" "$B/t/" "$B/t/media/big.bin" 2>&1)
expect_eq "three requests on one TLS connection" 2 "$(grep -c 'Re-using existing connection' <<<"$out")"
"${C[@]}" -o "$TMP/big.got" "$B/t/media/big.bin"
check "a 4 MB file over TLS on our stack arrives whole" cmp "$TMP/big.got" "$TMP/decks/t/media/big.bin"
pids=()
for i in 1 2 3 4; do
	"${C[@]}" -o "$TMP/big.$i" "$B/t/media/big.bin" &
	pids+=($!)
done
wait "${pids[@]}"
for i in 1 2 3 4; do check "4 MB file $i of 4 at once arrives whole" cmp "$TMP/big.$i" "$TMP/decks/t/media/big.bin"; done
"${C[@]}" -D "$TMP/range.h" -o "$TMP/range.got" -r 1000-1999 "$B/t/media/big.bin"
expect_match "Range over TLS: 206" '^HTTP/1.1 206' "$(head -n 1 "$TMP/range.h")"
check "the range's bytes" cmp "$TMP/range.got" <(tail -c +1001 "$TMP/decks/t/media/big.bin" | head -c 1000)
out=$("${NX[@]}" timeout 10 openssl s_client -connect 10.79.0.2:443 -tls1_1 -cipher DEFAULT@SECLEVEL=0 </dev/null 2>&1)
if grep -q 'Cipher is (NONE)\|Cipher    : 0000\|no protocols available\|handshake failure\|wrong version\|alert' <<<"$out" &&
	! grep -q 'Cipher is [A-Z]' <<<"$out"; then
	ok "a client offering only TLS 1.1 is refused"
else
	notok "a client offering only TLS 1.1 is refused"
fi
# A silent client and garbage, while an honest one is served.
"${NX[@]}" python3 -c '
import socket, time
s = socket.create_connection(("10.79.0.2", 443)); g = socket.create_connection(("10.79.0.2", 443))
g.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 20); time.sleep(3)' &
bad=$!
sleep 0.5
expect_eq "beside a silent client and garbage an honest one gets 200" 200 \
	"$("${C[@]}" -o /dev/null -w '%{http_code}' "$B/t/")"
wait "$bad"
# The plain port on our stack: 308 to https, except ACME's HTTP-01 path.
P=("${NX[@]}" curl -s --max-time 30 --resolve "deck.test:80:10.79.0.2" --resolve "deck.test:443:10.79.0.2")
h=$("${P[@]}" -D - -o /dev/null "http://deck.test/t/?a=b" | tr -d '\r')
expect_match "plain HTTP on port 80 answers 308" '^HTTP/1.1 308' "$h"
expect_match "to the same path and query on https, no port for 443" '^Location: https://deck.test/t/\?a=b$' "$h"
if grep -qi strict-transport <<<"$h"; then notok "no HSTS on plain HTTP (RFC 6797 7.2)"; else ok "no HSTS on plain HTTP (RFC 6797 7.2)"; fi
expect_eq "curl -L follows it to the deck over TLS, verified" 200 \
	"$("${P[@]}" --cacert "$TMP/tls/ca.pem" -L -o /dev/null -w '%{http_code}' "http://deck.test/t/")"
expect_eq "the ACME challenge is served from --acme-webroot on our stack" 'tok-123.key-auth' \
	"$("${P[@]}" "http://deck.test/.well-known/acme-challenge/tok-123")"
expect_eq "an unknown challenge token is 404, not a redirect" 404 \
	"$("${P[@]}" -o /dev/null -w '%{http_code}' "http://deck.test/.well-known/acme-challenge/nope")"
out=$("${NX[@]}" python3 -c '
import socket
s = socket.create_connection(("10.79.0.2", 80), timeout=20)
s.sendall(b"GET / HTTP/1.1\r\nHost: evil\"<x>\r\n\r\n")
print(s.recv(100).split(b"\r\n")[0].decode())')
expect_match "a Host that is no host name gets 400, not a Location" '400' "$out"
# Refused by name: a plain port that is the HTTPS one, or "any free port".
out=$("$UNIDECK" serve "$TMP/decks" --net tap:tt0 --ip 10.79.0.2/24 --cert "$TMP/tls/ec.pem" \
	--key "$TMP/tls/ec.key" --http-port 443 2>&1)
expect_eq "--http-port 443 beside HTTPS on 443 is a usage error" 2 "$?"
expect_match "and says so" 'is the HTTPS port too' "$out"
out=$("$UNIDECK" serve "$TMP/decks" --net tap:tt0 --ip 10.79.0.2/24 --cert "$TMP/tls/ec.pem" \
	--key "$TMP/tls/ec.key" --http-port 0 2>&1)
expect_eq "--http-port 0 (any port) on our stack is a usage error" 2 "$?"
kill -INT "$SRV"
wait "$SRV"
key_body=$(grep -v -- '-----' "$TMP/tls/ec.key" | tr -d '\n')
if grep -qF "${key_body:20:40}" "$TMP/server.log"; then notok "the key is not in the output"; else ok "the key is not in the output"; fi
sed 's/^/# /' "$TMP/server.log" | grep -Ei 'tls|stats|plain' | head -12
expect_match "the plain port's connections are counted" '^plain.accepted [1-9]' "$(cat "$TMP/server.log")"
finish
