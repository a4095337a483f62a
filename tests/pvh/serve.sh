#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The unikernel itself: the default decks built into an image, booted by
# `unideck run` on microvm and on q35 (KVM when it works, TCG otherwise), and
# fetched from the host with curl: the index, a deck, a ranged video request, a
# 304 and a 404. Then the image's own failure paths through isa-debug-exit: no
# NIC, two NICs, and a deliberate write to the store (W^X on the real image).
. "$(dirname "$0")/pvhlib.sh"
KERNEL=$ROOT/build/kernel/unideck.elf
require_kernel

IMG=$TMP/decks.elf
"$UNIDECK" build "$ROOT/decks" -o "$IMG" --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the default decks into an image"; cat "$TMP/build.log"; exit 1; }
ok "build the default decks into an image ($(stat -c %s "$IMG") bytes)"

video=$(cd "$ROOT/decks" && ls features/media/*.mp4 | head -n 1)

# serve_on MACHINE [ARGS]: boot with `unideck run`, wait for the kernel's URL line.
serve_on() {
	local m=$1
	shift
	boot_image "$TMP/run-$m.log" "$IMG" --machine "$m" "$@"
}

# microvm as `unideck run` sets it up (a static address on its user network);
# q35 asks QEMU's DHCP for it, so the image's DHCP client is run for real too.
for m in microvm q35; do
	extra=()
	addr='static address'
	if [ "$m" = q35 ]; then
		extra=(--append dhcp)
		addr='asking DHCP for an address'
	fi
	if ! serve_on "$m" "${extra[@]}"; then
		notok "[$m] the image boots and serves"
		continue
	fi
	accel=$(sed -n 's/^unideck: booting .* on [a-z0-9]* (\([a-z]*\)).*/\1/p' "$TMP/run-$m.log")
	ok "[$m] the image boots and serves (under ${accel:-?})"
	check "[$m] the address: $addr" grep -q "^unideck: .*, $addr\$" "$TMP/run-$m.log"
	grep -h 'ready in\|serving at' "$TMP/run-$m.log" | sed "s/^/# [$m] /"
	base=http://127.0.0.1:$PORT
	out=$(curl -s --max-time 30 "$base/")
	expect_match "[$m] the index lists the decks" 'unideck: a unikernel' "$out"
	code=$(curl -s --max-time 30 -o "$TMP/deck.html" -w '%{http_code}' "$base/unideck/")
	expect_eq "[$m] a deck" 200 "$code"
	check "[$m] the deck is reveal.js" grep -q 'class="reveal"' "$TMP/deck.html"
	code=$(curl -s --max-time 30 -o "$TMP/part" -w '%{http_code}' -r 1000-4999 "$base/$video")
	want=$(tail -c +1001 "$ROOT/decks/$video" | head -c 4000 | sha256sum)
	expect_eq "[$m] a ranged video request: 206" 206 "$code"
	expect_eq "[$m] the range's bytes are the file's" "$want" "$(sha256sum <"$TMP/part")"
	etag=$(curl -s --max-time 30 -D - -o /dev/null "$base/unideck/" | tr -d '\r' |
		sed -n 's/^[Ee][Tt]ag: //p')
	code=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
		"$base/unideck/")
	expect_eq "[$m] a conditional request: 304" 304 "$code"
	code=$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$base/no/such/page")
	expect_eq "[$m] a missing page: 404" 404 "$code"
	got=$(curl -s --max-time 60 "$base/$video" | sha256sum)
	expect_eq "[$m] the whole video, byte for byte" "$(sha256sum <"$ROOT/decks/$video")" "$got"
	kill -INT "$RUN"
	wait "$RUN"
	expect_eq "[$m] Ctrl-C stops the VM and unideck run exits 0" 0 "$?"
done

out=$("$UNIDECK" run "$IMG" --ip 10.0.2.20/24 2>&1)
expect_eq "--ip without --tap is refused (exit 2)" 2 "$?"
expect_match "and the message says why" '--ip and --gw go with --tap' "$out"

boot no-nic 10 "$IMG" --net none
log_has no-nic "a missing NIC is explained" 'no network device: give the VM one virtio-net NIC'
boot two-nics 0 "$IMG" --net user --nics 2 --append selftest=ready
log_has two-nics "a second NIC is named and ignored" 'ignored: only one network device'
log_has two-nics "and the first one serves" '^unideck: serving at http://10\.0\.2\.15/'
boot fault-store 3 "$IMG" --net user --append selftest=fault-store
log_has fault-store "a write to the store is a page fault" 'EXCEPTION 14: #PF page fault'
log_has fault-store "the backtrace names kmain" '^  0x[0-9a-f]{16} kmain\+0x'
for bad in stats=0 stats=1x stats=86401; do
	boot "bad-$bad" 13 "$IMG" --net user --append "$bad"
	log_has "bad-$bad" "$bad is refused by name" "unideck: $bad: want seconds, 1 to 86400"
done
boot bad-token 13 "$IMG" --net user --append token=short-token
log_has bad-token "a token under 128 bits is refused" 'unideck: token= wants 32 to 63 characters'
boot q35-ready 0 "$IMG" -M q35 --net user --append selftest=ready
log_has q35-ready "virtio-pci on q35" 'pvh: net: virtio-pci'
echo "# $FAILS failed"
