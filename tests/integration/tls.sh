#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTPS from `unideck serve --cert --key` on kernel sockets: curl and openssl
# s_client against a certificate from a test CA made here. HTTP/1.1 over TLS
# with keep-alive and Range, whole files by hash, the 308 redirect and the ACME
# challenge path on --http-port, HSTS, SNI for two names of one certificate,
# the protocol versions and suites offered and refused, RSA and ECDSA keys, bad
# certificates and keys refused by name, and hostile clients (plain HTTP,
# garbage, silent handshakes, a handshake flood) while honest ones are served.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tls_lib.sh"

command -v openssl >/dev/null || { skip "tls: openssl is not installed"; exit 0; }
tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test,DNS:slides.test" || { notok "the ECDSA certificate is made"; exit 1; }
tls_make_leaf rsa rsa "DNS:deck.test" || { notok "the RSA certificate is made"; exit 1; }
tls_make_leaf other ec "DNS:other.test" || { notok "a second ECDSA certificate is made"; exit 1; }

mkdir -p "$TMP/decks/t/media" "$TMP/web/.well-known/acme-challenge"
printf -- '---\ntitle: Secure\n---\n# Over TLS\n' >"$TMP/decks/t/deck.md"
head -c 3000000 /dev/urandom >"$TMP/decks/t/media/big.bin"
printf 'tok-123.key-auth' >"$TMP/web/.well-known/acme-challenge/tok-123"

start_tls_server "$TMP/ec.log" "$TMP/decks" --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" \
	--http-port 0 --acme-webroot "$TMP/web" --header-timeout 2 --stats || exit 1
P=$TLS_PORT
HP=$HTTP_PORT
CURL=(curl -s --cacert "$TMP/tls/ca.pem" --resolve "deck.test:$P:127.0.0.1"
	--resolve "slides.test:$P:127.0.0.1" --resolve "deck.test:$HP:127.0.0.1")
B=https://deck.test:$P

expect_match "the banner names the key and TLS 1.2" 'tls: ECDSA P-256 certificate, TLS 1.2, HSTS on' "$(cat "$TMP/ec.log")"
expect_eq "the index over HTTPS, verified against the test CA" 200 \
	"$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$B/")"
out=$("${CURL[@]}" -v -o /dev/null "$B/t/" 2>&1)
expect_match "TLS 1.2 with ECDHE-ECDSA and AES-128-GCM first" 'SSL connection using TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256' "$out"
expect_match "ALPN picks http/1.1" 'ALPN: server accepted http/1.1' "$out"
h=$("${CURL[@]}" -D - -o /dev/null "$B/t/")
expect_match "HSTS on HTTPS responses" 'Strict-Transport-Security: max-age=63072000' "$h"
expect_match "the deck page" 'Over TLS' "$("${CURL[@]}" "$B/t/")"

# SNI: both names of the certificate, each verified by name.
for name in deck.test slides.test; do
	expect_eq "SNI $name: 200, verified for that name" 200 \
		"$("${CURL[@]}" -o /dev/null -w '%{http_code}' "https://$name:$P/")"
	out=$(s_client "$P" -servername "$name" -verify_hostname "$name" -CAfile "$TMP/tls/ca.pem" -verify_return_error)
	expect_match "openssl verifies the chain and the name $name" 'Verify return code: 0 \(ok\)' "$out"
done
out=$(s_client "$P" -servername other.test -verify_hostname other.test -CAfile "$TMP/tls/ca.pem" -verify_return_error)
expect_match "a name the certificate lacks fails verification at the client" 'verify error|hostname mismatch|Verification error' "$out"

# Keep-alive, Range and whole bodies.
out=$("${CURL[@]}" -v -o /dev/null -o /dev/null -o /dev/null "$B/" "$B/t/" "$B/t/media/big.bin" 2>&1)
expect_eq "three requests on one TLS connection (keep-alive)" 2 "$(grep -c 'Re-using existing connection' <<<"$out")"
expect_eq "one handshake for them" 1 "$(grep -c 'SSL connection using' <<<"$out")"
"${CURL[@]}" -o "$TMP/big.got" -w "# %{size_download} %{time_total}\n" "$B/t/media/big.bin"
check "a 3 MB file over TLS arrives whole" cmp "$TMP/big.got" "$TMP/decks/t/media/big.bin"
pids=()
for i in 1 2 3 4; do
	"${CURL[@]}" -o "$TMP/big.$i" "$B/t/media/big.bin" &
	pids+=($!)
