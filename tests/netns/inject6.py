#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""IPv6 frames for tests/netns/ipv6-image.sh, written on the Linux side of a
TAP device with an AF_PACKET socket (root, inside the test's namespace), from
Linux's own address and MAC (the TAP's), so that what the stack answers comes
back to Linux.

  inject6.py frags IFACE DST_MAC SRC6 DST6 SLOTS
      fragments the reassembly must refuse: two fragments of one echo request
      that overlap (RFC 5722: the datagram goes whole), one reaching past the
      reassembly cap (offset 40,000), then SLOTS + 2 first fragments of
      datagrams never finished (the oldest unfinished ones are evicted)
  inject6.py errors IFACE DST_MAC SRC6 DST6 COUNT
      COUNT packets with an unknown next header (253) at once, each of which
      wants a parameter problem back: more than the error bucket lets out
  inject6.py ns IFACE DST_MAC DST6 COUNT
      COUNT neighbour solicitations for DST6 from as many link-local sources,
      each with its own source link-layer address (fills the neighbour cache)
Prints what it sent.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inject import csum, mac  # noqa: E402 (the IPv4 injector's helpers)

ETH_P_IPV6 = 0x86DD


def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def ipv6(src, dst, nh, payload, hop=64):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hop, src, dst) + payload


def icmp6(src, dst, typ, code, body):
    m = struct.pack("!BBH", typ, code, 0) + body
    pseudo = src + dst + struct.pack("!IxxxB", len(m), 58)
    return m[:2] + struct.pack("!H", csum(pseudo + m)) + m[4:]


def frag(src, dst, ident, off, more, nh, data):
    return ipv6(src, dst, 44, struct.pack("!BBHI", nh, 0, off | int(more), ident) + data)


def main():
    mode, iface, dmac = sys.argv[1], sys.argv[2], mac(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    s.bind((iface, 0))
    smac = s.getsockname()[4]

    def send(pkt, to=dmac, src=smac, pause=0.002):
        s.send(to + src + struct.pack("!H", ETH_P_IPV6) + pkt)
        time.sleep(pause)  # in order, and at a pace a guest under TCG takes

    if mode == "frags":
        src, dst, slots = ip6(sys.argv[4]), ip6(sys.argv[5]), int(sys.argv[6])
        echo = icmp6(src, dst, 128, 0, struct.pack("!HH", 0x6464, 1) + b"x" * 24)
        # Overlap: bytes 0-15, then 8-31 of the same datagram.
        send(frag(src, dst, 0x51, 0, True, 58, echo[:16]))
        send(frag(src, dst, 0x51, 8, False, 58, echo[8:32]))
        # Past the cap: a last fragment at 40,000 (within IPv6's 65,535).
        send(frag(src, dst, 0x52, 40000, False, 58, b"y" * 16))
        # Unfinished: first fragments only, more than there are slots.
        for i in range(slots + 2):
            send(frag(src, dst, 0x60 + i, 0, True, 58, echo[:16]))
        print(f"sent 2 overlapping, 1 past the cap, {slots + 2} unfinished")
    elif mode == "errors":
        src, dst, count = ip6(sys.argv[4]), ip6(sys.argv[5]), int(sys.argv[6])
        for _ in range(count):  # at once: faster than the bucket refills
            send(ipv6(src, dst, 253, b"z" * 16), pause=0)
        print(f"sent {count} with next header 253")
    elif mode == "ns":
        dst, count = ip6(sys.argv[4]), int(sys.argv[5])
        for i in range(count):
            lla = bytes([0x02, 0x6e, 0x64, 0x00, i >> 8, i & 0xFF])
            src = ip6("fe80::6e64:%x" % (i + 1))
            body = struct.pack("!I16s", 0, dst) + struct.pack("!BB6s", 1, 1, lla)
            send(ipv6(src, dst, 58, icmp6(src, dst, 135, 0, body), hop=255), src=lla)
        print(f"sent {count} neighbour solicitations")
    else:
        sys.exit(f"inject6.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
