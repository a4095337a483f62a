#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Chromium loads a deck over HTTPS from the booted image (`unideck run --cert
# --key`), trusting a CA this test makes through an NSS database of its own
# (tls-image.mjs); a Chromium without the CA refuses the same page.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || ! command -v certutil >/dev/null; then
	skip "image HTTPS browser test: needs Chromium and certutil (libnss3-tools; scripts/deps.sh test)"
	exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$ROOT/build/kernel/unideck.elf" ]; then
	skip "image HTTPS browser test: QEMU or build/kernel/unideck.elf missing"
	exit 0
fi
check "build the default decks into an image" \
	"$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.elf" --quiet --no-pdf
cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=unideck-test-ca -keyout ca.key -out ca.pem >/dev/null 2>&1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=deck.test \
	-keyout leaf.key -out leaf.csr >/dev/null 2>&1
printf 'subjectAltName=DNS:deck.test\n' >leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-extfile leaf.ext -out leaf.pem >/dev/null 2>&1
mkdir -p trust/.pki/nssdb empty/.pki/nssdb
certutil -N -d sql:trust/.pki/nssdb --empty-password &&
	certutil -A -d sql:trust/.pki/nssdb -t 'C,,' -n unideck-test-ca -i ca.pem &&
	certutil -N -d sql:empty/.pki/nssdb --empty-password
check "a test CA in an NSS database of the test's own" \
	bash -c 'certutil -L -d sql:trust/.pki/nssdb | grep -q unideck-test-ca'
cd - >/dev/null || exit 1
if ! boot_image "$TMP/run.log" "$TMP/decks.elf" --cert "$TMP/leaf.pem" --key "$TMP/leaf.key"; then
	notok "the image boots with the certificate and serves HTTPS"
	exit 1
fi
mkdir -p "$ROOT/build/screenshots/image"
node "$ROOT/tests/browser/tls-image.mjs" "https://deck.test:$PORT/unideck/" "$TMP/trust" \
	"$TMP/empty" "$ROOT/build/screenshots/image" | sed 's/^\(not \)\{0,1\}ok - /&image https: /'
kill -INT "$RUN"
wait "$RUN"
exit 0