done
wait "${pids[@]}"
for i in 1 2 3 4; do check "3 MB file $i of 4 at once arrives whole" cmp "$TMP/big.$i" "$TMP/decks/t/media/big.bin"; done
"${CURL[@]}" -D "$TMP/range.h" -o "$TMP/range.got" -r 1000-1999 "$B/t/media/big.bin"
expect_match "Range over TLS: 206" '^HTTP/1.1 206' "$(head -n 1 "$TMP/range.h")"
check "the range's bytes" cmp "$TMP/range.got" <(tail -c +1001 "$TMP/decks/t/media/big.bin" | head -c 1000)
# BREACH (CVE-2013-3587): HTML goes as is over HTTPS, other files compressed.
h=$("${CURL[@]}" -D - -o /dev/null -H 'Accept-Encoding: br, gzip' "$B/t/")
if grep -qi '^content-encoding' <<<"$h"; then
	notok "HTML over HTTPS is not compressed (BREACH)"
else
	ok "HTML over HTTPS is not compressed (BREACH)"
fi
expect_match "its Content-Type is HTML" '[Cc]ontent-[Tt]ype: text/html' "$h"
h=$("${CURL[@]}" -D - -o /dev/null -H 'Accept-Encoding: br, gzip' "$B/_reveal/6.0.2/reveal.js")
expect_match "JavaScript over HTTPS is still compressed" '[Cc]ontent-[Ee]ncoding: (br|gzip)' "$h"
check "a gzip representation decodes" bash -c "${CURL[*]@Q} --compressed $B/_reveal/6.0.2/reveal.css | grep -q 'reveal'"
check "Connection: close over TLS: curl ends cleanly" "${CURL[@]}" -f -H 'Connection: close' -o "$TMP/big.close" "$B/t/media/big.bin"
check "and the body is whole" cmp "$TMP/big.close" "$TMP/decks/t/media/big.bin"

# The plain port: 308 to https, except ACME's HTTP-01 path.
h=$("${CURL[@]}" -D - -o /dev/null "http://deck.test:$HP/t/?a=b")
expect_match "plain HTTP answers 308" '^HTTP/1.1 308' "$h"
expect_match "to the same path and query on https" "Location: https://deck.test:$P/t/\?a=b" "$h"
if grep -qi strict-transport <<<"$h"; then notok "no HSTS on plain HTTP (RFC 6797 7.2)"; else ok "no HSTS on plain HTTP (RFC 6797 7.2)"; fi
expect_eq "curl -L follows it to the deck over TLS" 200 \
	"$("${CURL[@]}" -L -o /dev/null -w '%{http_code}' "http://deck.test:$HP/t/")"
expect_eq "the ACME challenge is served from --acme-webroot" 'tok-123.key-auth' \
	"$("${CURL[@]}" "http://deck.test:$HP/.well-known/acme-challenge/tok-123")"
expect_eq "an unknown challenge token is 404, not a redirect" 404 \
	"$(status "http://127.0.0.1:$HP/.well-known/acme-challenge/nope")"
expect_eq "a token outside base64url is 404" 404 \
	"$(status "http://127.0.0.1:$HP/.well-known/acme-challenge/a.b")"
out=$(printf 'GET / HTTP/1.1\r\nHost: evil"<x>\r\n\r\n' | python3 "$ROOT/tests/rawhttp.py" "$HP" | head -n 1)
expect_match "a Host that is no host name gets 400, not a Location" '400' "$out"

