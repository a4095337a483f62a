#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Disk images (tools/image/disk.c): the default decks built as a raw disk, qcow2,
# Compute Engine's tar.gz and an OCI image, each booted by firmware under QEMU
# q35 (TCG) with virtio-net-pci and served to curl through a port forward: the
# index, a deck, a 206 and a 304. Raw on SeaBIOS and OVMF (Debian's ovmf,
# Secure Boot off), each with the disk as virtio-blk and as AHCI (ide-hd on
# q35's ich9-ahci); qcow2, the tar.gz's disk.raw and the OCI image's qcow2 once
# each (the qcow2 by `unideck run`). A disk whose kernel is damaged must say
# so on the serial console.
# The builds are byte-for-byte reproducible under SOURCE_DATE_EPOCH; skopeo
# inspects and umoci unpacks the OCI tar.
. "$(dirname "$0")/pvhlib.sh"
KERNEL=$ROOT/build/kernel/unideck.elf
require_kernel
OVMF=/usr/share/OVMF/OVMF_CODE.fd
for t in grub-mkimage mformat mcopy qemu-img; do
	command -v "$t" >/dev/null || { skip "disk images: $t not installed (scripts/deps.sh)"; exit 0; }
done
export SOURCE_DATE_EPOCH=1700000000
APPEND="ip=10.0.2.15/24 gw=10.0.2.2 flows=512"

# The default decks and 8 MiB that do not compress (the same bytes every run):
# a store of over 12 MiB, which GRUB must place around the pages OVMF keeps
# from 8 MiB up (it is a module: loaded at the kernel's slot it would not fit).
cp -r "$ROOT/decks" "$TMP/decks"
python3 -c 'import random, sys; random.seed(14); sys.stdout.buffer.write(random.randbytes(8 << 20))' \
	>"$TMP/decks/features/media/noise.bin"
NOISE=$(sha256sum <"$TMP/decks/features/media/noise.bin")
build() { # build OUT: the decks into OUT
	"$UNIDECK" build "$TMP/decks" -o "$1" --no-pdf --append "$APPEND" >"$TMP/build.log" 2>&1
}
for f in img qcow2 tar.gz oci.tar; do
	if build "$TMP/decks.$f"; then
		ok "build decks.$f ($(stat -c %s "$TMP/decks.$f") bytes)"
	else
		notok "build decks.$f"
		sed 's/^/#   /' "$TMP/build.log"
	fi
done
[ -f "$TMP/decks.img" ] || exit 1
build "$TMP/again.img" && check "the raw disk is reproducible under SOURCE_DATE_EPOCH" \
	cmp "$TMP/decks.img" "$TMP/again.img"
build "$TMP/again.oci.tar" && check "the OCI tar is reproducible too" \
	cmp "$TMP/decks.oci.tar" "$TMP/again.oci.tar"
rm -f "$TMP/again.img" "$TMP/again.oci.tar"

# The layout: a GPT with the BIOS boot partition and the ESP; GRUB's files on it.
python3 - "$TMP/decks.img" >"$TMP/gpt.out" 2>&1 <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
assert d[510:512] == b'\x55\xaa' and d[0x1c2] == 0xee, 'protective MBR'
n = len(d) // 512
for lba, alt in ((1, n - 1), (n - 1, 1)):
    h = d[lba * 512:lba * 512 + 92]
    assert h[:8] == b'EFI PART', 'header at %d' % lba
    crc = struct.unpack_from('<I', h, 16)[0]
    assert zlib.crc32(h[:16] + b'\0' * 4 + h[20:92]) == crc, 'header crc at %d' % lba
    my, other, first, last = struct.unpack_from('<QQQQ', h, 24)
    assert my == lba and other == alt, 'header lbas'
    tab, cnt, esz, tcrc = struct.unpack_from('<QIII', h, 72)
    t = d[tab * 512:tab * 512 + cnt * esz]
    assert zlib.crc32(t) == tcrc, 'table crc'
    e = [t[i * esz:(i + 1) * esz] for i in range(2)]
    assert e[0][:16] == b'Hah!IdontNeedEFI', 'BIOS boot partition type'
    assert e[1][:16].hex() == '28732ac11ff8d211ba4b00a0c93ec93b', 'ESP type'
    assert struct.unpack_from('<QQ', e[0], 32) == (2048, 4095), 'BIOS boot at 1 MiB'
    assert struct.unpack_from('<Q', e[1], 32)[0] == 4096, 'ESP at 2 MiB'
