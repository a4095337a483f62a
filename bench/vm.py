# SPDX-License-Identifier: MIT
"""The benchmarks that need our own TCP/IP stack or a VM: unideck hosted on a TAP
device, the unideck image under QEMU with TAP networking, boot times, and the
image's size and smallest memory. Used by bench/bench.py.

Everything runs inside a network namespace of its own (ud-bench), so the only
traffic is between wrk or curl and the server under test."""
import errno
import os
import re
import shutil
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIDECK = os.path.join(ROOT, "build", "unideck")
KERNEL = os.path.join(ROOT, "build", "kernel", "unideck.elf")
TEST_KERNEL = os.path.join(ROOT, "build", "kernel", "test-kernel.elf")
NS = f"ud-bench-{os.getpid()}"  # parallel runs never share a namespace
NX = ["ip", "netns", "exec", NS]


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


def netns_up(taps):
    """The namespace with one TAP per name, 10.88.<i>.1/24 and
    2001:db8:88:<i>::1/64 on Linux's side."""
    sh("ip", "netns", "del", NS, check=False)
    sh("ip", "netns", "add", NS)
    sh(*NX, "ip", "link", "set", "lo", "up")
    for i, t in enumerate(taps):
        sh(*NX, "ip", "tuntap", "add", "dev", t, "mode", "tap")
        sh(*NX, "ip", "addr", "add", f"10.88.{i}.1/24", "dev", t)
        sh(*NX, "ip", "-6", "addr", "add", f"2001:db8:88:{i}::1/64", "dev", t, "nodad")
        sh(*NX, "ip", "link", "set", t, "up")


def netns_down():
    r = sh("ip", "netns", "pids", NS, check=False)
    for pid in r.stdout.split():
        try:
            os.kill(int(pid), 9)
        except OSError:
            pass
    time.sleep(0.2)
    sh("ip", "netns", "del", NS, check=False)


