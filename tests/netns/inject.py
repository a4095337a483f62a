#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hostile frames for tests/netns/attacks.sh, written on the Linux side of a TAP
device with an AF_PACKET socket (root, inside the test's namespace).

  inject.py fuzz IFACE DST_MAC DST_IP SEED COUNT
      malformed, truncated and oversized frames generated from SEED: mutations
      of valid ARP, ICMP, UDP, TCP and fragment frames, and random bytes
  inject.py blind IFACE DST_MAC DST_IP SPORT DPORT COUNT
      RSTs and data segments on the 4-tuple of a live connection: half with
      random sequence numbers (a blind attacker's guesses), half inside the
      receive window but not at its left edge (a lucky attacker's, which only
      RFC 5961's challenge ACKs stop), all with random acknowledgement numbers
  inject.py poison IFACE DST_MAC DST_IP CLAIM_IP COUNT
      ARP replies we were never asked for, claiming CLAIM_IP for a bogus MAC
  inject.py ipid IFACE DST_MAC DST_IP COUNT
      COUNT echo requests; prints how many consecutive replies' IPv4 IDs step
      by 1 to 3 (a global counter: an idle-scan zombie) and how many replied
  inject.py badsyn IFACE DST_MAC DST_IP PORT
      SYNs with malformed options (bad lengths, a list running past the
      header); prints how many got a SYN-ACK and how many were sent
  inject.py rstburst IFACE DST_MAC DST_IP PORT COUNT
      opens a kernel connection, then COUNT in-window RSTs on it at once;
      prints the ACKs that came back and whether the connection still serves
  inject.py fragfill IFACE DST_MAC DST_IP COUNT
      COUNT unfinished first fragments from spoofed sources (never completed)
"""
import random
import socket
import struct
import sys

ETH_P_ALL = 0x0003


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip4(s):
    return socket.inet_aton(s)


def eth(dst, src, typ, payload):
    return dst + src + struct.pack("!H", typ) + payload


def ipv4(src, dst, proto, payload, ident=1, frag=0x4000, ttl=64, tos=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload), ident, frag, ttl, proto, 0,
                    src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", win=65535, opts=b""):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, win, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(h) + len(payload))
    c = csum(pseudo + h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def udp(src, dst, sport, dport, payload):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(h) + len(payload)) + h + payload)
    return h[:6] + struct.pack("!H", c or 0xFFFF) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha, tpa)


def valid_frames(dmac, smac, dip, sip, rnd):
    """A few well-formed frames to mutate."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + bytes(rnd.randrange(256) for _ in range(56))
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    big = struct.pack("!BBHHH", 8, 0, 0, 7, 2) + bytes(3000)
    big = big[:2] + struct.pack("!H", csum(big)) + big[4:]
    frag1 = ipv4(sip, dip, 1, big[:1480], ident=99, frag=0x2000)
    frag2 = ipv4(sip, dip, 1, big[1480:2960], ident=99, frag=0x2000 | 185)
    opts = bytes([2, 4, 5, 0xB4, 4, 2, 8, 10]) + bytes(8) + bytes([1, 3, 3, 7])
    return [
        eth(dmac, smac, 0x0806, arp(1, smac, sip, bytes(6), dip)),
        eth(dmac, smac, 0x0800, ipv4(sip, dip, 1, icmp)),
        eth(dmac, smac, 0x0800, ipv4(sip, dip, 17, udp(sip, dip, 5000, 9, b"hello"))),
        eth(dmac, smac, 0x0800, ipv4(sip, dip, 6, tcp(sip, dip, 40000, 80, 1, 0, 0x02, opts=opts))),
        eth(dmac, smac, 0x0800, ipv4(sip, dip, 6, tcp(sip, dip, 40001, 80, 5, 9, 0x18, b"GET / HTTP/1.1\r\n\r\n"))),
        eth(dmac, smac, 0x0800, frag1),
        eth(dmac, smac, 0x0800, frag2),
    ]


def mutate(f, rnd):
    f = bytearray(f)
    kind = rnd.randrange(6)
    if kind == 0:  # flip bytes anywhere after the MAC addresses
        for _ in range(rnd.randrange(1, 8)):
            f[rnd.randrange(12, len(f))] = rnd.randrange(256)
    elif kind == 1:  # truncate
        f = f[:rnd.randrange(1, len(f))]
    elif kind == 2:  # extend: trailing garbage, up to the largest frame
        f += bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, max(2, 1514 - len(f)))))
    elif kind == 3:  # lie in the IPv4 header (lengths, header length, offsets)
        if len(f) > 34:
            i = rnd.choice([14, 16, 17, 20, 21, 22, 23, 24, 25])
            f[i] = rnd.randrange(256)
    elif kind == 4:  # lie in the TCP header (data offset, flags, options)
        if len(f) > 54:
            i = rnd.choice([46, 47, 54, 55, 56, 57])
            f[i % len(f)] = rnd.randrange(256)
    else:  # random bytes behind a plausible header
        f = f[:14] + bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 1500)))
    return bytes(f)