assert struct.unpack_from('<Q', d, 0x5c)[0] == 2048, 'boot.img points at the core image'
print('ok')
PY
check "the raw disk: protective MBR, both GPT headers and tables with good CRCs, boot.img patched" \
	grep -qx ok "$TMP/gpt.out"
export MTOOLS_SKIP_CHECK=1
mdir -i "$TMP/decks.img@@2M" -/ -b :: >"$TMP/esp.ls" 2>&1
check "the ESP holds BOOTX64.EFI, grub.cfg, the checksum, the kernel and the store" \
	bash -c "grep -qx '::/EFI/BOOT/BOOTX64.EFI' '$TMP/esp.ls' &&
		grep -qx '::/boot/grub/grub.cfg' '$TMP/esp.ls' &&
		grep -qx '::/boot/unideck.sha256' '$TMP/esp.ls' &&
		grep -qx '::/unideck.elf' '$TMP/esp.ls' &&
		grep -qx '::/unideck.store' '$TMP/esp.ls' || cat '$TMP/esp.ls'"
# The disk's kernel alone (PVH, no GRUB) has no store module: it must say so.
mcopy -n -i "$TMP/decks.img@@2M" ::/unideck.elf "$TMP/disk-kernel.elf"
boot disk-kernel-alone 5 -M microvm "$TMP/disk-kernel.elf"
log_has disk-kernel-alone "the disk's kernel booted without its store module says why" \
	'PANIC: this image.s store \([0-9]+ bytes\) comes as a boot module'
cfg=$(mtype -i "$TMP/decks.img@@2M" ::/boot/grub/grub.cfg 2>&1)
expect_match "grub.cfg carries --append on its multiboot2 line" \
	"multiboot2 /unideck.elf $APPEND" "$cfg"

# boot TAG DISK FORMAT FIRMWARE BUS: boot DISK, wait for serving, fetch four things.
boot_disk() {
	local tag=$1 disk=$2 fmt=$3 fw=$4 bus=$5 log=$TMP/$1.log i
	local port
	port=$(free_port)
	local args=(-M q35 -accel tcg -cpu max -m 256M -nodefaults -no-user-config -display none
		-serial "file:$log" -no-reboot
		-netdev "user,id=n0,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$port-10.0.2.15:80"
		-device virtio-net-pci,netdev=n0
		-drive "file=$disk,format=$fmt,if=none,id=d0,snapshot=on")
	if [ "$fw" = ovmf ]; then
		args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF")
	fi
	if [ "$bus" = ahci ]; then
		args+=(-device ide-hd,drive=d0,bus=ide.0)
	else
		args+=(-device virtio-blk-pci,drive=d0)
	fi
	qemu-system-x86_64 "${args[@]}" >"$TMP/$tag.qemu" 2>&1 &
	local q=$!
	PIDS+=("$q")
	for i in $(seq 1 1800); do
		grep -q '^unideck: serving at' "$log" 2>/dev/null && break
		kill -0 "$q" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^unideck: serving at' "$log" 2>/dev/null; then
		notok "[$tag] boots and serves"
		tr -d '\r' <"$log" | tail -n 20 | sed 's/^/#   /'
		sed 's/^/#   /' "$TMP/$tag.qemu"
		kill "$q" 2>/dev/null
		return
	fi
	ok "[$tag] boots by multiboot2 ($(grep -ao "booted by multiboot2 ([^)]*)" "$log" | sed "s/.*(//; s/)//")) and serves"
	local base=http://127.0.0.1:$port
	expect_match "[$tag] the index" 'unideck: a unikernel' "$(curl -s --max-time 30 "$base/")"
	expect_eq "[$tag] 8 MiB of noise from a 12 MiB store (a boot module), byte for byte" "$NOISE" \
		"$(curl -s --max-time 120 "$base/features/media/noise.bin" | sha256sum)"
	expect_eq "[$tag] a deck: 200" 200 \
		"$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "$base/unideck/")"
	expect_eq "[$tag] a range: 206" 206 \
		"$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' -r 10-99 "$base/unideck/")"
	local etag
	etag=$(curl -s --max-time 30 -D - -o /dev/null "$base/unideck/" | tr -d '\r' |
		sed -n 's/^[Ee][Tt]ag: //p')
	expect_eq "[$tag] a conditional request: 304" 304 \
		"$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" \
			"$base/unideck/")"
	kill "$q" 2>/dev/null
	wait "$q" 2>/dev/null
}

