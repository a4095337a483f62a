#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of the network fuzz targets (fuzz/corpus/net_frame and
fuzz/corpus/tcp_flow): short scripts in each target's input format (see the
comment at the top of fuzz/net_frame.c and fuzz/tcp_flow.c) that reach the
interesting states, for the fuzzer to mutate from. Run it again after changing
either format: python3 fuzz/seeds.py

    python3 fuzz/seeds.py --pcap FILE --mac MAC NAME

turns a real capture (unideck serve --net tap:... --pcap FILE, with Linux's
ping, curl and wget as the peer) into the net_frame seed capture-NAME: every
frame our stack (MAC) received, readdressed to the fuzz stack (10.0.0.2) from
its peer (10.0.0.9), with the checksums left for the target to fix.
capture-linux-session came from such a session: ping (and a fragmented one),
curl of pages, a range and brotli, wget, a UDP datagram to a closed port, and a
connection to a closed TCP port.

    python3 fuzz/seeds.py --pcap FILE --mac MAC NAME --prefix6 PREFIX::

does the same for IPv6 too: addresses in PREFIX/64 move to the fuzz stack's
2001:db8::/64 (ours is ::2 there), our link-local address (and its
solicited-node group) to the fuzz stack's RFC 7217 one. fuzz/capture6.sh
records such a session (tcpdump in a namespace; Linux's ping -6, curl -6, wget
and some of thc-ipv6's implementation6 cases) into capture-linux-ipv6."""
import hashlib
import hmac
import ipaddress
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
US, PEER = bytes([10, 0, 0, 2]), bytes([10, 0, 0, 9])
MAC_US, MAC_PEER = bytes([2, 0, 0, 0, 0, 2]), bytes([2, 0, 0, 0, 0, 9])


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- tcp_flow: operations of five bytes ----
def syn(i, opts=0x0F, c=0, d=7):
    return bytes([0, i, opts, c, d])


def ack(i, length=0, seq=0, which=0, win=0xFF, psh=False, fin=False, ts=False):
    op = 10 | (0x10 if psh else 0) | (0x20 if fin else 0) | (0x80 if ts else 0)
    return bytes([op, i | (length // 24) << 2, seq, which << 1, win])


def app(how):
    return bytes([5, 0, how, 0, 0])


def wait(step, ms=0):
    return bytes([4, 0, step, ms, 0])


SERVE = app(0xA2)  # read, answer with 1 KiB, close at EOF
HANDSHAKE = syn(0) + ack(0) + app(0xA2)
REQUEST = ack(0, 96, psh=True) + SERVE + wait(1, 10)

write("tcp_flow", "server-close", bytes([2]) + HANDSHAKE + REQUEST + ack(0) +
      ack(0, fin=True) + SERVE + wait(2) + ack(0) + wait(6))
# A response of 40 small parts (boundaries and ranges, as multipart/byteranges
# makes): more than one frame gathers, so segments must be cut whole.
write("tcp_flow", "multipart", bytes([2]) + HANDSHAKE + ack(0, 96, psh=True) +
      app(0xAA) + wait(1, 10) + ack(0) + wait(2) + ack(0) + wait(3) + ack(0) +
      wait(6))
write("tcp_flow", "client-open", bytes([1]) + bytes([6, 1, 0, 0, 0]) +
      bytes([1, 1, 3, 5, 0]) + ack(1, 192, psh=True) + app(0x52) + wait(3) +
      bytes([2, 1, 2, 0, 0]) + app(0x52))
write("tcp_flow", "zero-window", bytes([2]) + HANDSHAKE + ack(0, 48, psh=True) +
      app(0xF0) + wait(1) + ack(0, win=0) + wait(4) + wait(4) + wait(5) +
      ack(0) + wait(3) + ack(0))
write("tcp_flow", "sack-recovery", bytes([2]) + HANDSHAKE + ack(0, 48, psh=True) +
      app(0xF0) + wait(1) + bytes([3, 0, 20, 40, 0xFF]) + ack(0, which=2) * 3 +
      wait(4) + ack(0) + wait(4) + ack(0))
write("tcp_flow", "keepalive", bytes([2]) + HANDSHAKE + bytes([7, 0, 1, 10, 3]) +
      wait(4) * 3 + wait(5) + app(0x02))
write("tcp_flow", "timewait-reuse", bytes([2]) + HANDSHAKE + REQUEST +
      ack(0, fin=True) + SERVE + wait(1) + ack(0) + syn(0, c=200) + ack(0) + SERVE)
write("tcp_flow", "reset-and-injection", bytes([3]) + HANDSHAKE + ack(0, 24, seq=0x41) +
      bytes([2, 0, 0, 0x41, 0]) + bytes([2, 0, 0, 0, 0]) + bytes([8, 0, 0x02, 0, 0]) + SERVE)
write("tcp_flow", "timestamps", bytes([2]) + syn(0, 0x0F) + ack(0, ts=True) +
      ack(0, 240, psh=True, ts=True) + SERVE + wait(2) + ack(0, ts=True) +
      ack(0, fin=True, ts=True) + SERVE + wait(3) + ack(0, ts=True))


# ---- net_frame: [ctl][len][bytes] records ----
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload, src=PEER, dst=US, frag=0, ident=1):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0,
                    src, dst)
    return h  # checksums are fixed by the target (ctl bit 4)


def rec(ctl, data):
    return bytes([ctl]) + struct.pack("!H", len(data)) + data


WRAP_FIX = 8 | 16
arp_req = (b"\xff" * 6 + MAC_PEER + b"\x08\x06" +
           struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_PEER, PEER, b"\0" * 6, US))
echo = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping" * 8
udp = struct.pack("!HHHH", 5000, 9, 8 + 4, 0) + b"hey!"
tcp_syn = struct.pack("!HHIIBBHHH", 40000, 80, 1000, 0, 0x70, 0x02, 65535, 0, 0) + \
    bytes([2, 4, 5, 0xB4, 1, 3, 3, 7, 4, 2, 0, 0])
tcp_data = struct.pack("!HHIIBBHHH", 40000, 80, 1001, 0, 0x50, 0x18, 65535, 0, 0) + \
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"

write("net_frame", "arp", bytes([0]) + rec(0, arp_req))
write("net_frame", "icmp-udp", bytes([0]) + rec(0, arp_req) +
      rec(WRAP_FIX, ipv4(1, echo) + echo) + rec(WRAP_FIX, ipv4(17, udp) + udp))
write("net_frame", "tcp", bytes([2]) + rec(0, arp_req) +
      rec(WRAP_FIX | 32, ipv4(6, tcp_syn) + tcp_syn) +
      rec(WRAP_FIX | 32 | 3, ipv4(6, tcp_data) + tcp_data) + rec(5, b""))
big = struct.pack("!BBHHH", 8, 0, 0, 7, 2) + bytes(range(256)) * 8
first, second = big[:1024], big[1024:]
write("net_frame", "fragments", bytes([0]) + rec(0, arp_req) +
      rec(WRAP_FIX, ipv4(1, big, frag=0x2000, ident=9)[:2] +
          struct.pack("!H", 20 + len(first)) + ipv4(1, big, frag=0x2000, ident=9)[4:] + first) +
      rec(WRAP_FIX, ipv4(1, second, frag=1024 // 8, ident=9) + second) + rec(6, b""))
dhcp_offer = bytes([2, 1, 6, 0]) + b"\0\0\0\0" + b"\0" * 8 + bytes([10, 0, 0, 50]) + \
    b"\0" * 8 + MAC_US + b"\0" * 10 + b"\0" * 192 + b"\x63\x82\x53\x63" + \
    bytes([53, 1, 2, 54, 4, 10, 0, 0, 1, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 1,
           51, 4, 0, 0, 0x0E, 0x10, 255])
dhcp_udp = struct.pack("!HHHH", 67, 68, 8 + len(dhcp_offer), 0) + dhcp_offer
write("net_frame", "dhcp", bytes([1]) + rec(4, b"") +
      rec(WRAP_FIX | 4, ipv4(17, dhcp_udp, src=bytes([10, 0, 0, 1]), dst=b"\xff" * 4) + dhcp_udp) +
      rec(4, b""))


# ---- IPv6 seeds (the harness's stack: 2001:db8::2/64; the peer ::9) ----
US6 = bytes([0x20, 0x01, 0x0D, 0xB8]) + bytes(11) + b"\x02"
PEER6 = bytes([0x20, 0x01, 0x0D, 0xB8]) + bytes(11) + b"\x09"
ROUTER_LL = bytes([0xFE, 0x80]) + bytes(13) + b"\x01"
SN_US6 = bytes([0xFF, 2]) + bytes(9) + bytes([1, 0xFF, 0, 0, 2])
ALL_NODES = bytes([0xFF, 2]) + bytes(13) + b"\x01"


def ipv6(nh, payload, src=PEER6, dst=US6, hop=64):
    """An IPv6 header and (payload); the target fixes the upper checksum."""
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hop, src, dst) + payload


def icmp6(t, code, body):
    return struct.pack("!BBH", t, code, 0) + body


def ext(nh, body):
    """A hop-by-hop, destination options or routing header: (body) padded."""
    body = body + bytes((-(len(body) + 2)) % 8)
    return bytes([nh, (len(body) + 2) // 8 - 1]) + body


def frag6(nh, off, more, ident, data):
    return struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident) + data


ns6 = icmp6(135, 0, bytes(4) + US6 + bytes([1, 1]) + MAC_PEER)
echo6 = icmp6(128, 0, struct.pack("!HH", 0x6666, 1) + b"unideck6" * 4)
WAIT_DAD = 4  # ctl: one second first, so that our addresses are no longer tentative
start6 = rec(WAIT_DAD, b"") + rec(WRAP_FIX | WAIT_DAD, ipv6(58, ns6, dst=SN_US6, hop=255))
write("net_frame", "ipv6-nd-echo", bytes([0]) + start6 + rec(WRAP_FIX, ipv6(58, echo6)) +
      rec(WRAP_FIX, ipv6(58, icmp6(136, 0, bytes([0x60, 0, 0, 0]) + PEER6 +
                                         bytes([2, 1]) + MAC_PEER), hop=255)) +
      rec(WRAP_FIX, ipv6(58, icmp6(134, 0, bytes([64, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0]) +
                                         bytes([3, 4, 64, 0xC0, 0, 0, 0x0E, 0x10, 0, 0, 0x07,
                                                0x08, 0, 0, 0, 0]) + US6[:8] + bytes(8)),
                             src=ROUTER_LL, dst=ALL_NODES, hop=255)))
pad = bytes([1, 4, 0, 0, 0, 0])
write("net_frame", "ipv6-ext", bytes([0]) + start6 +
      rec(WRAP_FIX, ipv6(0, ext(58, pad) + echo6)) +
      rec(WRAP_FIX, ipv6(60, ext(58, pad) + echo6)) +
      rec(WRAP_FIX, ipv6(60, ext(58, bytes([0x80, 4, 0, 0, 0, 0])) + echo6)) +
      rec(WRAP_FIX, ipv6(43, ext(58, bytes([0, 1, 0, 0, 0, 0]) + PEER6) + echo6)) +
      rec(WRAP_FIX, ipv6(43, ext(58, bytes([0, 0, 0, 0, 0, 0]) + PEER6) + echo6)) +
      rec(WRAP_FIX, ipv6(60, ext(0, pad) + ext(58, pad) + echo6)) +
      rec(WRAP_FIX, ipv6(253, echo6)) +
      rec(WRAP_FIX, ipv6(44, frag6(58, 0, False, 77, echo6))))
big6 = icmp6(128, 0, struct.pack("!HH", 0x6666, 2) + bytes(range(256)) * 6)
f1, f2 = big6[:1024], big6[1024:]
write("net_frame", "ipv6-fragments", bytes([0]) + start6 +
      rec(WRAP_FIX, ipv6(44, frag6(58, 1024, False, 5, f2))) +
      rec(WRAP_FIX, ipv6(44, frag6(58, 0, True, 5, f1))) +
      rec(WRAP_FIX, ipv6(44, frag6(58, 0, True, 6, f1))) +
      rec(WRAP_FIX, ipv6(44, frag6(58, 0, True, 6, f1))) +
      rec(WRAP_FIX, ipv6(44, frag6(58, 1016, False, 6, big6[1016:]))) +
      rec(WRAP_FIX, ipv6(44, frag6(60, 0, True, 7, ext(58, pad)))) +
      rec(WRAP_FIX, ipv6(44, frag6(58, 0, True, 8, f1[:1020]))) +
      rec(WRAP_FIX | 6, ipv6(44, frag6(58, 0, True, 9, f1))) + rec(6, b""))
syn6 = struct.pack("!HHIIBBHHH", 40000, 80, 1000, 0, 0x60, 0x02, 65535, 0, 0) + \
    bytes([2, 4, 0x05, 0x8C])
get6 = struct.pack("!HHIIBBHHH", 40000, 80, 1001, 0, 0x50, 0x18, 65535, 0, 0) + \
    b"GET / HTTP/1.1\r\nHost: [2001:db8::2]\r\n\r\n"
write("net_frame", "ipv6-tcp", bytes([2]) + start6 + rec(WRAP_FIX | 32, ipv6(6, syn6)) +
      rec(WRAP_FIX | 32 | 3, ipv6(6, get6)) + rec(5, b""))


def fz_link_local():
    """The fuzz stack's link-local address: RFC 7217 as net/ipv6.c forms it
    (HMAC-SHA256 keyed with fuzz/net_harness.h's fz_secret6 over the prefix,
    the MAC and the DAD counter 0; the first 64 bits)."""
    prefix = bytes([0xFE, 0x80]) + bytes(6)
    key = b"unideck-fuzz-v6\0"
    return prefix + hmac.new(key, prefix + MAC_US + b"\0", hashlib.sha256).digest()[:8]


def solicited(a):
    return bytes([0xFF, 2]) + bytes(9) + bytes([1, 0xFF]) + a[13:16]


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    at = 24
    while at + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[at:at + 16])
        yield bytearray(data[at + 16:at + 16 + incl])
        at += 16 + incl


def readdress6(frame, ours, peers, prefix6, our_ll):
    """An IPv6 frame toward the fuzz stack: every copy of our addresses and
    MACs, and of the peers' MACs, replaced."""
    fz_ll = fz_link_local()
    subs = [(ours, MAC_US)] + [(m, MAC_PEER) for m in peers]
    if our_ll:
        subs += [(our_ll, fz_ll), (solicited(our_ll), solicited(fz_ll)),
                 (b"\x33\x33" + solicited(our_ll)[12:], b"\x33\x33" + solicited(fz_ll)[12:])]
    subs.append((prefix6, bytes([0x20, 0x01, 0x0D, 0xB8]) + bytes(4)))
    b = bytes(frame)
    for old, new in subs:
        b = b.replace(old, new)
    return bytearray(b)


def from_capture(path, mac, name, prefix6=None):
    """Frames (MAC) received in the pcap at (path), as a net_frame input."""
    ours = bytes(int(x, 16) for x in mac.split(":"))
    our_ll, peers = None, set()
    p6 = ipaddress.IPv6Address(prefix6).packed[:8] if prefix6 else None
    for frame in packets(path):
        if len(frame) >= 54 and frame[12:14] == b"\x86\xdd":
            if frame[6:12] == ours and frame[22:24] == b"\xfe\x80":
                our_ll = bytes(frame[22:38])
            elif frame[6:12] != ours:
                peers.add(bytes(frame[6:12]))
    out, frames = bytearray([0]), 0
    if p6:
        out += rec(WAIT_DAD, b"") * 2  # our addresses through DAD first
    for frame in packets(path):
        if len(out) >= 60000:
            break
        if len(frame) < 14 or frame[6:12] == ours:
            continue  # what we sent
        if frame[12:14] == b"\x86\xdd":
            if not p6:
                continue
            out += rec(16 | 32, bytes(readdress6(frame, ours, peers, p6, our_ll)))
            frames += 1
            continue
        if frame[0:6] == ours:
            frame[0:6] = MAC_US
        frame[6:12] = MAC_PEER
        ctl = 0
        if frame[12:14] == b"\x08\x00" and len(frame) >= 34:
            frame[14 + 12:14 + 16] = PEER
            if frame[14 + 16:14 + 20] != b"\xff" * 4:
                frame[14 + 16:14 + 20] = US
            ctl = 16 | 32  # fix the checksums; let the app answer
        elif frame[12:14] == b"\x08\x06" and len(frame) >= 42:
            frame[22:28], frame[28:32] = MAC_PEER, PEER
            frame[38:42] = US
        out += rec(ctl, bytes(frame))
        frames += 1
    write("net_frame", "capture-" + name, bytes(out))
    print("capture-%s: %d frames, %d bytes" % (name, frames, len(out)))


if len(sys.argv) in (6, 8) and sys.argv[1] == "--pcap" and sys.argv[3] == "--mac":
    from_capture(sys.argv[2], sys.argv[4], sys.argv[5],
                 sys.argv[7] if len(sys.argv) == 8 and sys.argv[6] == "--prefix6" else None)
