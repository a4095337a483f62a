# SPDX-License-Identifier: MIT
# Helpers for the VM boot tests: boot the test kernel under scripts/pvh-qemu and
# turn what it printed into result lines. Sourced; not a test by itself.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PVHQ=$ROOT/scripts/pvh-qemu
KERNEL=$ROOT/build/kernel/test-kernel.elf
HOSTBIN=$ROOT/build/kernel/host

# Skip the whole script when the kernel or QEMU is missing.
require_kernel() {
	if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
		skip "pvh: qemu-system-x86_64 not installed"
		exit 0
	fi
	if [ ! -f "$KERNEL" ]; then
		skip "pvh: $KERNEL missing (make kernel)"
		exit 0
	fi
}

# The accelerator scripts/pvh-qemu would pick (kvm or tcg), probed once.
pvh_accel() {
	"$PVHQ" --timeout 20 "$KERNEL" --append test=probe 2>&1 >/dev/null |
		sed -n 's/^# pvh-qemu: [^,]*, \([a-z]*\),.*/\1/p' | head -n 1
}

# boot TAG WANT_STATUS [pvh-qemu options...]: boot, keep the console in $LOG,
# repeat the kernel's own result lines tagged, and check the exit status.
boot() {
	local tag=$1 want=$2 n
	shift 2
	LOG=$TMP/$(printf '%s' "$tag" | tr -c 'a-zA-Z0-9' _).log
	# PVH_WRAP: a command prefix, e.g. "ip netns exec NS" (word-split on purpose).
	${PVH_WRAP:-} "$PVHQ" --timeout "${BOOT_TIMEOUT:-90}" "$@" >"$LOG" 2>&1
	STATUS=$?
	awk -v tag="[$tag]" '/^ok - / { sub(/^ok - /, ""); print "ok - " tag " " $0 }
		/^not ok - / { sub(/^not ok - /, ""); print "not ok - " tag " " $0 }' "$LOG"
	n=$(grep -c '^not ok - ' "$LOG")
	FAILS=$((FAILS + n))
	grep -h '^pvh: ready in' "$LOG" | awk -v tag="[$tag]" '{ print "# " tag " " $0 }'
	if [ "$STATUS" = "$want" ]; then
		ok "[$tag] exit status $want"
	else
		notok "[$tag] exit status: want $want, got $STATUS"
		tail -n 25 "$LOG" | sed 's/^/#   /'
	fi
}

# log_has TAG NAME REGEX: the last boot's console matches REGEX.
log_has() {
	if grep -Eq -- "$3" "$LOG"; then
		ok "[$1] $2"
	else
		notok "[$1] $2: no /$3/ in the console"
		tail -n 25 "$LOG" | sed 's/^/#   /'
	fi
}
