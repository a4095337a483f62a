#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The image design: a store added to a built kernel without a linker (elfpatch),
# loaded by QEMU at the slot address, readable, read-only and no-execute, with
# the heap above it; and the ELF the loaders need (PVH note, ELF64, no
# multiboot header, e_entry at 1 MiB or above).
. "$(dirname "$0")/pvhlib.sh"
require_kernel
if [ ! -x "$HOSTBIN/elfpatch" ]; then
	skip "pvh image: $HOSTBIN/elfpatch missing (make kernel)"
	exit 0
fi

# The ELF as the loaders see it.
hdr=$(readelf -hlnW "$KERNEL")
expect_match "ELF64 x86-64 executable" 'Class: +ELF64' "$hdr"
expect_match "PVH entry note (Xen, type 0x12)" \
	'Xen[[:space:]]+0x0000000[48][[:space:]]+(Unknown note type: \(0x00000012\)|.*PHYS32)' "$hdr"
expect_match "store descriptor note" 'unideck[[:space:]]+0x00000020' "$hdr"
entry=$(readelf -hW "$KERNEL" | awk '/Entry point/ { print $4 }')
check "entry point at 1 MiB or above (linux-loader's rule)" test $((entry)) -ge $((0x100000))
if od -An -tx4 -N 8192 -v "$KERNEL" | grep -qw 1badb002; then
	notok "no multiboot header in the first 8 KiB (QEMU would try it first)"
else
	ok "no multiboot header in the first 8 KiB (QEMU would try it first)"
fi
wx=$(readelf -lW "$KERNEL" | awk '$1 == "LOAD" && $7 ~ /W/ && $7 ~ /E/')
expect_eq "no writable and executable segment" "" "$wx"

# A store of 3 pages and a bit, in the pattern test_kernel.c checks.
len=12345
python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 7 + 3) & 255 for i in range($len)))" >"$TMP/store.bin"
check "elfpatch adds the store" "$HOSTBIN/elfpatch" "$KERNEL" "$TMP/store.bin" "$TMP/k.elf"
"$HOSTBIN/elfpatch" "$KERNEL" "$TMP/store.bin" "$TMP/k2.elf" 2>/dev/null
check "elfpatch output is reproducible" cmp "$TMP/k.elf" "$TMP/k2.elf"
if "$HOSTBIN/elfpatch" "$TMP/k.elf" "$TMP/store.bin" "$TMP/k3.elf" 2>"$TMP/err"; then
	notok "a second store is refused"
else
	expect_match "a second store is refused" 'already has a store' "$(cat "$TMP/err")"
fi
seg=$(readelf -lW "$TMP/k.elf" | awk '$1 == "LOAD" && $5 == "0x003039"')
expect_match "the store is a read-only PT_LOAD of its size" ' R +0x1000$' "$seg"

boot store/microvm 0 -M microvm "$TMP/k.elf" --append "test=basic foo=bar flag store=$len"
boot store/q35 0 -M q35 "$TMP/k.elf" --append "test=basic foo=bar flag store=$len"
boot store/write 3 "$TMP/k.elf" --append "test=fault-store"
log_has store/write "a write to the store faults" 'fault address \(cr2\): 0x[0-9a-f]+ in store'

# A VM too small for its store says so instead of failing later.
head -c $((24 << 20)) /dev/zero >"$TMP/big.bin"
"$HOSTBIN/elfpatch" "$KERNEL" "$TMP/big.bin" "$TMP/big.elf"
boot store/too-big 5 -m 16M "$TMP/big.elf" --append test=basic
log_has store/too-big "a store beyond RAM is reported" 'PANIC: the store .* is not in RAM'
finish
