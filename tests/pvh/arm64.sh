#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The arm64 image under qemu-system-aarch64 -M virt (TCG): the default decks
# built with --arch arm64 and booted by `unideck run` on virtio-mmio with GICv2,
# then by QEMU directly on virtio-pci (the ECAM host bridge, BARs we assign,
# INTx through interrupt-map) with GICv3, each fetched with curl: the index, a
# deck, a ranged video request (206), a 304, a 404 and the whole video by hash.
# Then quick boots for the other two pairings (GICv3 with mmio, GICv2 with PCI),
# the failure paths with their exit statuses (through semihosting: no NIC 10, a
# bad argument 13, a deliberate write to the store 3 with the data abort, the
# faulting address's region and a backtrace naming kmain), and the device tree
# found at the start of RAM. Each VM boots once per scenario.
. "$(dirname "$0")/pvhlib.sh"
KERNEL=$ROOT/build/arm64/unideck.elf
if ! command -v qemu-system-aarch64 >/dev/null 2>&1; then
	skip "arm64: qemu-system-aarch64 not installed (qemu-system-arm)"
	exit 0
fi
if [ ! -f "$KERNEL" ]; then
	skip "arm64: $KERNEL missing (make kernel-arm64; needs gcc-aarch64-linux-gnu)"
	exit 0
fi

IMG=$TMP/decks-arm64.elf
"$UNIDECK" build "$ROOT/decks" -o "$IMG" --arch arm64 --no-pdf >"$TMP/build.log" 2>&1 ||
	{ notok "build the default decks into an arm64 image"; cat "$TMP/build.log"; exit 1; }
ok "build the default decks into an arm64 image ($(stat -c %s "$IMG") bytes)"
hdr=$(readelf -h "$IMG" 2>&1)
expect_match "the image is an AArch64 ELF" 'Machine: +AArch64' "$hdr"

