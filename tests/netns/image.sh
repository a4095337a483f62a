#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The unikernel image on a TAP device in a network namespace of our own, booted
# by `unideck run --tap` (KVM when it works, TCG otherwise), with Linux's stack
# as the client: pages and a 16 MB file by curl and wget checked by hash, a
# range, 50 connections at once, and segmentation offload: the image hands
# QEMU's virtio-net 64 KiB TCP frames, which show on the TAP as frames larger
# than the MTU. Then the cheap attacks of attacks.sh against the image itself:
# a SYN flood from random sources and 5000 malformed frames, while honest
# requests keep getting the index.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/netnslib.sh"

KERNEL=$ROOT/build/kernel/unideck.elf
ns_require "image on TAP" qemu-system-x86_64 "$KERNEL"
ns_up img image
ns_tap ui0 10.78.0.1/24

cp -r "$ROOT/decks" "$TMP/decks"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$TMP/decks/features/media/big.bin"
"$UNIDECK" build "$TMP/decks" -o "$TMP/decks.elf" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the image"; cat "$TMP/build.log"; exit 1; }

# Capture the first frames larger than any MTU, from the start.
"${NX[@]}" tcpdump -i ui0 -n -c 3 -w "$TMP/large.pcap" greater 3000 >"$TMP/tcpdump.log" 2>&1 &
DUMP=$!
PIDS+=("$DUMP")
image_up "the image boots and serves on TAP" run.log '^unideck: serving at' 600 \
	"$TMP/decks.elf" --tap ui0 --ip 10.78.0.2/24 --append stats=1
expect_match "virtio-net offers segmentation offload and the image takes it" \
	'pvh: net: .*segmentation offload' "$(cat "$TMP/run.log")"

base=http://10.78.0.2
image_http_checks "$base" "$TMP/decks/features/media/big.bin"
image_large_frames "$DUMP"
image_attacks "$base" 10.78.0.2 ui0 "$(sed -n 's/^pvh: net: .*MAC \([0-9a-f:]*\),.*/\1/p' "$TMP/run.log")"
image_stop
echo "# $FAILS failed"
exit 0