# Protocol versions and suites.
out=$(s_client "$P" -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305)
expect_match "ChaCha20-Poly1305 offered alone is taken" 'Cipher is ECDHE-ECDSA-CHACHA20-POLY1305' "$out"
out=$(s_client "$P" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384)
expect_match "AES-256-GCM offered alone is taken" 'Cipher is ECDHE-ECDSA-AES256-GCM-SHA384' "$out"
refused() { # NAME ARGS...: the handshake must fail
	local name=$1 out
	shift
	out=$(s_client "$P" "$@")
	if grep -q 'Cipher is (NONE)\|Cipher    : 0000\|no protocols available\|handshake failure\|wrong version\|alert' <<<"$out" &&
		! grep -q 'Cipher is [A-Z]' <<<"$out"; then
		ok "$name"
	else
		notok "$name"
		echo "$out" | head -n 20 | sed 's/^/#   /'
	fi
}
refused "a client offering only TLS 1.0 is refused" -tls1 -cipher DEFAULT@SECLEVEL=0
refused "a client offering only TLS 1.1 is refused" -tls1_1 -cipher DEFAULT@SECLEVEL=0
refused "a client offering only TLS 1.3 is refused (BearSSL has no 1.3)" -tls1_3
refused "CBC suites alone are refused" -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA
refused "static RSA key exchange alone is refused" -tls1_2 -cipher AES128-GCM-SHA256:AES256-GCM-SHA384
out=$("${CURL[@]}" --tls-max 1.1 -o /dev/null -w '%{http_code}' "$B/" 2>&1)
expect_eq "curl limited to TLS 1.1 gets no page" 000 "$out"
out=$(s_client "$P" -tls1_2 -sess_out "$TMP/sess")
s_client "$P" -tls1_2 -sess_in "$TMP/sess" >"$TMP/resumed" 2>&1
expect_match "a session is resumed from the cache" '^Reused, TLSv1.2' "$(cat "$TMP/resumed")"
out=$(printf 'R\n' | timeout 10 openssl s_client -connect "127.0.0.1:$P" -tls1_2 2>&1)
expect_match "renegotiation is refused" 'alert|handshake failure|closed|errno|RENEGOTIATING.*\n.*error|no renegotiation' "$out"

# Hostile clients; honest ones keep being served.
out=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/")
expect_eq "plain HTTP to the TLS port gets nothing" 000 "$out"
head -c 5000 /dev/urandom | timeout 5 nc -q 2 127.0.0.1 "$P" >/dev/null 2>&1
expect_eq "after garbage the server still serves" 200 "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$B/")"
python3 - "$P" <<'PY' >"$TMP/silent"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(8)
t = time.time()
try:
    while s.recv(100):
        pass
    print("closed")
except ConnectionResetError:
    print("closed")
except socket.timeout:
    print("still open")
PY
expect_eq "a silent client is closed by the handshake timeout" closed "$(cat "$TMP/silent")"
# A flood of half-done handshakes, over the cap of 64 in progress: each newest
# pushes out the oldest, and an honest client among them completes.
python3 - "$P" <<'PY' &
import socket, sys, time
hello = bytes.fromhex("16030100") # a ClientHello that never completes
socks = []
for i in range(300):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        s.send(hello)
        socks.append(s)
    except OSError:
        pass
time.sleep(3)
PY
flood=$!
PIDS+=("$flood")
sleep 0.5
expect_eq "during a handshake flood an honest client gets 200" 200 \
	"$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$B/t/")"
expect_eq "and the plain port answers" 308 "$(status "http://127.0.0.1:$HP/")"
wait "$flood"
expect_eq "after the flood too" 200 "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$B/")"

kill -INT "$TLS_PID"
wait "$TLS_PID"
expect_eq "Ctrl-C exits 0" 0 "$?"
stats=$(grep '^tls:' "$TMP/ec.log")
hs() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" <<<"$stats" | head -n 1; }
check "the flood was met by evicting the oldest handshakes" test "$(hs hs_evicted)" -gt 0
check "timeouts were counted" test "$(hs hs_timeouts)" -gt 0
check "the old versions were counted" test "$(hs hs_bad_version)" -ge 2
check "store bytes went straight into records" test "$(sed -n 's/.*store bytes into records \([0-9]*\).*/\1/p' <<<"$stats")" -gt 15000000
key_body=$(grep -v -- '-----' "$TMP/tls/ec.key" | tr -d '\n')
if grep -qF "${key_body:20:40}" "$TMP/ec.log"; then notok "the key is not in the log"; else ok "the key is not in the log"; fi

