#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# No private key in a store, a log or the console (issue 17): a key made here,
# its bytes in every form a leak could take (the PEM's base64 lines, the DER,
# the private scalar in binary and in hex), searched for in what `unideck serve
# --cert --key` prints (stdout and stderr, with --stats), in every response it
# gives over HTTPS and plain HTTP, and in the store `unideck build` makes of the
# same decks. A deck that links the key file is refused by the build, naming
# the file, and serve never hands the key out.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/tls_lib.sh"

command -v openssl >/dev/null || { skip "tls-leak: openssl is not installed"; exit 0; }
tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf ec ec "DNS:deck.test" || { notok "the ECDSA certificate is made"; exit 1; }
tls_make_leaf rsa rsa "DNS:deck.test" || { notok "the RSA certificate is made"; exit 1; }

mkdir -p "$TMP/decks/t" "$TMP/bad/k"
printf -- '---\ntitle: Secure\n---\n# Over TLS\n\nSome text.\n' >"$TMP/decks/t/deck.md"
cp "$TMP/tls/ec.key" "$TMP/bad/k/server.key"
printf -- '---\ntitle: Oops\n---\n# A link to the key\n\n[key](server.key)\n' >"$TMP/bad/k/deck.md"

# Every form of a key's secret: PEM lines, DER, the private scalar.
key_forms() { # KEYFILE OUTDIR
	local k=$1 d=$2
	mkdir -p "$d"
	grep -v -- '-----' "$k" | awk 'length($0) >= 24' >"$d/pem-lines"
	openssl pkey -in "$k" -outform DER -out "$d/der" 2>/dev/null
	# The secret part: EC 'priv:', RSA 'privateExponent:' (hex with colons).
	openssl pkey -in "$k" -text -noout 2>/dev/null |
		awk '/^(priv|privateExponent):/ {on = 1; next} /^[a-zA-Z]/ {on = 0} on' |
		tr -d ' \n:' >"$d/hex"
	python3 -c 'import sys; open(sys.argv[2], "wb").write(bytes.fromhex(open(sys.argv[1]).read().strip()))' \
		"$d/hex" "$d/bin"
}
# leaks FORMS FILE...: names the files holding any form of the key.
leaks() {
	python3 - "$@" <<'EOF'
import sys
d, files = sys.argv[1], sys.argv[2:]
needles = [open(d + "/der", "rb").read(), open(d + "/bin", "rb").read()]
hexs = open(d + "/hex").read().strip()
needles += [hexs.encode(), hexs.upper().encode()]
# 16-byte windows of the secret too: a partial dump is a leak.
sec = open(d + "/bin", "rb").read()
needles += [sec[i:i + 16] for i in range(0, max(1, len(sec) - 15), 8)]
needles += [l.strip().encode() for l in open(d + "/pem-lines") if l.strip()]
bad = [f for f in files if any(n and n in open(f, "rb").read() for n in needles)]
print(" ".join(bad))
EOF
}
key_forms "$TMP/tls/ec.key" "$TMP/ecf"
key_forms "$TMP/tls/rsa.key" "$TMP/rsaf"
expect_eq "the EC secret scalar is 32 bytes" 32 "$(wc -c <"$TMP/ecf/bin")"
[ "$(wc -c <"$TMP/rsaf/bin")" -ge 255 ] && ok "the RSA private exponent is found" ||
	notok "the RSA private exponent is found"
# The search itself finds a key where there is one (so a pass means something).
head -c 5000 /dev/urandom >"$TMP/noise"
{ head -c 100 /dev/urandom; cat "$TMP/ecf/bin"; head -c 100 /dev/urandom; } >"$TMP/planted"
expect_eq "the search finds the key file, its DER and a raw scalar planted in noise" \
	"$TMP/tls/ec.key $TMP/ecf/der $TMP/planted" \
	"$(leaks "$TMP/ecf" "$TMP/tls/ec.key" "$TMP/ecf/der" "$TMP/noise" "$TMP/planted")"

for kind in ec rsa; do
	start_tls_server "$TMP/$kind.console" "$TMP/decks" --cert "$TMP/tls/$kind.pem" \
		--key "$TMP/tls/$kind.key" --http-port 0 --stats || exit 1
	C=(curl -s --cacert "$TMP/tls/ca.pem" --resolve "deck.test:$TLS_PORT:127.0.0.1")
	n=0
	for path in / /t/ /t/deck.md /_unideck/deck.js /.well-known/acme-challenge/x /nope \
		"/$(basename "$TMP")/tls/$kind.key" /tls/$kind.key; do
		n=$((n + 1))
		"${C[@]}" -D "$TMP/$kind.h$n" -o "$TMP/$kind.b$n" "https://deck.test:$TLS_PORT$path"
		curl -s -D "$TMP/$kind.ph$n" -o "$TMP/$kind.pb$n" "http://127.0.0.1:$HTTP_PORT$path"
	done
	expect_eq "$kind: the deck over HTTPS" 200 \
		"$("${C[@]}" -o /dev/null -w '%{http_code}' "https://deck.test:$TLS_PORT/t/")"
	kill -INT "$TLS_PID"
	wait "$TLS_PID"
	expect_match "$kind: --stats printed the TLS counters" '^tls: opened' "$(cat "$TMP/$kind.console")"
	bad=$(leaks "$TMP/${kind}f" "$TMP/$kind.console" "$TMP/$kind".h* "$TMP/$kind".b* \
		"$TMP/$kind".ph* "$TMP/$kind".pb*)
	expect_eq "$kind: no form of the key in the console or any of $((4 * n)) responses" "" "$bad"
done

"$UNIDECK" build "$TMP/decks" -o "$TMP/decks.store" --no-pdf --quiet ||
	notok "the store builds"
bad=$(leaks "$TMP/ecf" "$TMP/decks.store")
expect_eq "no form of the key in the store" "" "$bad"

out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/bad.store" --no-pdf --quiet 2>&1)
rc=$?
[ "$rc" != 0 ] && ok "a deck linking the key does not build (exit $rc)" ||
	notok "a deck linking the key does not build"
expect_match "the refusal names the key file" 'k/server.key.*private key' "$out"
[ ! -e "$TMP/bad.store" ] && ok "no store is written" || notok "no store is written"
bad=$(leaks "$TMP/ecf" <(printf '%s' "$out"))
expect_eq "the refusal quotes no key bytes" "" "$bad"

start_tls_server "$TMP/bad.console" "$TMP/bad" --cert "$TMP/tls/ec.pem" --key "$TMP/tls/ec.key" || exit 1
C=(curl -s --cacert "$TMP/tls/ca.pem" --resolve "deck.test:$TLS_PORT:127.0.0.1")
code=$("${C[@]}" -o "$TMP/bad.body" -w '%{http_code}' "https://deck.test:$TLS_PORT/k/server.key")
[ "$code" != 200 ] && ok "serve does not hand out the linked key (status $code)" ||
	notok "serve does not hand out the linked key (status $code)"
"${C[@]}" -o "$TMP/bad.page" "https://deck.test:$TLS_PORT/k/"
kill -INT "$TLS_PID"
wait "$TLS_PID"
bad=$(leaks "$TMP/ecf" "$TMP/bad.body" "$TMP/bad.page" "$TMP/bad.console")
expect_eq "nor any of its bytes, in its pages or its console" "" "$bad"
finish
