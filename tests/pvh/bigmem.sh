#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `unideck run` sizes guest memory from the image when --mem is not given: a
# deck with a 30 MB file makes an image that a flat 32M could not even load,
# and it must boot and serve that file whole with the default.
. "$(dirname "$0")/pvhlib.sh"
KERNEL=$ROOT/build/kernel/unideck.elf
require_kernel

mkdir -p "$TMP/decks/big"
printf -- '---\ntitle: Big\n---\n# A large file\n\n<a href="blob.bin">blob</a>\n' >"$TMP/decks/big/deck.md"
head -c 30000000 /dev/urandom >"$TMP/decks/big/blob.bin"
IMG=$TMP/big.elf
if ! "$UNIDECK" build "$TMP/decks" -o "$IMG" --no-pdf --fast -q >"$TMP/build.log" 2>&1; then
	notok "build a 30 MB image"
	sed 's/^/#   /' "$TMP/build.log"
	finish
	exit 1
fi
size=$(stat -c %s "$IMG")
ok "build a 30 MB image ($size bytes)"
want=$(((size + 1048575) / 1048576 + 64))
out=$("$UNIDECK" run "$IMG" --accel tcg --qemu /bin/true --verbose 2>&1)
expect_match "the default memory is the image's size plus 64M (${want}M)" " -m ${want}M " "$out"
out=$("$UNIDECK" run "$IMG" --accel tcg --qemu /bin/true --verbose --mem 48M 2>&1)
expect_match "--mem still decides when given" " -m 48M " "$out"

up=0
boot_image "$TMP/run.log" "$IMG" --accel tcg && up=1
if [ $up = 1 ]; then
	ok "the 30 MB image boots with the default memory"
	got=$(curl -s --max-time 120 "http://127.0.0.1:$PORT/big/blob.bin" | sha256sum)
	expect_eq "and serves the 30 MB file whole" "$(sha256sum <"$TMP/decks/big/blob.bin")" "$got"
else
	notok "the 30 MB image boots with the default memory"
	tail -n 20 "$TMP/run.log" | sed 's/^/#   /'
fi
kill "$RUN" 2>/dev/null
wait "$RUN" 2>/dev/null
finish