def main():
    mode, iface, dmac, dip = sys.argv[1], sys.argv[2], mac(sys.argv[3]), ip4(sys.argv[4])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    smac = s.getsockname()[4][:6]
    sip = ip4(sys.argv[4].rsplit(".", 1)[0] + ".1")
    sent = 0
    if mode == "fuzz":
        seed, count = int(sys.argv[5]), int(sys.argv[6])
        rnd = random.Random(seed)
        base = valid_frames(dmac, smac, dip, sip, rnd)
        for _ in range(count):
            f = mutate(rnd.choice(base), rnd) if rnd.random() < 0.9 else \
                bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 1514)))
            try:
                s.send(f)
                sent += 1
            except OSError:
                pass
    elif mode == "blind":
        sport, dport, count = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
        rnd = random.Random(1)
        # Where the window is: the ACK field of a segment the target sends.
        s.settimeout(5)
        edge = None
        while edge is None:
            f = s.recv(2048)
            if len(f) >= 54 and f[12:14] == b"\x08\x00" and f[23] == 6:
                ihl = (f[14] & 15) * 4
                t = f[14 + ihl:]
                if struct.unpack("!HH", t[:4]) == (dport, sport):
                    edge = struct.unpack("!I", t[8:12])[0]
        for i in range(count):
            seq, ack = rnd.getrandbits(32), rnd.getrandbits(32)
            if i % 4 >= 2:
                seq = (edge + rnd.randrange(1, 30000)) & 0xFFFFFFFF
            if i % 2:
                seg = tcp(sip, dip, sport, dport, seq, ack, 0x04)  # RST
            else:
                seg = tcp(sip, dip, sport, dport, seq, ack, 0x18, b"INJECTED" * 8)
            s.send(eth(dmac, smac, 0x0800, ipv4(sip, dip, 6, seg)))
            sent += 1
    elif mode == "poison":
        claim, count = ip4(sys.argv[5]), int(sys.argv[6])
        bogus = bytes([2, 0xBA, 0xD0, 0, 0, 1])
        for _ in range(count):
            s.send(eth(dmac, bogus, 0x0806, arp(2, bogus, claim, dmac, dip)))
            sent += 1
    elif mode in ("ipid", "badsyn", "rstburst", "fragfill"):
        print(EXTRA[mode](s, smac, dmac, sip, dip, sys.argv[5:]))
        return
    print(sent)


def frames_from(s, dip, until, want):
    """IPv4 frames from dip for which want(ip_payload, ip_header) holds."""
    import time
    got = []
    while time.time() < until:
        s.settimeout(max(0.01, until - time.time()))
        try:
            f = s.recv(2048)
        except socket.timeout:
            break
        if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[26:30] == dip:
            ihl = (f[14] & 15) * 4
            if want(f[14 + ihl:], f[14:14 + ihl]):
                got.append((f[14:14 + ihl], f[14 + ihl:]))
    return got


