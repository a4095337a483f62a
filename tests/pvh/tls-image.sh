#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# HTTPS from the image itself: the default decks built into an image, booted by
# `unideck run --cert --key` (the key reaches the guest as a PVH module, never
# the image), reached from the host with curl and openssl s_client through
# QEMU's user network. One boot per scenario:
#   microvm, ECDSA P-256 (virtio-rng over virtio-mmio): HTTPS with keep-alive,
#     Range and a whole video; HSTS; the 308 on the plain port; SNI for two
#     names on one certificate; TLS 1.0, 1.1 and 1.3-only clients and CBC
#     suites refused; the copies counted; no key bytes in the image, the store
#     or the console, and the module file gone from the host;
#   q35, RSA 2048 (virtio-rng-pci) with --no-hsts;
#   the arm64 image on virt (the module by QEMU's loader and bootmod=): HTTPS,
#     the 308, a range;
#   the refusals: no entropy (no virtio-rng, a CPU without RDRAND), a key that
#     is not the certificate's, a module that is not ours.
# The test makes its own CA and keys at run time.
. "$(dirname "$0")/pvhlib.sh"
KERNEL=$ROOT/build/kernel/unideck.elf
require_kernel
for t in openssl curl python3; do
	command -v $t >/dev/null 2>&1 || { skip "tls-image: $t not installed"; exit 0; }
done

