#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The server's instructions per full TLS handshake (bench/tls_hs.c under
# callgrind, collection on in tls_conn_open/begin/end only): for an ECDSA P-256
# and an RSA 2048 certificate, made here. The same http/tls.c and libbearssl.a
# code the image runs (BearSSL picks its implementations by CPU features: the
# image under QEMU's -cpu max gets the same AES-NI and 64-bit multiply paths).
# Prints one line per key type and the top functions. Usage: bench/tls_hs.sh [N]
set -eu
cd "$(dirname "$0")/.."
n=${1:-20}
make -s build/bench/tls_hs
t=$(mktemp -d /tmp/unideck-tlshs.XXXXXX)
trap 'rm -rf "$t"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=deck.test \
	-keyout "$t/ec.key" -out "$t/ec.pem" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=deck.test \
	-keyout "$t/rsa.key" -out "$t/rsa.pem" >/dev/null 2>&1
for k in ec rsa; do
	valgrind --tool=callgrind --callgrind-out-file="$t/$k.cg" --collect-atstart=no \
		--toggle-collect=tls_conn_open --toggle-collect=tls_conn_begin \
		--toggle-collect=tls_conn_end build/bench/tls_hs "$t/$k.pem" "$t/$k.key" "$n" \
		>"$t/$k.out" 2>"$t/$k.err"
	total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$t/$k.err")
	echo "$k: $(cat "$t/$k.out"): $((total / n)) instructions per handshake (server side)"
	callgrind_annotate "$t/$k.cg" 2>/dev/null | grep -A6 'file:function' | tail -n 5 |
		sed 's/ \[.*//; s/^/    /'
done
