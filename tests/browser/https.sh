#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Chromium loads a deck over HTTPS from `unideck serve --cert --key`, trusting a
# test CA made here (an NSS database in a HOME of the test's own, where
# Chromium on Linux looks), and live follow works over HTTPS; a Chromium
# without that CA refuses the certificate (tests/browser/https.mjs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../integration/tls_lib.sh"
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "https browser test: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if ! command -v certutil >/dev/null || ! command -v openssl >/dev/null; then
	skip "https browser test: certutil (libnss3-tools) and openssl are needed (scripts/deps.sh test)"
	exit 0
fi
tls_make_ca || { notok "the test CA is made"; exit 1; }
tls_make_leaf leaf ec "DNS:deck.test" || { notok "the certificate is made"; exit 1; }
for h in trusted untrusted; do
	mkdir -p "$TMP/home-$h/.pki/nssdb"
	certutil -d "sql:$TMP/home-$h/.pki/nssdb" -N --empty-password ||
		{ notok "an NSS database for the $h browser"; exit 1; }
done
check "the test CA is trusted in the first browser's NSS database" \
	certutil -d "sql:$TMP/home-trusted/.pki/nssdb" -A -t "C,," -n "unideck test CA" -i "$TMP/tls/ca.pem"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
check "build the default decks" "$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.store" --quiet --no-pdf
start_tls_server "$TMP/server.log" "$TMP/decks.store" --cert "$TMP/tls/leaf.pem" \
	--key "$TMP/tls/leaf.key" --token "$token" || exit 1
expect_match "the server prints where to present, over https" "https://.*/DECK/#present=$token" \
	"$(cat "$TMP/server.log")"
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/https.mjs" "$TLS_PORT" "$token" "$TMP/home-trusted" "$TMP/home-untrusted" \
	"$ROOT/build/screenshots"
rc=$?
kill -INT "$TLS_PID"
wait "$TLS_PID"
finish && exit $rc
