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
. "$(dirname "$0")/../netns/netnslib.sh"

KERNEL=$ROOT/build/arm64/unideck.elf
ns_require "arm64 image on TAP" qemu-system-aarch64 "$KERNEL"
ns_up a64 arm64-tap
ns_tap ua0 10.79.0.1/24 2001:db8:79::1/64
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
image_up "the image boots and serves on TAP" run.log '^unideck: serving at' 1200 \
	"$TMP/decks.elf" --tap ua0 --ip 10.79.0.2/24 --ip6 $A6/64 --gw6 2001:db8:79::1 --mem 128M \
	--append stats=1
expect_match "virtio-net offers segmentation offload and the image takes it" \
	'arm64: net: .*segmentation offload' "$(cat "$TMP/run.log")"

base=http://10.79.0.2
image_http_checks "$base" "$TMP/decks/features/media/big.bin"
image_large_frames "$DUMP"

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

image_attacks "$base" 10.79.0.2 ua0 "$(sed -n 's/^arm64: net: .*MAC \([0-9a-f:]*\),.*/\1/p' "$TMP/run.log")"
image_stop
echo "# $FAILS failed"
exit 0
