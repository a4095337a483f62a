#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ACME for real: `unideck serve --acme` against Debian's Pebble, in network
# namespaces of our own. Pebble and pebble-challtestsrv run in one namespace
# (the CA, https://acme.test:14000 with a certificate from a test CA made here),
# unideck in another, joined by a veth pair. challtestsrv answers Pebble's DNS:
# deck.test and www.deck.test are added by its management API to point at
# unideck's address (its default answer points elsewhere, so the lookup is
# proved). Pebble validates HTTP-01 over the veth on unideck's --port.
# PEBBLE_VA_ALWAYS_VALID is never set; Pebble's default 5% of rejected nonces
# stays on, so badNonce retries happen.
#
# Checked: the certificate is obtained and the chain verifies with openssl
# against Pebble's root from its management port, with both names; the state
# file is 0600 and neither key's bytes appear in any log; plain HTTP is served
# throughout; a restart with the state orders nothing (Pebble's order count);
# a damaged, a foreign and another server's state are refused by name and the
# server orders afresh; an expired certificate in the state is renewed; a
# server whose certificate is not trusted (--acme-ca) is refused, logged,
# retried with backoff, and plain HTTP goes on; with a 30-second validity the
# certificate is renewed at two thirds without a restart; and `serve --net tap
# --acme` on our own stack (8.).
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "acme: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
PATH=$PATH:/usr/sbin
for c in pebble pebble-challtestsrv openssl curl python3; do
	command -v "$c" >/dev/null || { skip "acme: $c is not installed"; exit 0; }
