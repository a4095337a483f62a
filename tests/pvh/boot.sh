#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test kernel boots on QEMU microvm (also without PIT and PIC), q35 and pc,
# and checks from inside: clocks, sleeping, memory map, command line, SSE,
# randomness, heap, W^X set-up. Each TSC calibration source is forced once.
. "$(dirname "$0")/pvhlib.sh"
require_kernel
accel=$(pvh_accel)
echo "# accelerator: $accel"
args="test=basic foo=bar flag now=$(date +%s)"
FAULT_STATUS=3 # TRAP_EXIT_FAULT

boot "microvm/$accel" 0 -M microvm "$KERNEL" --append "$args"
boot "microvm,pit=off,pic=off/$accel" 0 -M microvm,pit=off,pic=off "$KERNEL" --append "$args"
boot "q35/$accel" 0 -M q35 "$KERNEL" --append "$args"
boot "pc/$accel" 0 -M pc "$KERNEL" --append "$args"
if [ "$accel" = kvm ]; then
	boot "microvm/tcg" 0 --accel tcg -M microvm "$KERNEL" --append "$args"
	boot "q35/tcg" 0 --accel tcg -M q35 "$KERNEL" --append "$args"
	log_has q35/tcg "TSC rate from the command line under TCG" 'TSC [0-9]+ kHz from cmdline'
else
	log_has "q35/$accel" "TSC rate from the command line under TCG" 'TSC [0-9]+ kHz from cmdline'
fi

# A CPU without RDRAND, RDSEED or TSC-deadline: the weak random fallback and the
# one-shot LAPIC timer.
boot "microvm/tcg/qemu64" 0 --accel tcg --cpu qemu64 -M microvm "$KERNEL" --append "$args"
log_has microvm/tcg/qemu64 "weak random fallback reported" 'random source: tsc \(weak\)'
log_has microvm/tcg/qemu64 "one-shot LAPIC timer" 'timer one-shot'

# Calibration without the runner's help: ACPI PM timer and HPET on q35, the RTC
# on microvm without PIT.
boot "q35/tcg/pmtimer" 0 --accel tcg -M q35 "$KERNEL" --append "$args clocksrc=pmtimer"
log_has q35/tcg/pmtimer "TSC calibrated against the ACPI PM timer" 'kHz from pmtimer'
boot "q35/tcg/hpet" 0 --accel tcg -M q35 "$KERNEL" --append "$args clocksrc=hpet"
log_has q35/tcg/hpet "TSC calibrated against the HPET" 'kHz from hpet'
boot "microvm,pit=off/tcg/rtc" 0 --accel tcg -M microvm,pit=off,pic=off "$KERNEL" \
	--append "$args clocksrc=rtc"
log_has microvm,pit=off/tcg/rtc "TSC calibrated against the RTC" 'kHz from rtc'

# The kernel as clang builds it (make kernel builds it when clang is there).
if [ -f "$ROOT/build/kernel-clang/test-kernel.elf" ]; then
	boot "microvm/clang" 0 -M microvm "$ROOT/build/kernel-clang/test-kernel.elf" --append "$args"
	boot "q35/clang" 0 -M q35 "$ROOT/build/kernel-clang/test-kernel.elf" --append "$args"
else
	skip "pvh: no clang-built kernel (build/kernel-clang)"
fi

# KVM's own clock and timer paths, even where KVM is too slow to be picked (a
# software KVM emulates every access and has no SSE emulation: nosse skips the
# SSE check). TSC-deadline mode, the timing leaf and kvmclock.
if [ "$accel" != kvm ] && [ -w /dev/kvm ]; then
	# kvm-pvm emulates every memory access of the guest, so a loaded machine
	# can take minutes here: a longer limit than TCG's (the result is the same).
	BOOT_TIMEOUT=240 boot "microvm/kvm-smoke" 0 --accel kvm --cpu qemu64,+tsc-deadline,+invtsc -M microvm \
		"$KERNEL" --append "$args nosse"
	if grep -q '^ok - ' "$LOG"; then
		log_has microvm/kvm-smoke "TSC-deadline timer under KVM" 'timer tsc-deadline'
		log_has microvm/kvm-smoke "TSC rate from the hypervisor leaf" 'kHz from hvleaf'
		BOOT_TIMEOUT=240 boot "microvm/kvm-smoke/kvmclock" 0 --accel kvm --cpu qemu64 -M microvm "$KERNEL" \
			--append "$args nosse clocksrc=kvmclock"
		log_has microvm/kvm-smoke/kvmclock "TSC rate from kvmclock" 'kHz from kvmclock'
	fi
fi

# Without isa-debug-exit (other hypervisors): ACPI soft-off through the GED sleep
# register (microvm) and PM1a_CNT (q35) ends the VM; with neither (microvm
# without ACPI: no GED, no i8042), the kernel halts after printing its status.
boot "microvm/acpi-off" 42 --no-debug-exit -M microvm "$KERNEL" --append test=probe
log_has microvm/acpi-off "powered off through the ACPI sleep control register" 'QEMU ran for .*status 0$'
boot "q35/acpi-off" 42 --no-debug-exit -M q35 "$KERNEL" --append test=probe
log_has q35/acpi-off "powered off through PM1a_CNT" 'QEMU ran for .*status 0$'
BOOT_TIMEOUT=5 boot "microvm,acpi=off/halt" 42 --no-debug-exit -M microvm,acpi=off "$KERNEL" \
	--append test=probe
log_has "microvm,acpi=off/halt" "no way to power off: status printed, then halted" 'status 124$'

# The deferred console: 70 KB through the 16 KiB ring, every line once and in
# order; before a fault report, everything printed before the fault.
console_lines() { # TAG WANT: the "console NNNN" lines are 0..WANT-1 in order
	local got
	got=$(grep -Eo '^console [0-9]{4} \.{58}$' "$LOG" | awk '{ print $2 + 0 }' |
		awk -v want="$2" 'BEGIN { n = 0 } $1 != n { bad = 1 } { n++ }
			END { print (bad || n != want) ? "bad (" n " lines)" : "ok" }')
	check "[$1] $2 console lines whole, once each, in order: $got" test "$got" = ok
}
boot microvm/console 0 -M microvm "$KERNEL" --append test=console
console_lines microvm/console 1000
log_has microvm/console "the last line after all of them" '^console done'
boot microvm/console-fault $FAULT_STATUS -M microvm "$KERNEL" --append test=console-fault
console_lines microvm/console-fault 50
check "[microvm/console-fault] the fault report follows the deferred lines" \
	test "$(grep -n -m1 'EXCEPTION 14' "$LOG" | cut -d: -f1)" -gt \
	"$(grep -n 'console 0049' "$LOG" | cut -d: -f1)"

# No memory map from the loader: the CMOS memory size is used instead.
boot "q35/cmos-memmap" 0 -M q35 "$KERNEL" --append "$args memmap=cmos"
log_has q35/cmos-memmap "memory size from the CMOS" 'no memory map; CMOS says RAM up to 0x'
boot "microvm/cmos-memmap" 0 -M microvm "$KERNEL" --append "$args memmap=cmos"
log_has microvm/cmos-memmap "memory size from the CMOS" 'no memory map; CMOS says RAM up to 0x'

# Little memory: the heap still fits, and a 4 GiB guest maps RAM above 4 GiB.
boot "microvm/small" 0 -m 16M -M microvm "$KERNEL" --append "$args"
boot "q35/4G" 0 -m 4G -M q35 "$KERNEL" --append "$args"
finish