def wait_up(url, wrap, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        r = subprocess.run(wrap + ["curl", "-s", "-o", "/dev/null", "-m", "2", "-w",
                                   "%{http_code}", url], capture_output=True, text=True)
        if r.stdout == "200":
            return True
        time.sleep(0.1)
    return False


def kvm_usable():
    """What `unideck run --accel auto` picks, from its own probe."""
    r = subprocess.run(["timeout", "60", UNIDECK, "run", TEST_KERNEL, "--append", "test=probe"],
                       capture_output=True, text=True)
    m = re.search(r"on \w+ \((kvm|tcg)", r.stdout)
    return m and m.group(1) == "kvm"


class UnideckTap:
    name = "unideck on TAP"
    note = "our own TCP/IP stack in a Linux process, frames through a TAP device"
    # Measured side by side with the servers on kernel sockets: its ratio to
    # nginx is then free of the machine's drift between turns (an idle TAP
    # server sleeps in poll).
    interleave = True

    def __init__(self, store, cpu):
        self.store, self.cpu, self.proc = store, cpu, None
        self.wrap = NX
        self.base = "http://10.88.0.2"

    def start(self, work):
        self.stats = os.path.join(work, "tap-stats.log")
        self.proc = subprocess.Popen(NX + ["taskset", "-c", self.cpu, UNIDECK, "serve",
                                           self.store, "--net", "tap:ubt0", "--ip",
                                           "10.88.0.2/24", "--ip6", "2001:db8:88:0::2/64",
                                           "--quiet", "--flows", "4096",
                                           "--stats"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.stats, "w"))
        return wait_up(self.base + "/", NX)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def counters(self):
        """The stack's counters printed at exit (--stats), by name."""
        c = {}
        with open(self.stats) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    c[parts[0]] = int(parts[1])
        return c

    def version(self):
        return sh(UNIDECK, "--version").stdout.strip()


class UnideckImage:
    name = "unideck image"

    def __init__(self, image, cpu, accel):
        self.image, self.cpu, self.accel, self.proc = image, cpu, accel, None
        self.wrap = NX
        self.base = "http://10.88.1.2"
        self.note = (f"the unikernel under QEMU ({accel.upper()}, microvm, virtio-net on TAP, "
                     "one vCPU, 256 MiB)")

    def start(self, work):
        self.proc = subprocess.Popen(
            NX + ["taskset", "-c", self.cpu, UNIDECK, "run", self.image, "--tap", "ubt1",
                  "--ip", "10.88.1.2/24", "--ip6", "2001:db8:88:1::2/64", "--mem", "256M",
                  "--accel", self.accel,
                  "--append", "stats=1"],
            stdout=open(os.path.join(work, "image.log"), "w"), stderr=subprocess.STDOUT)
        self.log = os.path.join(work, "image.log")
        return wait_up(self.base + "/", NX, 120)

    def counters(self):
        """The image's own counters (stats=1: a console line a second), the
        last line, by the names `unideck serve --stats` gives them."""
        last = None
        with open(self.log) as f:
            for line in f:
                if line.startswith("stats: http "):
                    last = line
        if not last:
            return {}
        pats = {"http.requests": r"http (\d+) requests", "tcp.tx_segs": r"(\d+) segments",
                "tcp.tso_sends": r"(\d+) large", "tcp.bytes_ref": r"store bytes (\d+) by reference",
                "tcp.bytes_copied": r"by reference, (\d+) copied",
                "vnet.rx_irqs": r"(\d+) interrupts", "vnet.tx_notifies": r"(\d+) notifications"}
        c = {}
        for k, pat in pats.items():
            m = re.search(pat, last)
            if m:
                c[k] = int(m.group(1))
        return c

    def stop(self):
        if self.proc and self.proc.poll() is None:
            time.sleep(1.5)  # idle, so that the last stats line counts everything
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def version(self):
        return sh("qemu-system-x86_64", "--version").stdout.splitlines()[0]


class Over6:
    """The same server as (peer), dual stack, reached over IPv6: measured in
    the same group as (peer), its runs interleaved with (peer)'s, so the
    ratio is IPv6 against IPv4 on one process at one time (issue 18)."""

    def __init__(self, peer, addr):
        self.rides = peer
        self.name = peer.name + " over IPv6"
        self.note = f"the same process as {peer.name}, at [{addr}]"
        self.interleave = getattr(peer, "interleave", False)
        self.wrap = NX
        self.base = f"http://[{addr}]"

    def start(self, work):
        return wait_up(self.base + "/", NX, 120)

    def stop(self):
        pass

    def version(self):
        return self.rides.version()


def ipv6_memory():
    """The bytes IPv6 adds to a stack at the default sizes, from the debug
    information of the built binary: (what, bytes) rows, or [] without gdb."""
    if not shutil.which("gdb"):
        return []
    exprs = [("neighbour cache (ND6_ENTRIES entries)", "sizeof(((struct ipv6_state *)0)->nc)"),
             ("packets waiting for neighbour discovery (ND6_QUEUE)",
              "sizeof(((struct ipv6_state *)0)->q)"),
             ("reassembly (IP6_REASM_SLOTS datagrams)", "sizeof(((struct ipv6_state *)0)->r)"),
             ("all of IPv6's state (struct ipv6_state)", "sizeof(struct ipv6_state)")]
    args = ["gdb", "-batch", "-nx"]
    for _, e in exprs:
        args += ["-ex", f"print {e}"]
    r = subprocess.run(args + [os.path.join(ROOT, "build", "rel", "unideck")],
                       capture_output=True, text=True)
    vals = re.findall(r"^\$\d+ = (\d+)", r.stdout, re.M)
    if len(vals) != len(exprs):
        return []
    return [(w, int(v)) for (w, _), v in zip(exprs, vals)]


def first_200(cmd, url, timeout=60.0, then=None):
    """Seconds from starting (cmd) to the first HTTP 200 from (url), and the console.

    A new connection is opened every millisecond and the old ones are kept
    waiting, so the answer is timed to about a millisecond: QEMU's port forward
    accepts before the guest is up, and a request sent then may only be
    answered after a TCP retransmission, seconds later (one connection at a
    time with a 50 ms wait, as before, read up to 50 ms late). (then): a
    pattern the console is given a few seconds to print after the 200 (the
    image's console is written when the kernel is idle)."""
    import selectors
    import socket
    import threading
    import urllib.parse
    u = urllib.parse.urlparse(url)
    req = f"GET {u.path or '/'} HTTP/1.1\r\nHost: {u.hostname}\r\nConnection: close\r\n\r\n"
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(p.stdout.readline, "")),
                              daemon=True)
    reader.start()
    got, nxt = None, t0
    while got is None and time.monotonic() - t0 < timeout:
        now = time.monotonic()
        if now >= nxt:
            nxt = now + 0.001
            c = socket.socket()
            c.setblocking(False)
            if c.connect_ex((u.hostname, u.port)) in (0, errno.EINPROGRESS):
                sel.register(c, selectors.EVENT_WRITE, [b"", now])
            else:
                c.close()
            # Attempts older than 500 ms are given up (a slow guest, the Linux
            # one, would otherwise pile up thousands), newer ones kept waiting
            # (an answer takes a few ms once a guest is up, under TCG too).
            for key in list(sel.get_map().values()):
                if now - key.data[1] > 0.5:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
        for key, ev in sel.select(0.0002):
            c, buf = key.fileobj, key.data
            try:
                if ev & selectors.EVENT_WRITE:
                    c.send(req.encode())
                    sel.modify(c, selectors.EVENT_READ, buf)
                    continue
                d = c.recv(4096)
            except OSError:
                d = b""
            if not d:
                sel.unregister(c)
                c.close()
                continue
            buf[0] += d
            if buf[0].startswith(b"HTTP/1.1 200"):
                got = time.monotonic() - t0
                break
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    end = time.monotonic() + 5
    while then and time.monotonic() < end and not re.search(then, "".join(lines)):
        time.sleep(0.01)
    p.terminate()
    p.wait(20)
    reader.join(5)
    return got, "".join(lines)


