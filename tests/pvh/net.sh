#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# virtio-net in the VM: the test kernel sends hand-built ARP and ICMP frames to the
# gateway and checks the replies (received by interrupt), over virtio-mmio legacy
# and modern (microvm, with and without ACPI), virtio-pci with MSI-X and with
# INTx (q35, pc), slirp and a TAP device in a network namespace. No NIC and two
# NICs give clear messages.
. "$(dirname "$0")/pvhlib.sh"
require_kernel
NO_NIC=10 # TK_EXIT_NO_NIC in test_kernel.h

net_boot() {
	local tag=$1
	shift
	boot "$tag" 0 "$@" "$KERNEL" --append "test=net $NET_ARGS"
}

NET_ARGS=""
net_boot microvm/mmio-legacy/acpi -M microvm --net user
log_has microvm/mmio-legacy/acpi "legacy virtio-mmio found through the DSDT" \
	'pvh: net: virtio-mmio@0x[0-9a-f]+ \(legacy\).*interrupt GSI'
log_has microvm/mmio-legacy/acpi "event indexes negotiated (QEMU offers them)" \
	'pvh: net: .*, event indexes$'
log_has microvm/mmio-legacy/acpi "its MAC read from the configuration (QEMU's default)" \
	'pvh: net: .*MAC 52:54:00:12:34:56,'
net_boot microvm/mmio-legacy/cmdline -M microvm,acpi=off --net user
log_has microvm/mmio-legacy/cmdline "found through virtio_mmio.device=" \
	'virtio_mmio.device=.*|pvh: net: virtio-mmio@0x[0-9a-f]+ \(legacy\)'
net_boot microvm/mmio-modern -M microvm --modern --net user
log_has microvm/mmio-modern "modern virtio-mmio (version 2)" 'pvh: net: virtio-mmio@0x[0-9a-f]+ \(modern\)'
log_has microvm/mmio-modern "its MAC read from the configuration (QEMU's default)" \
	'pvh: net: .*MAC 52:54:00:12:34:56,'
net_boot q35/pci-msix -M q35 --net user
log_has q35/pci-msix "virtio-pci with MSI-X" 'pvh: net: virtio-pci .*interrupt MSI-X'
log_has q35/pci-msix "its MAC read from the configuration (QEMU's default)" \
	'pvh: net: .*MAC 52:54:00:12:34:56,'
net_boot q35/pci-intx -M q35 --intx --net user
log_has q35/pci-intx "virtio-pci with INTx through the I/O APIC" 'pvh: net: virtio-pci .*interrupt INTx GSI'
net_boot pc/pci -M pc --net user

NET_ARGS="burst=2000"
net_boot microvm/burst -M microvm --net user
net_boot q35/burst -M q35 --net user
NET_ARGS=""

# A device without event indexes: interrupts and notifications by the flags,
# through the same checks (the wake-up by interrupt among them).
for m in microvm:virtio-net-device q35:virtio-net-pci; do
	boot "${m%%:*}/no-event-idx" 0 -M "${m%%:*}" --net user "$KERNEL" \
		--append "test=net burst=2000" -- -global "${m#*:}.event_idx=off"
	log_has "${m%%:*}/no-event-idx" "no event indexes offered, none used" \
		'pvh: net: .*features 0x[0-9a-f]+$'
done

net_boot microvm/two-nics -M microvm --net user --nics 2
log_has microvm/two-nics "second NIC named and ignored" 'ignored: only one network device is supported'
net_boot q35/two-nics -M q35 --net user --nics 2
log_has q35/two-nics "second NIC named and ignored" 'ignored: only one network device is supported'

boot microvm/no-nic $NO_NIC -M microvm "$KERNEL" --append test=net
log_has microvm/no-nic "no NIC: a clear message" 'pvh: net: no network device'
boot q35/no-nic $NO_NIC -M q35 "$KERNEL" --append test=net
log_has q35/no-nic "no NIC: a clear message" 'pvh: net: no network device'

# Bad virtio_mmio.device words are reported and skipped.
boot microvm/bad-cmdline $NO_NIC -M microvm "$KERNEL" \
	--append "test=net virtio_mmio.device=1G@0xd0000000:5 virtio_mmio.device=bogus"
log_has microvm/bad-cmdline "an oversized window is refused" 'virtio-mmio@0xd0000000: window too small or too large'
log_has microvm/bad-cmdline "a malformed word is named" 'virtio_mmio.device=bogus: want'

# A TAP device in a network namespace: Linux's own stack answers.
ns=pvh$$
if [ "$(id -u)" = 0 ] && ip netns add "$ns" 2>/dev/null; then
	cleanup_ns() { ip netns del "$ns" 2>/dev/null; cleanup; }
	trap cleanup_ns EXIT
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip tuntap add dev tap0 mode tap
	ip netns exec "$ns" ip addr add 10.9.0.1/24 dev tap0
	ip netns exec "$ns" ip link set tap0 up
	NET_ARGS="ip=10.9.0.2 gw=10.9.0.1 burst=500"
	PVH_WRAP="ip netns exec $ns"
	net_boot q35/tap -M q35 --net tap:tap0
	net_boot microvm/tap -M microvm --modern --net tap:tap0
	rx=$(ip netns exec "$ns" cat /sys/class/net/tap0/statistics/rx_packets)
	check "the host saw the guest's frames on the TAP ($rx)" test "$rx" -ge 1000
else
	skip "pvh net over TAP: needs root and ip netns"
fi
finish