video=$(cd "$ROOT/decks" && ls features/media/*.mp4 | head -n 1)

# wait_serving LOG PID: until the kernel prints its URL (or dies).
wait_serving() {
	local i
	for i in $(seq 1 1200); do
		grep -q '^unideck: serving at' "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/#   /' "$1"
	return 1
}

# fetch_all TAG BASE: the requests every image answers.
fetch_all() {
	local t=$1 base=$2 out code want etag got
	out=$(curl -s --max-time 60 "$base/")
	expect_match "[$t] the index lists the decks" 'unideck: a unikernel' "$out"
	code=$(curl -s --max-time 60 -o "$TMP/deck.html" -w '%{http_code}' "$base/unideck/")
	expect_eq "[$t] a deck" 200 "$code"
	check "[$t] the deck is reveal.js" grep -q 'class="reveal"' "$TMP/deck.html"
	code=$(curl -s --max-time 60 -o "$TMP/part" -w '%{http_code}' -r 1000-4999 "$base/$video")
	want=$(tail -c +1001 "$ROOT/decks/$video" | head -c 4000 | sha256sum)
	expect_eq "[$t] a ranged video request: 206" 206 "$code"
	expect_eq "[$t] the range's bytes are the file's" "$want" "$(sha256sum <"$TMP/part")"
	etag=$(curl -s --max-time 60 -D - -o /dev/null "$base/unideck/" | tr -d '\r' |
		sed -n 's/^[Ee][Tt]ag: //p')
	code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
		"$base/unideck/")
	expect_eq "[$t] a conditional request: 304" 304 "$code"
	code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' "$base/no/such/page")
	expect_eq "[$t] a missing page: 404" 404 "$code"
	got=$(curl -s --max-time 120 "$base/$video" | sha256sum)
	expect_eq "[$t] the whole video, byte for byte" "$(sha256sum <"$ROOT/decks/$video")" "$got"
}

# 1. `unideck run`: the machine from the ELF header, virtio-mmio, GICv2.
if boot_image "$TMP/run.log" "$IMG" --mem 64M; then
	ok "[run/mmio/gicv2] unideck run boots the arm64 image and it serves"
	check "[run/mmio/gicv2] unideck run chose qemu-system-aarch64 -M virt" \
		grep -q '^unideck: booting .* on virt (tcg)' "$TMP/run.log"
	check "[run/mmio/gicv2] virtio-net on virtio-mmio, its SPI on the GICv2" \
		grep -Eq '^arm64: net: virtio-mmio@0x[0-9a-f]+ .*interrupt SPI [0-9]+ \(GICv2\)' \
		"$TMP/run.log"
	grep -h 'ready in\|serving at' "$TMP/run.log" | sed 's/^/# [run] /'
	fetch_all run/mmio/gicv2 "http://127.0.0.1:$PORT"
	kill -INT "$RUN"
	wait "$RUN"
	expect_eq "[run/mmio/gicv2] Ctrl-C stops the VM and unideck run exits 0" 0 "$?"
else
	notok "[run/mmio/gicv2] unideck run boots the arm64 image and it serves"
fi

# qemu_a64 LOG GIC NIC [ARGS...]: QEMU directly, with semihosting for the status.
qemu_a64() {
	local log=$1 gic=$2 nic=$3
	shift 3
	local net=()
	[ "$nic" != none ] && net=(-netdev "user,id=n0,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$PORT-10.0.2.15:80"
		-device "$nic,netdev=n0")
	timeout 120 qemu-system-aarch64 -M "virt,gic-version=$gic" -cpu max -m 64M -nodefaults \
		-no-user-config -display none -serial stdio -no-reboot \
		-semihosting-config enable=on,target=native "${net[@]}" -kernel "$IMG" "$@" >"$log" 2>&1
}

# 2. virtio-pci on the ECAM host bridge with GICv3, serving.
PORT=$(free_port)
qemu_a64 "$TMP/pci3.log" 3 virtio-net-pci -append "semihosting ip=10.0.2.15/24 gw=10.0.2.2" &
Q=$!
PIDS+=("$Q")
if wait_serving "$TMP/pci3.log" "$Q"; then
	ok "[pci/gicv3] the image serves over virtio-pci"
	check "[pci/gicv3] virtio-pci with INTx from interrupt-map on the GICv3" \
		grep -Eq '^arm64: net: virtio-pci 00:[0-9a-f]{2}\.0, .*interrupt INTx SPI [0-9]+ \(GICv3\)' \
		"$TMP/pci3.log"
	fetch_all pci/gicv3 "http://127.0.0.1:$PORT"
	out=$(curl -s --max-time 60 -D - -o /dev/null "http://127.0.0.1:$PORT/" | tr -d '\r')
	expect_match "[pci/gicv3] the Date header is this year (the PL031 wall clock)" \
		"^Date: .* $(date -u +%Y) " "$out"
	kill "$Q" 2>/dev/null
	wait "$Q" 2>/dev/null
else
	notok "[pci/gicv3] the image serves over virtio-pci"
fi

# boot_a64 TAG STATUS GIC NIC ARGS: a boot that ends by itself.
boot_a64() {
	local tag=$1 want=$2 gic=$3 nic=$4
	shift 4
	LOG=$TMP/$tag.log
	PORT=$(free_port)
	qemu_a64 "$LOG" "$gic" "$nic" -append "semihosting $*"
	local got=$?
	if [ "$got" = "$want" ]; then
		ok "[$tag] exit status $want"
	else
		notok "[$tag] exit status: want $want, got $got"
		tail -n 25 "$LOG" | sed 's/^/#   /'
	fi
}

boot_a64 mmio-gicv3 0 3 virtio-net-device "ip=10.0.2.15/24 selftest=ready"
log_has mmio-gicv3 "virtio-mmio with GICv3" '^arm64: net: virtio-mmio@.*\(GICv3\)'
log_has mmio-gicv3 "and it comes up serving" '^unideck: serving at http://10\.0\.2\.15/'
boot_a64 pci-gicv2 0 2 virtio-net-pci "ip=10.0.2.15/24 selftest=ready"
log_has pci-gicv2 "virtio-pci with GICv2" '^arm64: net: virtio-pci .*INTx SPI [0-9]+ \(GICv2\)'
log_has pci-gicv2 "and it comes up serving" '^unideck: serving at http://10\.0\.2\.15/'
boot_a64 no-nic 10 2 none ""
log_has no-nic "a missing NIC is explained" 'no network device: give the VM one virtio-net NIC'
boot_a64 bad-stats 13 2 virtio-net-device "stats=0"
log_has bad-stats "stats=0 is refused by name" 'unideck: stats=0: want seconds, 1 to 86400'
boot_a64 fault-store 3 2 virtio-net-device "selftest=fault-store"
log_has fault-store "a write to the store is a data abort" \
	'^arm64: FATAL: data abort \(ESR 0x[0-9a-f]+, EC 0x25\)'
log_has fault-store "a permission fault, writing, in the store" \
	'^arm64: accessing for write at 0x[0-9a-f]+ \(the store\), permission fault'
log_has fault-store "the registers are printed" '^arm64: x0  [0-9a-f]{16}  x1  [0-9a-f]{16}'
log_has fault-store "the backtrace names kmain" '^  #[0-9]+ 0x[0-9a-f]{16} kmain\+0x'
log_has fault-store "the status is on the console" '^arm64: exit status 3[^0-9]*$'
echo "# $FAILS failed"
[ "$FAILS" = 0 ]