# RSA, --no-hsts and --compress-html.
start_tls_server "$TMP/rsa.log" "$TMP/decks" --cert "$TMP/tls/rsa.pem" --key "$TMP/tls/rsa.key" --no-hsts \
	--compress-html || exit 1
out=$(curl -sv --cacert "$TMP/tls/ca.pem" --resolve "deck.test:$TLS_PORT:127.0.0.1" -D "$TMP/rsa.h" -o /dev/null "https://deck.test:$TLS_PORT/" 2>&1)
expect_match "an RSA certificate: ECDHE-RSA with AES-GCM" 'TLSv1.2 / ECDHE-RSA-AES128-GCM-SHA256' "$out"
expect_match "the banner says RSA 2048" 'tls: RSA 2048 certificate' "$(cat "$TMP/rsa.log")"
if grep -qi strict-transport "$TMP/rsa.h"; then notok "--no-hsts: no HSTS"; else ok "--no-hsts: no HSTS"; fi
h=$(curl -s --cacert "$TMP/tls/ca.pem" --resolve "deck.test:$TLS_PORT:127.0.0.1" -D - -o /dev/null \
	-H 'Accept-Encoding: br, gzip' "https://deck.test:$TLS_PORT/t/")
expect_match "--compress-html: HTML compressed over HTTPS" '[Cc]ontent-[Ee]ncoding: (br|gzip)' "$h"
kill -INT "$TLS_PID"
wait "$TLS_PID"

# Bad files are refused by name, with no key bytes in the message.
out=$("$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/tls/ec.pem" --key "$TMP/tls/other.key" 2>&1)
expect_eq "a key that is not the certificate's exits 1" 1 "$?"
expect_match "and says so" 'the private key does not belong to the first certificate' "$out"
out=$("$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/tls/ec.key" --key "$TMP/tls/ec.key" 2>&1)
expect_match "a key file as --cert: no CERTIFICATE" 'holds no CERTIFICATE' "$out"
out=$("$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.pem" 2>&1)
expect_match "a certificate as --key: no PRIVATE KEY" 'holds no PRIVATE KEY' "$out"
# Half of it, whatever its size (an EC key in PKCS#8 is about 240 bytes).
head -c $(($(wc -c <"$TMP/tls/ec.key") / 2)) "$TMP/tls/ec.key" >"$TMP/tls/cut.key"
out=$(timeout 20 "$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/tls/ec.pem" --key "$TMP/tls/cut.key" 2>&1)
expect_match "a cut key file is refused" 'key file (ends inside|is not valid)' "$out"
if grep -qF "${key_body:20:40}" <<<"$out"; then notok "no key bytes in the error"; else ok "no key bytes in the error"; fi
out=$("$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/tls/ec.pem" 2>&1)
expect_eq "--cert without --key is a usage error" 2 "$?"
out=$("$UNIDECK" serve "$TMP/decks" --port 0 --http-port 0 2>&1)
expect_eq "--http-port without --cert is a usage error" 2 "$?"
out=$(timeout 20 "$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" --acme-webroot "$TMP/web" 2>&1)
expect_eq "--acme-webroot without --http-port is a usage error" 2 "$?"
expect_match "and says where challenges are answered" 'answers on the plain port: add --http-port' "$out"
out=$("$UNIDECK" serve "$TMP/decks" --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" --net tap:nope0 \
	--ip 10.9.9.2/24 --http-port 443 2>&1)
expect_eq "--http-port equal to the HTTPS port with --net tap: is a usage error" 2 "$?"
expect_match "and says so" 'is the HTTPS port too' "$out"
out=$("$UNIDECK" serve "$TMP/decks" --port 0 --cert "$TMP/nope.pem" --key "$TMP/tls/ec.key" 2>&1)
expect_match "a missing file is named" "--cert $TMP/nope.pem: No such file" "$out"
finish
