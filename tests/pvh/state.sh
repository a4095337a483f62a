#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The state disk end to end: `unideck run --state FILE` makes the file and
# attaches it as virtio-blk; the test kernels (tests/pvh/test_state.c) read and
# write it through plat_state_* on x86_64 (microvm: virtio-mmio; q35:
# virtio-pci) and arm64 (virt: virtio-mmio; virt-pci). One file across boots:
# what a boot wrote, the next reads byte for byte; a damaged newest slot falls
# back to the one before; a foreign disk reads as invalid and is never
# written; a file too small, or open to others, is named before QEMU starts.
. "$(dirname "$0")/pvhlib.sh"
X86=$ROOT/build/kernel/test-kernel.elf
A64=$ROOT/build/arm64/test-kernel.elf
RUN=$ROOT/build/unideck
if [ ! -x "$RUN" ]; then
	skip "state: $RUN missing (make all)"
	exit 0
fi

# sboot TAG KERNEL MACHINE STATE ARGS: `unideck run` the test kernel with the
# state file (or "-" for none) and the kernel arguments; its result lines,
# tagged, and its exit status checked.
sboot() {
	local tag=$1 kernel=$2 machine=$3 state=$4 n
	shift 4
	LOG=$TMP/$tag.log
	local st=()
	[ "$state" != - ] && st=(--state "$state")
	timeout 120 "$RUN" run --port 0 --accel tcg -M "$machine" "${st[@]}" "$kernel" \
		--append "test=state $*" >"$LOG" 2>&1 </dev/null
	STATUS=$?
	awk -v tag="[$tag]" '/^ok - / { sub(/^ok - /, ""); print "ok - " tag " " $0 }
		/^not ok - / { sub(/^not ok - /, ""); print "not ok - " tag " " $0 }' "$LOG"
	n=$(grep -c '^not ok - ' "$LOG")
	FAILS=$((FAILS + n))
	if [ "$STATUS" = 0 ] && grep -q '^ok - ' "$LOG"; then
		ok "[$tag] boots, checks and exits 0"
	else
		notok "[$tag] exit status $STATUS"
		tail -n 25 "$LOG" | sed 's/^/#   /'
	fi
}

# cycle ARCH KERNEL MACHINE: a new file, two boots that each read the last
# boot's payload and write the next, then one that only reads.
cycle() {
	local tag=$1-$3 kernel=$2 machine=$3 f=$TMP/$1-$3.state
	sboot "$tag-first" "$kernel" "$machine" "$f" sexpect=empty swrite=alpha
	log_has "$tag-first" "unideck run made the state file" "a new state disk \(128 KiB\)"
	expect_eq "[$tag] the new file is private (0600)" 600 "$(stat -c %a "$f")"
	sboot "$tag-second" "$kernel" "$machine" "$f" sexpect=alpha swrite=bravo
	log_has "$tag-second" "the second write goes to the other slot" \
		"state: .*read \(slot 1, generation 2\)"
	sboot "$tag-third" "$kernel" "$machine" "$f" sexpect=bravo
}

if [ ! -f "$X86" ] || ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	skip "state: x86_64 test kernel or qemu-system-x86_64 missing (make kernel)"
else
	cycle x86 "$X86" microvm
	cycle x86 "$X86" q35
	f=$TMP/x86-microvm.state

	# The newest slot (1, generation 2) damaged in its payload: the read
	# falls back to slot 0 and the next write replaces the damaged one.
	printf '\x55' | dd of="$f" bs=1 seek=$((65536 + 512 + 1000)) conv=notrunc status=none
	sboot x86-damaged "$X86" microvm "$f" sexpect=alpha swrite=charlie
	log_has x86-damaged "the damaged slot is passed over for the one before" \
		"state: .*read \(slot 0, generation 1\)"
	sboot x86-repaired "$X86" microvm "$f" sexpect=charlie

	# A disk that is someone else's: refused, and never written.
	g=$TMP/foreign.state
	head -c 131072 /dev/urandom >"$g"
	chmod 600 "$g"
	before=$(sha256sum <"$g")
	sboot x86-foreign "$X86" microvm "$g" sexpect=refused swrite=delta swant=einval
	log_has x86-foreign "the refusal names the reason" "state: .*refused: "
	expect_eq "[x86-foreign] the foreign disk is unchanged" "$before" "$(sha256sum <"$g")"

	# No --state: the guest says there is none.
	sboot x86-none "$X86" microvm - sexpect=none swrite=echo swant=eunspec

	# Before QEMU: a file too small is refused by name; one open to others
	# is used with a warning.
	s=$TMP/small.state
	head -c 65536 /dev/zero >"$s"
	out=$("$RUN" run --port 0 --accel tcg --state "$s" "$X86" --append test=state 2>&1)
	rc=$?
	expect_match "a state file too small is refused before the boot (rc $rc)" \
		"--state .*small.state: 65536 bytes, and a state disk takes 131072" "$out"
	[ "$rc" != 0 ] || notok "a state file too small: exit status 0"
	chmod 644 "$f"
	sboot x86-open "$X86" microvm "$f" sexpect=charlie
	log_has x86-open "a state file open to others draws a warning" \
		"warning: --state .* is open to others \(mode 644\)"
	: >"$TMP/disk.img"
	out=$("$RUN" run --state "$f" "$TMP/disk.img" 2>&1)
	expect_match "--state with a disk image is refused" "--state goes with an ELF image" "$out"
fi

if [ ! -f "$A64" ] || ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
	skip "state: arm64 test kernel or qemu-system-aarch64 missing (make kernel-arm64)"
else
	cycle arm64 "$A64" virt
	cycle arm64 "$A64" virt-pci
fi
echo "# $FAILS failed"
[ "$FAILS" = 0 ]
