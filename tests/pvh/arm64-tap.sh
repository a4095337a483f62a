#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The arm64 image on a TAP device in a network namespace of our own, booted by
# `unideck run --tap` (qemu-system-aarch64 -M virt under TCG, chosen from the
# image's ELF header), with Linux's stack as the client, as tests/netns/image.sh
# does for x86_64: pages and a 16 MB file by curl and wget checked by hash, a
# range, 50 connections at once, and segmentation offload: the image hands
# QEMU's virtio-net 64 KiB TCP frames, which show on the TAP as frames larger
# than the MTU. Then the cheap attacks of attacks.sh against the image itself:
# a SYN flood from random sources and 5000 malformed frames, while honest
# requests keep getting the index. The same boot has a static IPv6 address
# (ip6=, as tests/netns/ipv6-image.sh gives the x86_64 image): its bracketed
# URL once DAD passes, ping -6, the index and the 16 MB file by curl -6 and
# wget over IPv6, and IPv4 and IPv6 clients at once.
. "$(dirname "$0")/../lib.sh"

KERNEL=$ROOT/build/arm64/unideck.elf
if ! command -v qemu-system-aarch64 >/dev/null || [ ! -f "$KERNEL" ]; then
	skip "arm64 image on TAP: needs qemu-system-aarch64 and $KERNEL"
	exit 0
fi
if [ "$(id -u)" != 0 ] || ! ip netns add "ud-probe-$$" 2>/dev/null; then
	skip "arm64 image on TAP: needs root and network namespaces"
	exit 0