have_ovmf=1
[ -f "$OVMF" ] || { have_ovmf=0; skip "OVMF boots: $OVMF missing (Debian: ovmf)"; }
for fw in seabios ovmf; do
	[ $fw = ovmf ] && [ $have_ovmf = 0 ] && continue
	for bus in virtio ahci; do
		boot_disk "raw-$fw-$bus" "$TMP/decks.img" raw $fw $bus
	done
done
# qcow2 through `unideck run` itself (SeaBIOS, AHCI).
if [ -f "$TMP/decks.qcow2" ]; then
	if BOOT_WAIT=${BOOT_WAIT:-180} boot_image "$TMP/run.log" "$TMP/decks.qcow2" --disk-bus ahci \
		--accel tcg; then
		port=$PORT
		ok "[qcow2-run-ahci] unideck run boots the qcow2 by firmware and it serves"
		expect_eq "[qcow2-run-ahci] a deck: 200" 200 \
			"$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/unideck/")"
		expect_eq "[qcow2-run-ahci] a range: 206" 206 \
			"$(curl -s --max-time 30 -o /dev/null -w '%{http_code}' -r 0-9 "http://127.0.0.1:$port/")"
		kill -INT "$RUN"
		wait "$RUN"
		expect_eq "[qcow2-run-ahci] Ctrl-C stops it, exit 0" 0 "$?"
	else
		notok "[qcow2-run-ahci] unideck run boots the qcow2 by firmware and it serves"
		tr -d '\r' <"$TMP/run.log" | tail -n 20 | sed 's/^/#   /'
		kill "$RUN" 2>/dev/null
	fi
fi
out=$("$UNIDECK" run "$TMP/decks.img" --append log=debug 2>&1)
expect_match "unideck run refuses --append for a disk, naming grub.cfg" 'grub.cfg' "$out"
out=$("$UNIDECK" build "$ROOT/decks" -o "$TMP/x.img" --no-pdf --append 'port=80;reboot' 2>&1)
expect_eq "--append with a character GRUB would interpret is refused (exit 2)" 2 "$?"
expect_match "and the message names the characters" 'without quotes' "$out"

# Compute Engine's format: disk.raw alone, in an oldgnu tar, a whole number of GiB.
if [ -f "$TMP/decks.tar.gz" ]; then
	mkdir -p "$TMP/gce"
	tar -C "$TMP/gce" -xzf "$TMP/decks.tar.gz"
	expect_eq "the tar.gz holds disk.raw alone" "disk.raw" "$(tar -tzf "$TMP/decks.tar.gz")"
	expect_eq "in GNU's oldgnu format" "7573746172202000" \
		"$(gzip -dc "$TMP/decks.tar.gz" | head -c 265 | tail -c 8 | od -An -tx1 | tr -d ' \n')"
	expect_eq "disk.raw is a whole number of GiB" 0 \
		$(($(stat -c %s "$TMP/gce/disk.raw") % (1 << 30)))
	[ $have_ovmf = 1 ] && boot_disk gce-ovmf-virtio "$TMP/gce/disk.raw" raw ovmf virtio
	rm -rf "$TMP/gce"