def x_ipid(s, smac, dmac, sip, dip, args):
    import time
    ids = []
    for i in range(int(args[0])):
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x5a5a, i) + b"ipid" * 8
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        s.send(eth(dmac, smac, 0x0800, ipv4(sip, dip, 1, icmp, ident=i)))
        r = frames_from(s, dip, time.time() + 1,
                        lambda p, h: p[0] == 0 and p[4:6] == b"\x5a\x5a")
        if r:
            ids.append(struct.unpack("!H", r[0][0][4:6])[0])
    steps = sum(1 for a, b in zip(ids, ids[1:]) if 1 <= (b - a) % 65536 <= 3)
    return f"{steps} {len(ids)}"


def x_badsyn(s, smac, dmac, sip, dip, args):
    import time
    port = int(args[0])
    bad = [bytes([2, 3, 5, 0]),                        # MSS of length 3
           bytes([3, 5, 7, 0, 0, 1, 2, 4, 5, 0xB4]),   # window scale of length 5
           bytes([2, 4, 5, 0xB4, 8, 40, 0, 0]),        # timestamps past the end
           bytes([4, 2, 254, 0]),                      # SACK-ok, then length 0
           bytes([2, 4, 5, 0xB4, 4, 3, 0, 1])]         # SACK-ok of length 3
    answered = 0
    for i, o in enumerate(bad):
        sport = 41000 + i
        seg = tcp(sip, dip, sport, port, 1000 + i, 0, 0x02, opts=o)
        s.send(eth(dmac, smac, 0x0800, ipv4(sip, dip, 6, seg)))
        r = frames_from(s, dip, time.time() + 1,
                        lambda p, h, sp=sport: struct.unpack("!HH", p[:4]) == (port, sp) and p[13] & 0x12 == 0x12)
        answered += bool(r)
    return f"{answered} {len(bad)}"


def x_rstburst(s, smac, dmac, sip, dip, args):
    import time
    port, count = int(args[0]), int(args[1])
    c = socket.create_connection((socket.inet_ntoa(dip), port), timeout=5)
    lport = c.getsockname()[1]
    c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    # The server's receive edge: the ACK field of its answer.
    r = frames_from(s, dip, time.time() + 3, lambda p, h: struct.unpack("!HH", p[:4]) == (port, lport))
    edge = struct.unpack("!I", r[-1][1][8:12])[0]
    data = b""
    while b"</html>" not in data.lower():
        b = c.recv(65536)
        if not b:
            break
        data += b
    time.sleep(0.3)
    for i in range(count):
        seg = tcp(sip, dip, lport, port, (edge + 100 + i) & 0xFFFFFFFF, 0, 0x04)
        s.send(eth(dmac, smac, 0x0800, ipv4(sip, dip, 6, seg)))
    acks = frames_from(s, dip, time.time() + 0.3,
                       lambda p, h: struct.unpack("!HH", p[:4]) == (port, lport) and p[13] & 0x10)
    c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    alive = c.recv(12) == b"HTTP/1.1 200"
    return f"{len(acks)} {alive}"


def x_fragfill(s, smac, dmac, sip, dip, args):
    big = struct.pack("!BBHHH", 8, 0, 0, 7, 9) + bytes(3000)
    n = int(args[0])
    for i in range(n):
        src = sip if i % 2 else bytes([10, 66, 200, 1 + i % 250])
        s.send(eth(dmac, smac, 0x0800, ipv4(src, dip, 1, big[:1480], ident=7000 + i, frag=0x2000)))
    return n


EXTRA = {"ipid": x_ipid, "badsyn": x_badsyn, "rstburst": x_rstburst, "fragfill": x_fragfill}


if __name__ == "__main__":
    main()