fi
ip netns del "ud-probe-$$"
PATH=$PATH:/usr/sbin
NS=ud-a64-$$
ip netns add "$NS"
NX=(ip netns exec "$NS")
teardown() {
	[ "$FAILS" != 0 ] && mkdir -p "$ROOT/build/test-logs" &&
		cp "$TMP"/*.log "$ROOT/build/test-logs/" 2>/dev/null
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null
	sleep 0.3
	ip netns del "$NS" 2>/dev/null
	cleanup
}
trap teardown EXIT
"${NX[@]}" ip link set lo up
"${NX[@]}" ip tuntap add dev ua0 mode tap
"${NX[@]}" ip addr add 10.79.0.1/24 dev ua0
"${NX[@]}" ip -6 addr add 2001:db8:79::1/64 dev ua0 nodad
"${NX[@]}" ip link set ua0 up
A6=2001:db8:79::2

cp -r "$ROOT/decks" "$TMP/decks"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$TMP/decks/features/media/big.bin"
big_sum=$(sha256sum <"$TMP/decks/features/media/big.bin" | cut -d' ' -f1)
"$UNIDECK" build "$TMP/decks" -o "$TMP/decks.elf" --arch arm64 --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the image"; cat "$TMP/build.log"; exit 1; }

# Capture the first frames larger than any MTU, from the start.
"${NX[@]}" tcpdump -i ua0 -n -c 3 -w "$TMP/large.pcap" greater 3000 >"$TMP/tcpdump.log" 2>&1 &
DUMP=$!
PIDS+=("$DUMP")
"${NX[@]}" "$UNIDECK" run "$TMP/decks.elf" --tap ua0 --ip 10.79.0.2/24 --ip6 $A6/64 \
	--gw6 2001:db8:79::1 --mem 128M --append stats=1 >"$TMP/run.log" 2>&1 &
RUN=$!
PIDS+=("$RUN")
up=""
for _ in $(seq 1 1200); do
	grep -q '^unideck: serving at' "$TMP/run.log" && { up=1; break; }
	kill -0 "$RUN" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$up" ]; then
	notok "the image boots and serves on TAP"
	sed 's/^/#   /' "$TMP/run.log"
	exit 1
fi
accel=$(sed -n 's/^unideck: booting .* on [a-z0-9]* (\([a-z]*\)[,)].*/\1/p' "$TMP/run.log")
ok "the image boots and serves on TAP (under ${accel:-?})"
expect_match "virtio-net offers segmentation offload and the image takes it" \
	'arm64: net: .*segmentation offload' "$(cat "$TMP/run.log")"

base=http://10.79.0.2
out=$("${NX[@]}" curl -s --max-time 30 "$base/")
expect_match "the index lists the decks" 'unideck: a unikernel' "$out"
got=$("${NX[@]}" curl -sf --max-time 120 "$base/features/media/big.bin" | sha256sum | cut -d' ' -f1)
expect_eq "16 MB file by curl: sha256 matches" "$big_sum" "$got"
got=$("${NX[@]}" wget -q -T 120 -O - "$base/features/media/big.bin" | sha256sum | cut -d' ' -f1)
expect_eq "16 MB file by wget: sha256 matches" "$big_sum" "$got"
got=$("${NX[@]}" curl -sf --max-time 60 -r 3000000-4999999 "$base/features/media/big.bin" |
	sha256sum | cut -d' ' -f1)
want=$(tail -c +3000001 "$TMP/decks/features/media/big.bin" | head -c 2000000 | sha256sum | cut -d' ' -f1)
expect_eq "a ranged 2 MB slice of it" "$want" "$got"

# stats=1: the image's own counters on its console each second. The store's
# bytes of the 34 MB just sent went by reference; what was copied (response
# heads) is a sliver of it.
line=""
for _ in $(seq 1 50); do
	line=$(grep '^stats: ' "$TMP/run.log" | tail -n 1)
	[[ $line =~ store\ bytes\ ([0-9]+)\ by\ reference,\ ([0-9]+)\ copied ]] &&
		[ "${BASH_REMATCH[1]}" -ge 34000000 ] && break
	sleep 0.1
done
if [[ $line =~ store\ bytes\ ([0-9]+)\ by\ reference,\ ([0-9]+)\ copied ]] &&
	[ "${BASH_REMATCH[1]}" -ge 34000000 ] && [ $((BASH_REMATCH[2] * 1000)) -lt "${BASH_REMATCH[1]}" ]; then
	ok "stats=1: the image counts ${BASH_REMATCH[1]} store bytes sent by reference, ${BASH_REMATCH[2]} copied"
else
	notok "stats=1: a line with 34 MB or more of store bytes by reference, under 0.1% copied: '$line'"
fi
expect_match "stats=1: requests and frames counted" \
	'^stats: http [1-9][0-9]* requests \([1-9][0-9]* 2xx.*net rx [1-9][0-9]* frames' "$line"

# 50 clients at once, each reading the whole index.
n=0
for i in $(seq 1 50); do
	"${NX[@]}" curl -s --max-time 60 -o "$TMP/c$i" -w '%{http_code}\n' "$base/" >"$TMP/code$i" &
done
for i in $(seq 1 50); do
	for _ in $(seq 1 600); do [ -s "$TMP/code$i" ] && break; sleep 0.1; done
	[ "$(cat "$TMP/code$i")" = 200 ] && cmp -s "$TMP/c$i" "$TMP/c1" && n=$((n + 1))
done
expect_eq "50 concurrent clients all get the same index" 50 "$n"

# Frames larger than the MTU crossed the TAP: the device cut them for Linux.
for _ in $(seq 1 50); do kill -0 "$DUMP" 2>/dev/null || break; sleep 0.1; done
kill "$DUMP" 2>/dev/null
wait "$DUMP" 2>/dev/null
large=$(tcpdump -r "$TMP/large.pcap" -n 2>/dev/null | grep -c 'length [0-9]')
expect_match "frames larger than the MTU on the TAP ($large): segmentation offload in use" \
	'^[1-9]' "$large"

# IPv6 on the same boot.
for _ in $(seq 1 300); do
	grep -q "^unideck: IPv6: serving at http://\[$A6\]/" "$TMP/run.log" && break
	sleep 0.1
done
expect_match "ip6=: the bracketed IPv6 URL once DAD has passed" \
	"^unideck: IPv6: serving at http://\[$A6\]/" "$(cat "$TMP/run.log")"
check "ip6=: ping -6" "${NX[@]}" ping -6 -c 2 -i 0.2 -W 5 $A6
"${NX[@]}" curl -6 -gs --max-time 30 -o "$TMP/i6" "http://[$A6]/"
check "ip6=: curl -6 gets the same index as over IPv4" cmp -s "$TMP/i6" "$TMP/c1"
got=$("${NX[@]}" wget -q -T 120 -O - "http://[$A6]/features/media/big.bin" | sha256sum | cut -d' ' -f1)
expect_eq "ip6=: 16 MB file by wget over IPv6: sha256 matches" "$big_sum" "$got"
got=$("${NX[@]}" curl -6 -gsf --max-time 120 "http://[$A6]/features/media/big.bin" | sha256sum |
	cut -d' ' -f1)
expect_eq "ip6=: 16 MB file by curl -6: sha256 matches" "$big_sum" "$got"
(seq 20 | "${NX[@]}" xargs -P 5 -I{} curl -4 -sf --max-time 60 -o /dev/null -w '%{http_code}\n' \
	"$base/" >"$TMP/v4.log") &
v4=$!
seq 20 | "${NX[@]}" xargs -P 5 -I{} curl -6 -gsf --max-time 60 -o /dev/null -w '%{http_code}\n' \
	"http://[$A6]/" >"$TMP/v6.log"
wait $v4
expect_eq "dual stack: 20 IPv4 and 20 IPv6 requests at once" "20 20" \
	"$(grep -c '^200$' "$TMP/v4.log") $(grep -c '^200$' "$TMP/v6.log")"

# honest LABEL: five requests for the index spread over the attack; all must
# succeed with the right bytes.
honest() {
	local good=0 i
	for i in 1 2 3 4 5; do
		"${NX[@]}" curl -s --max-time 15 -o "$TMP/h" "$base/" && cmp -s "$TMP/h" "$TMP/c1" &&
			good=$((good + 1))
		sleep 0.4
	done
	expect_eq "$1: honest requests all answered" 5 "$good"
}
if command -v hping3 >/dev/null; then
	"${NX[@]}" timeout 3 hping3 -q -S -p 80 -i u100 --rand-source 10.79.0.2 >"$TMP/hping.log" 2>&1 &
	honest "SYN flood from random sources (10000 a second for 3 s)"
	wait $!
else
	skip "SYN flood: hping3 is not installed"
fi
mac=$(sed -n 's/^arm64: net: .*MAC \([0-9a-f:]*\),.*/\1/p' "$TMP/run.log")
"${NX[@]}" python3 "$ROOT/tests/netns/inject.py" fuzz ua0 "$mac" 10.79.0.2 20261128 5000 \
	>"$TMP/inject.log" 2>&1 &
honest "5000 malformed frames from seed 20261128 (to $mac)"
wait $!
kill -0 "$RUN" 2>/dev/null && ok "the image is still serving" || notok "the image died"

kill -INT "$RUN"
wait "$RUN"
expect_eq "Ctrl-C stops the VM cleanly" 0 "$?"
echo "# $FAILS failed"
exit 0