fi

# The OCI image: skopeo and umoci read it; the qcow2 inside is the disk, owned by 107.
if [ -f "$TMP/decks.oci.tar" ]; then
	if command -v skopeo >/dev/null; then
		out=$(skopeo inspect "oci-archive:$TMP/decks.oci.tar" 2>&1)
		expect_match "skopeo inspect reads the OCI tar (linux/amd64)" \
			'"Architecture": "amd64"' "$out"
	else
		skip "skopeo inspect: skopeo not installed"
	fi
	if command -v umoci >/dev/null; then
		mkdir -p "$TMP/oci"
		tar -C "$TMP/oci" -xf "$TMP/decks.oci.tar"
		if umoci unpack --image "$TMP/oci:latest" "$TMP/bundle" >"$TMP/umoci.log" 2>&1; then
			ok "umoci unpack accepts the image"
			q=$TMP/bundle/rootfs/disk/unideck.qcow2
			expect_eq "the disk is /disk/unideck.qcow2, owned by 107:107" 107:107 \
				"$(stat -c %u:%g "$q" 2>&1)"
			check "and it is the qcow2 of the same build" cmp "$q" "$TMP/decks.qcow2"
			[ $have_ovmf = 1 ] && boot_disk oci-qcow2-ovmf-ahci "$q" qcow2 ovmf ahci
		else
			notok "umoci unpack accepts the image"
			sed 's/^/#   /' "$TMP/umoci.log"
		fi
		rm -rf "$TMP/oci" "$TMP/bundle"
	else
		skip "umoci unpack: umoci not installed"
	fi
fi

# A damaged kernel: a byte inverted in the middle of /unideck.elf on the ESP.
# GRUB's SHA-256 check refuses it with a message on the console, and no serving.
bad=$TMP/bad.img
cp "$TMP/decks.img" "$bad"
mcopy -n -i "$bad@@2M" ::/unideck.elf "$TMP/k.elf"
size=$(stat -c %s "$TMP/k.elf")
# Its bits inverted, not set: a byte that is 0xff already would be no damage.
b=$(od -An -tu1 -j $((size / 2)) -N1 "$TMP/k.elf" | tr -d ' ')
printf "\\x$(printf %02x $((b ^ 0xff)))" | dd of="$TMP/k.elf" bs=1 seek=$((size / 2)) conv=notrunc status=none
mcopy -o -i "$bad@@2M" "$TMP/k.elf" ::/unideck.elf
for fw in seabios ovmf; do
	[ $fw = ovmf ] && [ $have_ovmf = 0 ] && continue
	log=$TMP/bad-$fw.log
	extra=()
	[ $fw = ovmf ] && extra=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF")
	timeout 120 qemu-system-x86_64 -M q35 -accel tcg -m 256M -nodefaults -display none \
		-serial "file:$log" -no-reboot "${extra[@]}" \
		-drive "file=$bad,format=raw,if=none,id=d0,snapshot=on" -device virtio-blk-pci,drive=d0 \
		>/dev/null 2>&1 &
	q=$!
	PIDS+=("$q")
	for i in $(seq 1 1200); do
		grep -aq 'is damaged' "$log" 2>/dev/null && break
		kill -0 "$q" 2>/dev/null || break
		sleep 0.1
	done
	kill "$q" 2>/dev/null
	wait "$q" 2>/dev/null
	out=$(tr -d '\r' <"$log")
	expect_match "[damaged-$fw] the console says the kernel is damaged" \
		'unideck: /unideck.elf or /unideck.store is damaged' "$out"
	if grep -aq 'serving at' "$log"; then
		notok "[damaged-$fw] and it does not boot it"
	else
		ok "[damaged-$fw] and it does not boot it"
	fi
done
exit $((FAILS > 0))