done
NSC=ud-acme-$$-ca
NSS=ud-acme-$$-srv
CA_IP=10.201.0.1
SRV_IP=10.201.0.2
PORT=5002   # plain HTTP: the redirect and HTTP-01 (Pebble's httpPort)
TLS_PORT=5443
ip netns add "$NSC"
ip netns add "$NSS"
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs" &&
		cp "$TMP"/*.log "$ROOT/build/test-logs/" 2>/dev/null
	for n in "$NSC" "$NSS"; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null; done
	sleep 0.3
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	rm -rf "/etc/netns/$NSS" "/etc/netns/$NSC"
	cleanup
}
trap teardown EXIT
CX=(ip netns exec "$NSC")
SX=(ip netns exec "$NSS")
ip link add "uac$$" type veth peer name "uas$$"
ip link set "uac$$" netns "$NSC"
ip link set "uas$$" netns "$NSS"
"${CX[@]}" ip link set lo up
"${SX[@]}" ip link set lo up
"${CX[@]}" ip addr add "$CA_IP/24" dev "uac$$"
"${SX[@]}" ip addr add "$SRV_IP/24" dev "uas$$"
"${CX[@]}" ip link set "uac$$" up
"${SX[@]}" ip link set "uas$$" up
# unideck finds the ACME server by name through its resolver (ip netns exec
# binds /etc/netns/NAME/hosts over /etc/hosts).
mkdir -p "/etc/netns/$NSS"
printf '127.0.0.1 localhost\n%s acme.test acme-alias.test\n' "$CA_IP" >"/etc/netns/$NSS/hosts"

# A test CA and Pebble's HTTPS certificate for acme.test, made now.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/ca.key" \
	-out "$TMP/ca.pem" -subj /CN=unideck-test-ca -days 2 >/dev/null 2>&1 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/pebble.key" \
		-out "$TMP/pebble.csr" -subj /CN=acme.test >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:acme.test\n' >"$TMP/ext" &&
	openssl x509 -req -in "$TMP/pebble.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" \
		-CAcreateserial -days 2 -extfile "$TMP/ext" -out "$TMP/pebble.pem" >/dev/null 2>&1 ||
	{ notok "acme: make the test CA"; exit 1; }
# Another CA, which signed nothing: a client trusting only it must refuse Pebble.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/other.key" \
	-out "$TMP/other.pem" -subj /CN=other-ca -days 2 >/dev/null 2>&1

"$UNIDECK" build "$ROOT/decks" -o "$TMP/store" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "acme: build the test store"; cat "$TMP/build.log"; exit 1; }

"${CX[@]}" pebble-challtestsrv -defaultIPv4 10.201.0.99 -defaultIPv6 "" \
	-dns01 "$CA_IP:8053" -management "$CA_IP:8055" -http01 "" -https01 "" -tlsalpn01 "" \
	>"$TMP/challtestsrv.log" 2>&1 &
PIDS+=("$!")

PEBBLE_PID=
# pebble_start VALIDITY_SECONDS LOGNAME
pebble_start() {
	cat >"$TMP/pebble.json" <<JSON
{"pebble": {"listenAddress": "$CA_IP:14000", "managementListenAddress": "$CA_IP:15000",
 "certificate": "$TMP/pebble.pem", "privateKey": "$TMP/pebble.key",
 "httpPort": $PORT, "tlsPort": 5001, "ocspResponderURL": "",
 "externalAccountBindingRequired": false, "certificateValidityPeriod": $1}}
JSON
	"${CX[@]}" env PEBBLE_VA_NOSLEEP=1 pebble -config "$TMP/pebble.json" \
		-dnsserver "$CA_IP:8053" >"$TMP/$2.log" 2>&1 &
	PEBBLE_PID=$!
	PIDS+=("$PEBBLE_PID")
	for _ in $(seq 1 100); do
		"${CX[@]}" curl -s --cacert "$TMP/ca.pem" --resolve "acme.test:14000:$CA_IP" \
			https://acme.test:14000/dir >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
pebble_stop() {
	kill "$PEBBLE_PID" 2>/dev/null
	wait "$PEBBLE_PID" 2>/dev/null
}
orders() { grep -c 'There are now [0-9]* orders in the db' "$TMP/$1.log"; }

for _ in $(seq 1 50); do
	"${CX[@]}" curl -s "http://$CA_IP:8055/" >/dev/null 2>&1 && break
	sleep 0.1
done
for h in deck.test www.deck.test; do
	"${CX[@]}" curl -s -X POST -d "{\"host\":\"$h\",\"addresses\":[\"$SRV_IP\"]}" \
		"http://$CA_IP:8055/add-a" >/dev/null
done

pebble_start 157766400 pebble1 || { notok "acme: Pebble starts"; cat "$TMP/pebble1.log"; exit 1; }
ok "acme: Pebble and challtestsrv run in their namespace"

SRV_PID=
# serve LOGNAME ARGS...: start unideck serve with ACME in the server namespace.
# DIR_URL and DOMAINS may be set for one call.
serve() {
	local log=$1
	shift
	"${SX[@]}" "$UNIDECK" serve "$TMP/store" --host "$SRV_IP" --port "$TLS_PORT" --http-port "$PORT" \
		--acme "${DIR_URL:-https://acme.test:14000/dir}" --domain "${DOMAINS:-deck.test,www.deck.test}" "$@" \
		>"$TMP/$log.log" 2>&1 &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
}
serve_stop() {
	kill -INT "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
}
# wait_log LOGNAME REGEX SECONDS
wait_log() {
	for _ in $(seq 1 $(($3 * 10))); do
		grep -Eq -- "$2" "$TMP/$1.log" && return 0
		kill -0 "$SRV_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
http_code() {
	"${CX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://$SRV_IP:$PORT/"
}
# https_code NAME: GET / over HTTPS by name, trusting only Pebble's root.
https_code() {
	"${CX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		--cacert "$TMP/pebble-root.pem" --resolve "$1:$TLS_PORT:$SRV_IP" "https://$1:$TLS_PORT/"
}
serial() {
	"${CX[@]}" openssl s_client -connect "$SRV_IP:$TLS_PORT" -servername deck.test </dev/null 2>/dev/null |
		openssl x509 -noout -serial 2>/dev/null
}

# state_py CMD FILE [ARGS]: read or rewrite the state (acme/state.h's format).
state_py() {
	python3 - "$@" <<'PY'
import hashlib, struct, sys
cmd, path = sys.argv[1], sys.argv[2]
raw = open(path, 'rb').read()
assert raw[:8] == b'UDACME\r\n'
n = struct.unpack('<I', raw[12:16])[0]
recs, off = [], 16
while off < 16 + n:
    t, l = raw[off], struct.unpack('<I', raw[off+1:off+5])[0]
    recs.append([t, raw[off+5:off+5+l]]); off += 5 + l
if cmd == 'secrets':      # the keys, as hex and base64url, one a line
    import base64
    for t, v in recs:
        if t in (3, 4):
            print(v.hex()); print(base64.urlsafe_b64encode(v).decode().rstrip('='))
elif cmd == 'chain':
    sys.stdout.write([v for t, v in recs if t == 5][0].decode())
elif cmd == 'expire':     # record notAfter (type 7) as an hour ago
    import time
    recs = [[t, struct.pack('<Q', int(time.time()) - 3600) if t == 7 else v] for t, v in recs]
    body = b''.join(bytes([t]) + struct.pack('<I', len(v)) + v for t, v in recs)
    head = raw[:12] + struct.pack('<I', len(body)) + body
    open(path, 'wb').write(head + hashlib.sha256(head).digest())
PY
}

# 1. A first start: account, order, HTTP-01 over the network, chain.
serve first --acme-ca "$TMP/ca.pem" --state "$TMP/st" --stats
wait_log first '^serving ' 20
codes=""
for _ in 1 2 3; do codes="$codes$(http_code) "; sleep 0.2; done
expect_eq "acme: the plain port answers (308 to https) while the certificate is being ordered" "308 308 308 " "$codes"
if wait_log first 'certificate for deck.test,www.deck.test obtained' 90; then
	ok "acme: a certificate is obtained from Pebble"
else
	notok "acme: a certificate is obtained from Pebble"
	sed 's/^/#   /' "$TMP/first.log" | tail -30
	exit 1
fi
expect_match "acme: both authorizations were validated by Pebble over HTTP-01" \
	'authorization valid for deck.test.*authorization valid for www.deck.test|authorization valid for www.deck.test.*authorization valid for deck.test' \
	"$(tr '\n' ' ' <"$TMP/first.log")"
expect_match "acme: Pebble fetched the challenge from unideck's address" \
	"$SRV_IP|deck.test" "$(grep -i 'http-01\|validat' "$TMP/pebble1.log" | head -5)"
expect_eq "acme: one order at Pebble" 1 "$(orders pebble1)"
# (Pebble's VA fetches each token more than once: from several perspectives.)
expect_eq "acme: unideck saw both challenge tokens fetched over the veth (by Pebble's VA)" 2 \
	"$(sed -n 's/.*HTTP-01 challenge \([^ ]*\) fetched/\1/p' "$TMP/first.log" | sort -u | wc -l)"
expect_eq "acme: the state file is mode 0600" 600 "$(stat -c %a "$TMP/st")"
state_py chain "$TMP/st" >"$TMP/chain.pem"
"${CX[@]}" curl -s --cacert "$TMP/ca.pem" "https://acme.test:15000/roots/0" \
	--resolve "acme.test:15000:$CA_IP" -o "$TMP/pebble-root.pem"
check "acme: the chain verifies against Pebble's root from its management port" \
	openssl verify -CAfile "$TMP/pebble-root.pem" -untrusted "$TMP/chain.pem" "$TMP/chain.pem"
expect_match "acme: the leaf names both domains" 'DNS:deck.test, DNS:www.deck.test|DNS:www.deck.test, DNS:deck.test' \
	"$(openssl x509 -in "$TMP/chain.pem" -noout -ext subjectAltName 2>&1)"
wait_log first '^tls: serving the ACME certificate' 10
expect_eq "acme: curl gets 200 over HTTPS from deck.test, trusting Pebble's root" 200 "$(https_code deck.test)"
expect_eq "acme: and from www.deck.test (the same certificate)" 200 "$(https_code www.deck.test)"
expect_eq "acme: the plain port still answers" 308 "$(http_code)"
keyauth_code=$("${CX[@]}" curl -s -o /dev/null -w '%{http_code}' \
	"http://$SRV_IP:$PORT/.well-known/acme-challenge/nonexistent-token")
expect_eq "acme: an unknown challenge token is 404" 404 "$keyauth_code"
serve_stop
expect_match "acme: --stats counts one order, one certificate, the challenges served" \
	"acme.orders 1 acme.certs 1 acme.errors 0 .*acme.challenges_served [1-9]" "$(tr '\n' ' ' <"$TMP/first.log")"
leaked=0
while read -r s; do
	cat "$TMP"/first.log | grep -qF -- "$s" && leaked=1
done < <(state_py secrets "$TMP/st")
expect_eq "acme: neither key's bytes (hex or base64url) appear in the output" 0 "$leaked"

# 2. A restart with the same state orders nothing.
serve second --acme-ca "$TMP/ca.pem" --state "$TMP/st"
if wait_log second 'from the state, valid until' 20; then
	ok "acme: a restart takes the certificate from the state"
else
	notok "acme: a restart takes the certificate from the state"
	sed 's/^/#   /' "$TMP/second.log" | tail -20
fi
sleep 2
expect_eq "acme: a restart with a good certificate orders nothing" 1 "$(orders pebble1)"
wait_log second '^tls: serving the ACME certificate' 10
expect_eq "acme: the restart serves HTTPS at once with the stored certificate" 200 "$(https_code deck.test)"
serve_stop

# 3. A damaged state is refused by name, kept aside, and a new order made.
cp "$TMP/st" "$TMP/st.good"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[40]^=1; open(sys.argv[1],'wb').write(b)" "$TMP/st"
serve damaged --acme-ca "$TMP/ca.pem" --state "$TMP/st"
wait_log damaged 'obtained' 90
expect_match "acme: a damaged state is refused with a clear message" \
	"state $TMP/st refused: damaged \(checksum mismatch\); kept as $TMP/st.bad" "$(cat "$TMP/damaged.log")"
expect_eq "acme: and a new order is made" 2 "$(orders pebble1)"
check "acme: and a good state is written again" grep -q "certificate for deck.test,www.deck.test obtained" "$TMP/damaged.log"
serve_stop

# 4. A foreign file is refused too (and not destroyed).
head -c 3000 /dev/urandom >"$TMP/foreign"
cp "$TMP/foreign" "$TMP/foreign.orig"
serve foreign --acme-ca "$TMP/ca.pem" --state "$TMP/foreign"
wait_log foreign 'obtained' 90
expect_match "acme: a foreign file is refused by name" "refused: not an unideck ACME state" "$(cat "$TMP/foreign.log")"
check "acme: the foreign file is kept aside unchanged" cmp "$TMP/foreign.orig" "$TMP/foreign.bad"
serve_stop

# 5. An expired certificate in the state is renewed.
cp "$TMP/st.good" "$TMP/st"
state_py expire "$TMP/st"
before=$(orders pebble1)
serve expired --acme-ca "$TMP/ca.pem" --state "$TMP/st"
wait_log expired 'obtained' 90
expect_match "acme: an expired certificate in the state is seen as expired" "expired at .*: renewing" "$(cat "$TMP/expired.log")"
expect_eq "acme: and renewed by a new order" $((before + 1)) "$(orders pebble1)"
serve_stop

# 5b. A state made for another ACME server is refused; one for other names
# keeps its account and orders a certificate for the new names.
cp "$TMP/st.good" "$TMP/st"
before=$(orders pebble1)
DIR_URL="https://acme.test:14000/dir?another" serve otherdir --acme-ca "$TMP/ca.pem" --state "$TMP/st"
wait_log otherdir 'obtained' 90
expect_match "acme: a state for another ACME server is refused, naming both" \
	"is for the ACME server https://acme.test:14000/dir, not https://acme.test:14000/dir\?another" \
	"$(cat "$TMP/otherdir.log")"
expect_eq "acme: and a new order follows" $((before + 1)) "$(orders pebble1)"
serve_stop
cp "$TMP/st.good" "$TMP/st"
DOMAINS=deck.test serve othernames --acme-ca "$TMP/ca.pem" --state "$TMP/st"
wait_log othernames 'obtained' 90
expect_match "acme: a state for other names keeps the account and orders for the new names" \
	"account key from .*is for deck.test,www.deck.test, not deck.test: ordering one.*certificate for deck.test obtained" \
	"$(tr '\n' ' ' <"$TMP/othernames.log")"
serve_stop

# 6. A server whose certificate the client does not trust: refused, retried.
serve untrusted --acme-ca "$TMP/other.pem" --state "$TMP/st-untrusted"
wait_log untrusted 'retrying in' 30
expect_match "acme: an untrusted ACME server is refused, by reason" "not trusted" "$(cat "$TMP/untrusted.log")"
expect_match "acme: and retried with backoff" "retrying in 5 s" "$(cat "$TMP/untrusted.log")"
expect_eq "acme: the plain port is served while ACME fails" 308 "$(http_code)"
serve_stop
# The same server by another name: trusted chain, wrong name.
DIR_URL=https://acme-alias.test:14000/dir serve badname --acme-ca "$TMP/ca.pem" --state "$TMP/st-badname"
wait_log badname 'retrying in' 30
expect_match "acme: a server whose certificate is for another name is refused, by reason" \
	"TLS with acme-alias.test failed: the server's certificate is for another name" "$(cat "$TMP/badname.log")"
serve_stop

# 7. A 30-second certificate is renewed at two thirds, without a restart.
pebble_stop
pebble_start 30 pebble2 || { notok "acme: Pebble restarts"; exit 1; }
"${CX[@]}" curl -s --cacert "$TMP/ca.pem" "https://acme.test:15000/roots/0" \
	--resolve "acme.test:15000:$CA_IP" -o "$TMP/pebble-root.pem"
serve short --acme-ca "$TMP/ca.pem" --state "$TMP/st-short"
s1=
if wait_log short 'obtained.*' 60 && wait_log short '^tls: serving the ACME' 10; then
	s1=$(serial)
fi
if wait_log short 'renewing the certificate' 40; then
	for _ in $(seq 1 300); do
		[ "$(grep -c 'certificate for deck.test,www.deck.test obtained' "$TMP/short.log")" -ge 2 ] && break
		sleep 0.1
	done
fi
expect_eq "acme: a 30 s certificate is renewed at two thirds of its life (two obtained)" 2 \
	"$(grep -c 'certificate for deck.test,www.deck.test obtained' "$TMP/short.log")"
expect_eq "acme: two orders at the second Pebble" 2 "$(orders pebble2)"
sleep 1.5 # the loop installs a new certificate within a second
s2=$(serial)
if [ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" != "$s2" ]; then
	ok "acme: HTTPS serves the renewed certificate without a restart ($s1 then $s2)"
else
	notok "acme: HTTPS serves the renewed certificate without a restart: '$s1' then '$s2'"
fi
expect_eq "acme: and curl gets 200 with it" 200 "$(https_code deck.test)"
serve_stop

# 8. On our own stack: `serve --net tap --acme`. The TAP device sits in the
# server namespace, which routes between it and the veth; Pebble validates
# HTTP-01 on our stack's plain port, the ACME client talks through the
# namespace's sockets.
IFT=uat$$
TAP_IP=10.202.0.2
"${SX[@]}" ip tuntap add dev "$IFT" mode tap
"${SX[@]}" ip addr add 10.202.0.1/24 dev "$IFT"
"${SX[@]}" ip link set "$IFT" up
"${SX[@]}" sysctl -qw net.ipv4.ip_forward=1
"${CX[@]}" ip route add 10.202.0.0/24 via "$SRV_IP"
"${CX[@]}" curl -s -X POST -d "{\"host\":\"tap.test\",\"addresses\":[\"$TAP_IP\"]}" \
	"http://$CA_IP:8055/add-a" >/dev/null
before=$(orders pebble2)
"${SX[@]}" "$UNIDECK" serve "$TMP/store" --net "tap:$IFT" --ip "$TAP_IP/24" --gw 10.202.0.1 \
	--http-port "$PORT" --acme https://acme.test:14000/dir --domain tap.test --acme-ca "$TMP/ca.pem" \
	--stats >"$TMP/tap.log" 2>&1 &
SRV_PID=$!
PIDS+=("$SRV_PID")
wait_log tap "^redirecting http://$TAP_IP:$PORT/ to https \(ACME HTTP-01 challenges answered by the ACME client\)" 20 &&
	ok "acme on TAP: the plain port on our stack, challenges answered by the ACME client" ||
	notok "acme on TAP: the plain port on our stack, challenges answered by the ACME client"
expect_eq "acme on TAP: the plain port answers 308 while ordering" 308 \
	"$("${CX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://$TAP_IP:$PORT/")"
if wait_log tap 'certificate for tap.test obtained' 90 && wait_log tap '^tls: serving the ACME certificate' 10; then
	ok "acme on TAP: a certificate is obtained from Pebble, validated on our stack"
else
	notok "acme on TAP: a certificate is obtained from Pebble, validated on our stack"
	sed 's/^/#   /' "$TMP/tap.log" | tail -20
fi
expect_eq "acme on TAP: one more order at Pebble" $((before + 1)) "$(orders pebble2)"
expect_match "acme on TAP: Pebble fetched the challenge from our stack" 'HTTP-01 challenge .* fetched' "$(cat "$TMP/tap.log")"
code=$("${CX[@]}" curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$TMP/pebble-root.pem" \
	--resolve "tap.test:443:$TAP_IP" https://tap.test/ 2>"$TMP/tap-curl.err")
expect_eq "acme on TAP: curl gets 200 over HTTPS from tap.test on our stack, trusting Pebble's root" 200 "$code"
[ "$code" = 200 ] || {
	"${CX[@]}" curl -sv -o /dev/null --max-time 10 --cacert "$TMP/pebble-root.pem" \
		--resolve "tap.test:443:$TAP_IP" https://tap.test/ 2>&1 | sed 's/^/#   /' | tail -15
	sed 's/^/#   /' "$TMP/tap.log" | tail -15
}
serve_stop
expect_match "acme on TAP: the plain port's connections are counted" '^plain.accepted [1-9]' "$(cat "$TMP/tap.log")"

exit $((FAILS > 0))