IMG=$TMP/decks.elf
"$UNIDECK" build "$ROOT/decks" -o "$IMG" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the default decks into an image"; cat "$TMP/build.log"; exit 1; }
ok "build the default decks into an image ($(stat -c %s "$IMG") bytes)"
video=$(cd "$ROOT/decks" && ls features/media/*.mp4 | head -n 1)

# A test CA, and leaves for deck.test and alt.test signed by it.
cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=unideck-test-ca -keyout ca.key -out ca.pem >/dev/null 2>&1
leaf() { # leaf NAME KEYGEN-ARGS...
	local n=$1
	shift
	openssl req -new -newkey "$@" -nodes -subj /CN=deck.test -keyout "$n.key" \
		-out "$n.csr" >/dev/null 2>&1 &&
		printf 'subjectAltName=DNS:deck.test,DNS:alt.test\n' >"$n.ext" &&
		openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
			-extfile "$n.ext" -out "$n.pem" >/dev/null 2>&1
}
leaf ec ec -pkeyopt ec_paramgen_curve:P-256 && leaf rsa rsa:2048 ||
	{ notok "make a test CA and two leaves"; exit 1; }
cat ec.pem ca.pem >ec-chain.pem
ok "a test CA, an ECDSA P-256 and an RSA 2048 leaf for deck.test and alt.test"
cd - >/dev/null || exit 1

# boot_tls TAG ARGS...: `unideck run` in the background; waits for the https
# line. Sets PORT (to 443), HPORT (to 80), RUN, RLOG.
boot_tls() {
	local tag=$1
	shift
	RLOG=$TMP/run-$tag.log
	boot_image "$RLOG" "$IMG" --http-port 0 "$@" && grep -q '^unideck: serving at https' "$RLOG"
}

# c NAME ARGS...: curl trusting the test CA, deck.test and alt.test on loopback.
c() {
	curl -s --max-time 60 --cacert "$TMP/ca.pem" --resolve "deck.test:$PORT:127.0.0.1" \
		--resolve "alt.test:$PORT:127.0.0.1" "$@"
}

# sc ARGS...: openssl s_client to the guest's 443; its output in $TMP/sc.out.
sc() {
	timeout 60 openssl s_client -connect "127.0.0.1:$PORT" -servername deck.test \
		-CAfile "$TMP/ca.pem" "$@" </dev/null >"$TMP/sc.out" 2>&1
}

# ---- microvm, ECDSA P-256 ----
if boot_tls microvm --cert "$TMP/ec-chain.pem" --key "$TMP/ec.key" --append stats=2; then
	ok "[microvm] the image boots and serves HTTPS"
	grep -h 'TLS:\|serving at\|redirecting\|rng:' "$RLOG" | sed 's/^/# [microvm] /'
	check "[microvm] the console names the key: ECDSA P-256" \
		grep -q '^unideck: TLS: ECDSA P-256, TLS 1.2' "$RLOG"
	check "[microvm] entropy from virtio-rng (virtio-mmio)" \
		grep -q 'entropy from .*virtio-rng' "$RLOG"
	check "[microvm] the module was taken and the loader's copy zeroed" \
		grep -q '^pvh: boot module of [0-9]* bytes at 0x[0-9a-f]* taken (the loader.s copy zeroed)' "$RLOG"
	if grep -rlF -- "$(sed -n 2p "$TMP/ec.key")" /dev/shm/unideck-run.* /tmp/unideck-run.* \
		2>/dev/null | grep -q .; then
		notok "[microvm] the module file is gone from the host once the guest runs"
	else
		ok "[microvm] the module file is gone from the host once the guest runs"
	fi

	B=https://deck.test:$PORT
	out=$(c -w '%{http_code} %{ssl_verify_result}' -o "$TMP/index.html" "$B/")
	expect_eq "[microvm] GET / over HTTPS, the chain verified by the test CA" "200 0" "$out"
	check "[microvm] the index lists the decks" grep -q 'unideck: a unikernel' "$TMP/index.html"
	out=$(c -w '%{num_connects}\n' -o /dev/null -o /dev/null "$B/unideck/" "$B/")
	expect_eq "[microvm] keep-alive: two requests, one connection" "1 0" "$(echo $out)"
	code=$(c -o "$TMP/part" -w '%{http_code}' -r 1000-4999 "$B/$video")
	want=$(tail -c +1001 "$ROOT/decks/$video" | head -c 4000 | sha256sum)
	expect_eq "[microvm] a ranged request over TLS: 206" 206 "$code"
	expect_eq "[microvm] the range's bytes are the file's" "$want" "$(sha256sum <"$TMP/part")"
	got=$(c "$B/$video" | sha256sum)
	expect_eq "[microvm] the whole video over TLS, byte for byte" \
		"$(sha256sum <"$ROOT/decks/$video")" "$got"
	hdrs=$(c -D - -o /dev/null "$B/unideck/" | tr -d '\r')
	expect_match "[microvm] HSTS on HTTPS responses" \
		'^Strict-Transport-Security: max-age=[0-9]+' "$hdrs"
	hdrs=$(curl -s --max-time 30 -D - -o /dev/null -H "Host: deck.test:$HPORT" \
		"http://127.0.0.1:$HPORT/unideck/?x=1" | tr -d '\r')
	expect_match "[microvm] plain HTTP answers 308" '^HTTP/1.1 308' "$hdrs"
	expect_match "[microvm] to the same path on https, on the forwarded port" \
		"^Location: https://deck.test:$PORT/unideck/\\?x=1\$" "$hdrs"
	if printf '%s' "$hdrs" | grep -q '^Strict-Transport-Security'; then
		notok "[microvm] no HSTS on plain HTTP (RFC 6797 7.2)"
	else
		ok "[microvm] no HSTS on plain HTTP (RFC 6797 7.2)"
	fi
	code=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' \
		"http://127.0.0.1:$HPORT/.well-known/acme-challenge/abc")
	expect_eq "[microvm] the ACME HTTP-01 path is not redirected (no challenge: 404)" 404 "$code"
	out=$(c -w '%{http_code} %{ssl_verify_result}' -o /dev/null "https://alt.test:$PORT/")
	expect_eq "[microvm] SNI alt.test: the same certificate verifies for the second name" \
		"200 0" "$out"

	sc -tls1_2
	check "[microvm] s_client TLS 1.2: handshake and verified chain" \
		grep -q 'Verify return code: 0 (ok)' "$TMP/sc.out"
	check "[microvm] s_client TLS 1.2: an AEAD ECDHE-ECDSA suite" \
		grep -Eq 'Cipher is ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)' \
		"$TMP/sc.out"
	for v in tls1 tls1_1; do
		if sc -$v -cipher 'DEFAULT:@SECLEVEL=0'; then
			notok "[microvm] a $v-only client is refused"
			sed 's/^/#   /' "$TMP/sc.out" | head -n 10
		else
			ok "[microvm] a $v-only client is refused"
		fi
	done
	if sc -tls1_3; then
		notok "[microvm] a TLS 1.3-only client is refused (BearSSL has no 1.3)"
	else
		ok "[microvm] a TLS 1.3-only client is refused (BearSSL has no 1.3)"
	fi
	for s in ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA; do
		if sc -tls1_2 -cipher "$s"; then
			notok "[microvm] a client offering only CBC ($s) is refused"
		else
			ok "[microvm] a client offering only CBC ($s) is refused"
		fi
	done
	code=$(c -o /dev/null -w '%{http_code}' "$B/unideck/")
	expect_eq "[microvm] after the refusals the server still serves" 200 "$code"

	sleep 3 # a stats line after the requests
	stats=$(grep '^stats: tls' "$RLOG" | tail -n 1)
	echo "# [microvm] $stats"
	# The five refused clients above (1.0, 1.1, 1.3, two CBC) and no others.
	expect_match "[microvm] handshakes counted, the five refusals as failed ones" \
		'[1-9][0-9]* handshakes \(5 failed, 0 timed out, 0 evicted' "$stats"
	expect_match "[microvm] store bytes go into the record buffer (one copy)" \
		'store bytes [1-9][0-9]* copied into records' "$stats"
	expect_match "[microvm] the 308s counted" 'redirect [1-9][0-9]* 308s' "$stats"

	# The key never in the image, the store or the console: its PEM lines,
	# its DER and its private scalar.
	openssl pkey -in "$TMP/ec.key" -outform DER -out "$TMP/ec.der" 2>/dev/null
	openssl ec -in "$TMP/ec.key" -text -noout 2>/dev/null |
		awk '/^priv:/ { p = 1; next } /^pub:/ { p = 0 } p' | tr -d ' :\n' >"$TMP/ec.priv"
	"$UNIDECK" build "$ROOT/decks" -o "$TMP/store.bin" --no-pdf >/dev/null 2>&1 ||
		notok "[microvm] build the store alone"
	leak=$(python3 - "$TMP/ec.key" "$TMP/ec.der" "$TMP/ec.priv" "$IMG" "$TMP/store.bin" \
		"$RLOG" <<'EOF'
import sys
pem, der, priv = (open(p, 'rb').read() for p in sys.argv[1:4])
needles = [l for l in pem.splitlines() if l and not l.startswith(b'-----')]
needles += [der, bytes.fromhex(priv.decode())]
found = []
for f in sys.argv[4:]:
    data = open(f, 'rb').read()
    found += [f"{f}: needle {i}" for i, n in enumerate(needles) if len(n) >= 16 and n in data]
print(len(needles), '; '.join(found))
EOF
)
	expect_match "[microvm] no key bytes (PEM lines, DER, scalar) in the image, the store or the console" \
		'^[0-9]+ $' "$leak"
	kill -INT "$RUN"
	wait "$RUN"
	expect_eq "[microvm] Ctrl-C stops the VM and unideck run exits 0" 0 "$?"
else
	notok "[microvm] the image boots and serves HTTPS"
fi

# ---- q35, RSA 2048, --no-hsts ----
if boot_tls q35 --machine q35 --cert "$TMP/rsa.pem" --key "$TMP/rsa.key" --no-hsts; then
	ok "[q35] the image boots and serves HTTPS"
	check "[q35] the console names the key: RSA" grep -q '^unideck: TLS: RSA' "$RLOG"
	check "[q35] entropy from virtio-rng-pci" grep -q '^pvh: rng: virtio-pci' "$RLOG"
	hdrs=$(c -D - -o "$TMP/q.html" "https://deck.test:$PORT/unideck/" | tr -d '\r')
	expect_match "[q35] GET over HTTPS with an RSA certificate" '^HTTP/1.1 200' "$hdrs"
	if printf '%s' "$hdrs" | grep -q '^Strict-Transport-Security'; then
		notok "[q35] --no-hsts: no HSTS header"
	else
		ok "[q35] --no-hsts: no HSTS header"
	fi
	sc -tls1_2
	check "[q35] s_client: an AEAD ECDHE-RSA suite" \
		grep -Eq 'Cipher is ECDHE-RSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)' \
		"$TMP/sc.out"
	kill -INT "$RUN"
	wait "$RUN"
else
	notok "[q35] the image boots and serves HTTPS"
fi

# ---- arm64 on virt, ECDSA P-256 ----
if command -v qemu-system-aarch64 >/dev/null && [ -f "$ROOT/build/arm64/unideck.elf" ]; then
	IMG64=$TMP/decks-arm64.elf
	"$UNIDECK" build "$ROOT/decks" -o "$IMG64" --arch arm64 --no-pdf >"$TMP/build64.log" 2>&1 ||
		notok "[arm64] build the decks into an arm64 image"
	IMG_SAVE=$IMG
	IMG=$IMG64
	if boot_tls arm64 --cert "$TMP/ec-chain.pem" --key "$TMP/ec.key"; then
		ok "[arm64] the image boots and serves HTTPS"
		check "[arm64] the module was taken and the loader's copy zeroed" \
			grep -q '^arm64: boot module of [0-9]* bytes at 0x[0-9a-f]* taken' "$RLOG"
		check "[arm64] the console names the key, entropy from RNDR and virtio-rng" \
			grep -q '^unideck: TLS: ECDSA P-256, .*entropy from RNDR and virtio-rng' "$RLOG"
		out=$(c -w '%{http_code} %{ssl_verify_result}' -o /dev/null "https://deck.test:$PORT/")
		expect_eq "[arm64] GET / over HTTPS, verified" "200 0" "$out"
		want=$(tail -c +1001 "$ROOT/decks/$video" | head -c 4000 | sha256sum)
		code=$(c -o "$TMP/part64" -w '%{http_code}' -r 1000-4999 "https://deck.test:$PORT/$video")
		expect_eq "[arm64] a ranged request over TLS: 206, the file's bytes" "206 $want" \
			"$code $(sha256sum <"$TMP/part64")"
		hdrs=$(curl -s --max-time 30 -D - -o /dev/null "http://127.0.0.1:$HPORT/x" | tr -d '\r')
		expect_match "[arm64] plain HTTP answers 308" '^HTTP/1.1 308' "$hdrs"
		kill -INT "$RUN"
		wait "$RUN"
	else
		notok "[arm64] the image boots and serves HTTPS"
	fi
	IMG=$IMG_SAVE
else
	skip "[arm64] HTTPS: qemu-system-aarch64 or build/arm64/unideck.elf missing"
fi

# ---- the guest's memory, dumped while it serves ----
# QEMU by hand with a monitor: the module built here in app/ktls.h's format,
# then all of guest RAM saved (pmemsave) once the image serves HTTPS. The key's
# PEM lines and DER must be nowhere in it (the loader's copy and the kernel's
# copy are wiped; only BearSSL's decoded numbers remain); the certificate's
# DER must be there (the dump is real).
python3 - "$TMP/ec-chain.pem" "$TMP/ec.key" "$TMP/mod.bin" <<'EOF'
import struct, sys
c, k = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(b'UDTLS01\n' + struct.pack('<II', len(c), len(k)) + c + k)
EOF
# (QEMU runs in $TMP: pmemsave's file name must not start with a slash, which
# the monitor's expression parser reads as a division.)
(cd "$TMP" && exec qemu-system-x86_64 -accel tcg -M microvm -cpu max -m 96M -nodefaults -no-user-config \
	-display none -serial "file:$TMP/mem-console.log" -no-reboot \
	-monitor "unix:$TMP/mon.sock,server=on,wait=off" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -netdev user,id=n0 \
	-device virtio-net-device,netdev=n0 -device virtio-rng-device -kernel "$IMG" \
	-initrd "$TMP/mod.bin" -append "ip=10.0.2.15/24 gw=10.0.2.2" >"$TMP/mem-qemu.log" 2>&1) &
MQ=$!
PIDS+=("$MQ")
for _ in $(seq 1 600); do
	grep -q '^unideck: serving at https' "$TMP/mem-console.log" 2>/dev/null && break
	sleep 0.1
done
python3 - "$TMP/mon.sock" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.5)
s.sendall(f"pmemsave 0 {96 << 20} ram.bin\n".encode())
time.sleep(4)
s.sendall(b"quit\n")
time.sleep(0.5)
EOF
wait "$MQ" 2>/dev/null
openssl x509 -in "$TMP/ec.pem" -outform DER -out "$TMP/ec-cert.der" 2>/dev/null
if [ -s "$TMP/ram.bin" ] && grep -q '^unideck: serving at https' "$TMP/mem-console.log"; then
	ok "guest RAM dumped while the image served HTTPS ($(stat -c %s "$TMP/ram.bin") bytes)"
	res=$(python3 - "$TMP/ram.bin" "$TMP/ec.key" "$TMP/ec.der" "$TMP/ec-cert.der" <<'EOF'
import sys
ram = open(sys.argv[1], 'rb').read()
pem, der, cert = (open(p, 'rb').read() for p in sys.argv[2:5])
lines = [l for l in pem.splitlines() if l and not l.startswith(b'-----')]
found = [i for i, l in enumerate(lines) if l in ram] + (['der'] if der in ram else [])
print('cert' if cert in ram else 'nocert', len(found))
EOF
)
	expect_eq "the certificate's DER is in guest memory (the dump is real)" cert "${res% *}"
	expect_eq "no line of the key's PEM and not its DER anywhere in guest memory" 0 "${res#* }"
else
	notok "guest RAM dumped while the image served HTTPS"
	sed 's/^/#   /' "$TMP/mem-console.log" "$TMP/mem-qemu.log" | tail -n 20
fi

# ---- refusals ----
out=$(timeout 120 "$UNIDECK" run "$IMG" --accel tcg --cpu qemu64 --rng off \
	--cert "$TMP/ec.pem" --key "$TMP/ec.key" 2>&1)
expect_eq "no entropy source: the guest refuses TLS (exit 14)" 14 "$?"
expect_match "and says why, naming virtio-rng" 'TLS: no entropy source .*virtio-rng' "$out"
out=$(timeout 120 "$UNIDECK" run "$IMG" --accel tcg --cert "$TMP/ec.pem" --key "$TMP/rsa.key" 2>&1)
expect_eq "a key that is not the certificate's: refused (exit 14)" 14 "$?"
expect_match "and the console says so" '^unideck: TLS: ' "$out"
if grep -qF "$(sed -n 2p "$TMP/rsa.key")" <<<"$out"; then
	notok "the refusal prints no key bytes"
else
	ok "the refusal prints no key bytes"
fi
out=$("$UNIDECK" run "$IMG" --cert "$TMP/ec.pem" 2>&1)
expect_eq "--cert without --key is refused (exit 2)" 2 "$?"
out=$("$UNIDECK" run "$IMG" --cert "$TMP/ec.key" --key "$TMP/ec.key" 2>&1)
expect_eq "--cert naming a key file is refused (exit 1)" 1 "$?"
expect_match "and the message names the file" 'no PEM certificate' "$out"
# QEMU by hand, with a module that is not ours (the CA certificate alone).
out=$(timeout 120 qemu-system-x86_64 -accel tcg -M microvm -cpu max -m 96M -nodefaults \
	-no-user-config -display none -serial stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -netdev user,id=n0 \
	-device virtio-net-device,netdev=n0 -device virtio-rng-device -kernel "$IMG" \
	-initrd "$TMP/ca.pem" -append "ip=10.0.2.15/24 gw=10.0.2.2" 2>&1)
expect_eq "a module that is not ours: the guest stops (exit 14 through isa-debug-exit)" \
	29 "$?"
expect_match "and names it" 'TLS: the boot module is not a certificate and key' "$out"
finish