def empty_kernel(work):
    """The smallest PVH kernel: its first instruction writes "E" to the serial
    port and asks isa-debug-exit to end the VM. Starting it is QEMU's own cost."""
    src = os.path.join(ROOT, "bench", "empty.S")
    obj, elf = os.path.join(work, "empty.o"), os.path.join(work, "empty.elf")
    sh("gcc", "-c", src, "-o", obj)
    sh("ld", "-m", "elf_x86_64", "-Ttext=0x100000", "-e", "pvh_start", "-z", "noexecstack",
       "--build-id=none", "-o", elf, obj)
    return elf


def start_up(cmd, timeout=60.0):
    """Seconds from starting (cmd) to the empty kernel's "E" on the console."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    first = None
    for line in p.stdout:
        if first is None and line.startswith(b"E"):
            first = time.monotonic() - t0
    p.wait(timeout)
    return first


def boot_times(image, accel, work, runs=9, linux=None, empty=None):
    """QEMU start to first 200 for the image; QEMU start to the first output of
    an empty kernel, both started by `unideck run`; the guest's own
    entry-to-serving from its console. Medians, with the smallest and largest
    under the key + "_range" (first touches of guest memory cost the host more
    at some moments than at others)."""
    res = {"image_ms": [], "empty_ms": [], "guest_us": [], "linux_ms": []}
    empty = empty or empty_kernel(work)
    for i in range(runs):
        port = 18000 + i
        got, out = first_200([UNIDECK, "run", image, "--port", str(port), "--accel", accel],
                             f"http://127.0.0.1:{port}/", then=r"us after entry\)")
        if got is not None:
            res["image_ms"].append(got * 1000)
        m = re.search(r"unideck: serving at \S+ \((\d+) us after entry\)", out)
        if m:
            res["guest_us"].append(int(m.group(1)))
        first = start_up([UNIDECK, "run", empty, "--accel", accel, "--port", str(18100 + i)])
        if first is not None:
            res["empty_ms"].append(first * 1000)
        if linux and i < 3:
            port = 18050 + i
            got, _ = first_200(
                ["qemu-system-x86_64", "-M", "q35", "-accel", accel, "-cpu",
                 "max" if accel == "tcg" else "host", "-m", "1024", "-nodefaults",
                 "-no-user-config", "-display", "none", "-serial", "stdio", "-kernel", linux[0],
                 "-initrd", linux[1], "-append", "console=ttyS0 quiet panic=-1",
                 "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:80",
                 "-device", "virtio-net-pci,netdev=n0"], f"http://127.0.0.1:{port}/", 120)
            if got is not None:
                res["linux_ms"].append(got * 1000)
    out = {k: statistics.median(v) if v else float("nan") for k, v in res.items()}
    out.update({k + "_range": (min(v), max(v)) for k, v in res.items() if v})
    return out


# QEMU's names for the device regions the guest touches; these three are
# emulated inside the host kernel under KVM (no exit to QEMU).
IN_KERNEL = {"apic-msi": "LAPIC", "ioapic": "I/O APIC", "pic": "PIC"}


def boot_account(image):
    """The guest's own boot work, counted rather than timed (a timing under TCG
    is QEMU translating code): one boot with QEMU's instruction counter
    (-icount shift=0: one virtual nanosecond per instruction, and tsc_khz=1000000
    so the kernel's microseconds read as thousands of instructions) and its trace
    of device accesses, each of which is a VM exit under KVM. Static address,
    selftest=ready: the kernel exits as soon as it serves."""
    trace = os.path.join(os.path.dirname(image), "boot-trace.log")
    r = subprocess.run([os.path.join(ROOT, "scripts", "pvh-qemu"), "--accel", "tcg",
                        "--net", "user", "-m", "32M", "--append",
                        "tsc_khz=1000000 ip=10.0.2.15/24 gw=10.0.2.2 selftest=ready", image,
                        "--", "-icount", "shift=0,sleep=off", "-trace", "memory_region_ops_*",
                        "-D", trace], capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    ready = re.search(r"pvh: ready in (\d+) us", out)
    serving = re.search(r"serving at \S+ \((\d+) us after entry\)", out)
    if not (ready and serving) or not os.path.exists(trace):
        return None
    names = []
    with open(trace) as f:
        for line in f:
            m = re.search(r"name '([^']*)'", line)
            if m:
                names.append(m.group(1))
    # Ours start at serial_init's first access (the firmware's fw_cfg and PCI
    # probes come before); what the exit writes (the pending console, then
    # isa-debug-exit) comes after serving.
    if "serial" not in names:
        return None
    ours = names[names.index("serial"):]
    while ours and ours[-1] in ("serial", "isa-debug-exit"):
        ours.pop()
    by = {}
    for n in ours:
        by[n] = by.get(n, 0) + 1
    return {"ready_insns": int(ready.group(1)) * 1000,
            "serving_insns": int(serving.group(1)) * 1000,
            "accesses": by}


def notify_counts(image, accel, work, paths, cpu, client_cpu, seconds=3):
    """Interrupts and notifications between the image and QEMU's virtio-net, per
    request, with event indexes offered and not (QEMU's event_idx property):
    QEMU's trace counts virtio_notify (an interrupt raised for the guest) and
    virtio_queue_notify (the guest notifying the device). Under KVM each
    interrupt is host work and often an exit, each notification an exit. The
    image on ubt1 as in the throughput runs; wrk from the namespace for (seconds)
    on each of (paths): (name, path, connections)."""
    res = []
    for name, path, conns in paths:
        for ev in ("on", "off"):
            trace = os.path.join(work, f"notify-{ev}.log")
            if os.path.exists(trace):
                os.unlink(trace)
            p = subprocess.Popen(
                NX + ["taskset", "-c", cpu, os.path.join(ROOT, "scripts", "pvh-qemu"),
                      "--accel", accel, "--net", "tap:ubt1", "-m", "256M", "--timeout", "120",
                      "--append", "ip=10.88.1.2/24", image, "--",
                      "-global", f"virtio-net-device.event_idx={ev}",
                      "-trace", "virtio_notify", "-trace", "virtio_queue_notify", "-D", trace],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            n = 0
            try:
                if wait_up("http://10.88.1.2/", NX, 120):
                    r = subprocess.run(NX + ["taskset", "-c", client_cpu, "wrk", "-t1",
                                             f"-c{conns}", f"-d{seconds}s",
                                             "http://10.88.1.2" + path],
                                       capture_output=True, text=True)
                    m = re.search(r"(\d+) requests in", r.stdout)
                    n = int(m.group(1)) if m else 0
            finally:
                # QEMU itself (pvh-qemu runs it under timeout, in a process
                # group of its own), which ends cleanly on SIGTERM and only
                # then writes out all of its trace; pvh-qemu follows.
                sh("pkill", "-TERM", "-f", "qemu-system.*" + re.escape(trace), check=False)
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    sh("pkill", "-KILL", "-f", "qemu-system.*" + re.escape(trace), check=False)
                    p.wait()
            # QEMU writes its trace out when it exits. The boot and the
            # readiness check add a handful to what wrk's requests cause.
            if not n or not os.path.exists(trace):
                continue
            irq = kick = 0
            with open(trace) as f:
                for line in f:
                    if "virtio_notify " in line:
                        irq += 1
                    elif "virtio_queue_notify " in line:
                        kick += 1
            res.append({"workload": name, "event_idx": ev == "on", "requests": n,
                        "irqs": irq / n, "kicks": kick / n})
    return res


def image_facts(image, accel):
    """Size of the image without its store, what takes it, and the smallest --mem."""
    size = os.path.getsize(KERNEL)
    secs = {}
    r = sh("size", "-A", KERNEL)
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0].startswith(".") and f[1].isdigit():
            secs[f[0]] = int(f[1])
    # What the code is: the largest object files of the image, by text size.
    objs = []
    kdir = os.path.join(ROOT, "build", "kernel")
    for d, _, files in os.walk(kdir):
        for fn in files:
            if fn.endswith(".o") and "/tests/" not in d and "ksyms" not in fn:
                p = os.path.join(d, fn)
                t = sh("size", p, check=False).stdout.splitlines()
                if len(t) > 1:
                    objs.append((int(t[1].split()[0]), os.path.relpath(p, kdir)))
    layers = {}
    for text, rel in objs:
        key = rel.replace("core/", "").split("/")[0]
        if rel.startswith("platform"):
            key = "platform/pvh"
        layers[key] = layers.get(key, 0) + text
    smallest = None
    for mem in (8, 10, 12, 16, 24, 32):
        port = 18100 + mem
        got, out = first_200([UNIDECK, "run", image, "--port", str(port), "--mem", f"{mem}M",
                              "--accel", accel], f"http://127.0.0.1:{port}/unideck/", 30)
        if got is not None:
            smallest = mem
            break
    return {"file": size, "sections": secs, "layers": layers, "smallest_mem": smallest}
