#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The arm64 test kernel (tests/pvh/test_arm64.c) under qemu-system-aarch64 -M
# virt: the platform's own checks (clocks, WFI sleeping to a CNTV deadline, the
# heap, the libc subset, randomness) on GICv2 and GICv3, entered at EL2, and on
# a Cortex-A57 (no RNDR) with two CPUs and 256 MiB; then one boot per
# forbidden act, each of which must end in the fault report and its status
# (through semihosting): a read of page zero, writes to text and rodata, a jump
# into data (W^X), a main-stack overflow into its guard page (reported from the
# exception stack), a smashed canary, a failed UD_ASSERT, and a BRK.
. "$(dirname "$0")/pvhlib.sh"
KERNEL=$ROOT/build/arm64/test-kernel.elf
if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
	skip "arm64: qemu-system-aarch64 not installed (qemu-system-arm)"
	exit 0
fi
if [ ! -f "$KERNEL" ]; then
	skip "arm64: $KERNEL missing (make kernel-arm64; needs gcc-aarch64-linux-gnu)"
	exit 0
fi

# k TAG STATUS GIC ARGS: boot the test kernel; its result lines, tagged.
# MACHINE_EXTRA and CPU vary the machine.
k() {
	local tag=$1 want=$2 gic=$3
	shift 3
	LOG=$TMP/$tag.log
	timeout 60 qemu-system-aarch64 -M "virt,gic-version=$gic${MACHINE_EXTRA:-}" \
		-cpu "${CPU:-max}" -m "${MEM:-64M}" ${SMP:+-smp "$SMP"} -nodefaults \
		-no-user-config -display none -serial stdio -no-reboot \
		-semihosting-config enable=on,target=native -kernel "$KERNEL" \
		-append "semihosting $*" 2>&1 | tr -d '\r' >"$LOG"
	local got=${PIPESTATUS[0]}
	awk -v tag="[$tag]" '/^ok - / { sub(/^ok - /, ""); print "ok - " tag " " $0 }
		/^not ok - / { sub(/^not ok - /, ""); print "not ok - " tag " " $0 }' "$LOG"
	FAILS=$((FAILS + $(grep -c '^not ok - ' "$LOG")))
	if [ "$got" = "$want" ]; then
		ok "[$tag] exit status $want"
	else
		notok "[$tag] exit status: want $want, got $got"
		tail -n 25 "$LOG" | sed 's/^/#   /'
	fi
}

k gicv2 0 2 ""
log_has gicv2 "the GICv2 from the device tree" '^arm64: ready in [0-9]+ us .*GICv2'
k gicv3 0 3 ""
log_has gicv3 "the GICv3 from the device tree" '^arm64: ready in [0-9]+ us .*GICv3'

MACHINE_EXTRA=,virtualization=on k el2 0 3 ""
log_has el2 "entered at EL2 (virtualization=on), it runs at EL1" '^arm64: ready in'
CPU=cortex-a57 MEM=256M SMP=2 k a57 0 2 ""
log_has a57 "a Cortex-A57 without RNDR takes the device tree's rng-seed" \
	'random from device tree rng-seed'

k null 3 2 fault=null
log_has null "page zero is unmapped" '^arm64: accessing at 0x0 \(unmapped\), translation fault'
log_has null "the registers" '^arm64: x28 [0-9a-f]{16}  x29 [0-9a-f]{16}$'
log_has null "a backtrace with symbols" '^  #[0-9]+ 0x[0-9a-f]{16} [a-z_0-9.]+\+0x'
k text-write 3 2 fault=text-write
log_has text-write "text is not writable" 'for write at 0x[0-9a-f]+ \(kernel text\), permission fault'
k rodata-write 3 2 fault=rodata-write
log_has rodata-write "rodata is not writable" 'for write at 0x[0-9a-f]+ \(kernel rodata\), permission fault'
k exec-data 3 2 fault=exec-data
log_has exec-data "data is not executable" \
	'^arm64: FATAL: instruction abort .*|^arm64: fetching at 0x[0-9a-f]+ \(kernel data\), permission fault'
log_has exec-data "the fetch from data is named" 'fetching at 0x[0-9a-f]+ \(kernel data\), permission fault'
k stack 3 2 fault=stack
log_has stack "a stack overflow hits the guard page" '\(main stack guard \(unmapped\)\), translation fault'
log_has stack "and the backtrace shows the recursion" '^  #[0-9]+ 0x[0-9a-f]{16} recurse\+0x'
k canary 4 2 fault=canary
log_has canary "a smashed canary is caught" 'PANIC: stack smashing detected'
k assert 5 2 fault=assert
log_has assert "UD_ASSERT names the file and line" \
	'PANIC: tests/pvh/test_arm64\.c:[0-9]+: assertion failed: n == 0'
k brk 3 3 fault=brk
log_has brk "a BRK instruction is reported" '^arm64: FATAL: BRK instruction \(ESR 0x[0-9a-f]+, EC 0x3c\)'
echo "# $FAILS failed"
[ "$FAILS" = 0 ]
