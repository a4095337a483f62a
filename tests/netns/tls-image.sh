#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTPS from the image on a TAP device in a network namespace of our own,
# booted once by `unideck run --tap --cert --key`, with Linux's stack and curl
# as the client: the index and an 8 MB file by hash over TLS, a range, 20
# HTTPS clients at once, the 308 on port 80 (to https on 443, no port in the
# Location), and the cap on handshakes in progress (tls_handshakes=16): 30
# connections that never send a ClientHello evict one another, counted, while
# honest HTTPS and plain HTTP clients keep being answered.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/netnslib.sh"

KERNEL=$ROOT/build/kernel/unideck.elf
ns_require "TLS image on TAP" qemu-system-x86_64 "$KERNEL"
ns_up tlsimg tls-image-tap run.log
ns_tap ut0 10.79.0.1/24

cp -r "$ROOT/decks" "$TMP/decks"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$TMP/decks/features/media/big.bin"
big_sum=$(sha256sum <"$TMP/decks/features/media/big.bin" | cut -d' ' -f1)
"$UNIDECK" build "$TMP/decks" -o "$TMP/decks.elf" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the image"; cat "$TMP/build.log"; exit 1; }

cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=unideck-test-ca -keyout ca.key -out ca.pem >/dev/null 2>&1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=deck.test \
	-keyout leaf.key -out leaf.csr >/dev/null 2>&1
printf 'subjectAltName=DNS:deck.test\n' >leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-extfile leaf.ext -out leaf.pem >/dev/null 2>&1 || { notok "make a test CA and leaf"; exit 1; }
cd - >/dev/null || exit 1

image_up "the image boots and serves HTTPS on TAP" run.log '^unideck: serving at https' 600 \
	"$TMP/decks.elf" --tap ut0 --ip 10.79.0.2/24 --cert "$TMP/leaf.pem" --key "$TMP/leaf.key" \
	--append "stats=1 tls_handshakes=16"
grep -h 'TLS:\|serving at https\|redirecting' "$TMP/run.log" | sed 's/^/# /'

c() {
	"${NX[@]}" curl -s --max-time 120 --cacert "$TMP/ca.pem" \
		--resolve deck.test:443:10.79.0.2 "$@"
}
B=https://deck.test
out=$(c -w '%{http_code} %{ssl_verify_result}' -o "$TMP/index.html" "$B/")
expect_eq "GET / over HTTPS from the namespace, verified by the test CA" "200 0" "$out"
check "the index lists the decks" grep -q 'unideck: a unikernel' "$TMP/index.html"
got=$(c "$B/features/media/big.bin" | sha256sum | cut -d' ' -f1)
expect_eq "8 MB file over TLS by curl: sha256 matches" "$big_sum" "$got"
got=$(c -r 3000000-3999999 "$B/features/media/big.bin" | sha256sum | cut -d' ' -f1)
want=$(tail -c +3000001 "$TMP/decks/features/media/big.bin" | head -c 1000000 | sha256sum |
	cut -d' ' -f1)
expect_eq "a ranged 1 MB slice of it over TLS" "$want" "$got"

hdrs=$("${NX[@]}" curl -s --max-time 30 -D - -o /dev/null -H 'Host: deck.test' \
	http://10.79.0.2/unideck/ | tr -d '\r')
expect_match "port 80 answers 308 to https on 443 (no port in Location)" \
	'^Location: https://deck.test/unideck/$' "$hdrs"

for i in $(seq 1 16); do
	c -o "$TMP/c$i" -w '%{http_code}\n' "$B/" >"$TMP/code$i" &
done
wait_codes() {
	local n=0 i
	for i in $(seq 1 "$1"); do
		for _ in $(seq 1 1200); do [ -s "$TMP/code$i" ] && break; sleep 0.1; done
		[ "$(cat "$TMP/code$i")" = 200 ] && cmp -s "$TMP/c$i" "$TMP/index.html" && n=$((n + 1))
	done
	echo "$n"
}
expect_eq "16 concurrent HTTPS clients all get the same index" 16 "$(wait_codes 16)"

# Forty connections that never say hello: at the cap of 16 handshakes in
# progress the oldest gives way to each new one.
for i in $(seq 1 40); do
	"${NX[@]}" bash -c "exec 3<>/dev/tcp/10.79.0.2/443; sleep 8" 2>/dev/null &
	sleep 0.05
done
good=0
for i in 1 2 3; do
	code=$(c -o /dev/null -w '%{http_code}' "$B/unideck/")
	[ "$code" = 200 ] && good=$((good + 1))
	code=$("${NX[@]}" curl -s --max-time 30 -o /dev/null -w '%{http_code}' http://10.79.0.2/)
	[ "$code" = 308 ] && good=$((good + 1))
done
expect_eq "during 40 silent handshakes, HTTPS and plain HTTP clients are all answered" 6 "$good"
sleep 2
line=$(grep '^stats: tls' "$TMP/run.log" | tail -n 1)
echo "# $line"
if [[ $line =~ \(([0-9]+)\ failed,\ ([0-9]+)\ timed\ out,\ ([0-9]+)\ evicted ]] &&
	[ "${BASH_REMATCH[3]}" -ge 24 ]; then
	ok "the cap of 16 handshakes held: ${BASH_REMATCH[3]} evicted (40 silent, 16 may wait)"
else
	notok "the cap of 16 handshakes: want 24 or more evicted in '$line'"
fi
expect_match "store bytes are copied into the records once" \
	'store bytes [1-9][0-9]* copied into records' "$line"
kill -0 "$RUN" 2>/dev/null && ok "the image is still serving" || notok "the image died"
image_stop
echo "# $FAILS failed"
finish
