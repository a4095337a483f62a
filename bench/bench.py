#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""unideck's benchmarks: every peer serving the same files, measured in one run.

Run through `make bench` (which installs what is needed). Writes bench/RESULTS.md
and bench/ratios.svg. Each figure is the median of --runs runs of wrk, pinned:
the server on CPU 0, wrk on CPU 1 (when there are two CPUs). The servers on
kernel sockets (unideck serve, nginx, lighttpd) and unideck on TAP run side by
side with their runs interleaved; the VMs one at a time.

usage: bench/bench.py [--runs N] [--seconds S] [--peers a,b,...] [--quick]

The peer "scale" is bench/scale.py: honest requests served under slowloris
and slow read at 2,000 and 5,000 connections, for serve, TAP, image and nginx.
"""
import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIDECK = os.path.join(ROOT, "build", "unideck")
NCPU = os.cpu_count() or 1
SERVER_CPU = "0"
CLIENT_CPU = "1" if NCPU > 1 else "0"


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_http(url, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url],
                           capture_output=True, text=True)
        if r.stdout == "200":
            return True
        time.sleep(0.1)
    return False


# ---------------------------------------------------------------- the files

def prepare(work):
    """Build the store from decks/ plus the benchmark's own files, and export it."""
    decks = os.path.join(work, "decks")
    shutil.copytree(os.path.join(ROOT, "decks"), decks)
    bd = os.path.join(decks, "bench")
    os.makedirs(bd)
    with open(os.path.join(bd, "deck.md"), "w") as f:
        f.write("---\ntitle: Benchmark files\ndate: 2026-01-01\n---\n# Files for the benchmark\n")
    # 612 bytes: the size of nginx's default index.html, used by published
    # unikernel comparisons (Unikraft's nginx figures).
    with open(os.path.join(bd, "612.html"), "wb") as f:
        f.write((b"<!DOCTYPE html><title>612</title>" + b"x" * 612)[:611] + b"\n")
    with open(os.path.join(bd, "big.mp4"), "wb") as f:
        f.write(os.urandom(64 * 1024 * 1024))
    store = os.path.join(work, "decks.store")
    subprocess.run([UNIDECK, "build", decks, "-o", store, "--quiet"], check=True)
    export = os.path.join(work, "www")
    subprocess.run([UNIDECK, "export", store, export], check=True, capture_output=True)
    return store, export


def reveal_theme_path(export):
    for dirpath, _, files in os.walk(os.path.join(export, "_reveal")):
        if "black.css" in files:
            return "/" + os.path.relpath(os.path.join(dirpath, "black.css"), export)
    raise SystemExit("bench: no reveal.js theme in the store")


# ---------------------------------------------------------------- the peers

class Peer:
    name = "?"
    note = ""

    def start(self, work):
        raise NotImplementedError

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def version(self):
        return ""


class UnideckServe(Peer):
    name = "unideck serve"
    interleave = True
    note = "kernel sockets, one thread, epoll; the store mapped from its file"

    def __init__(self, store):
        self.store = store
        self.proc = None

    def start(self, work):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, UNIDECK, "serve", self.store, "--port",
             str(self.port), "--quiet"], stdout=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        return wait_http(self.base + "/")

    def version(self):
        return subprocess.run([UNIDECK, "--version"], capture_output=True, text=True).stdout.strip()


NGINX_CONF = """
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
worker_processes 1;
daemon off;
master_process on;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log error;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path {work}/nginx-tmp;
    default_type application/octet-stream;
    types {{
        text/html html; text/css css; text/javascript js mjs; application/json json;
        image/svg+xml svg; image/png png; image/jpeg jpg; font/woff2 woff2;
        video/mp4 mp4; video/webm webm; text/vtt vtt; application/pdf pdf;
        text/markdown md;
    }}
    charset utf-8;
    charset_types text/css text/javascript text/markdown text/vtt;
    gzip_static on;
    brotli_static on;
    etag on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        # add_header in a location replaces the server's, so each location says all.
        location / {{
            add_header Cache-Control no-cache;
            add_header Vary Accept-Encoding;
            add_header X-Content-Type-Options nosniff always;
            add_header X-Frame-Options SAMEORIGIN always;
            add_header Referrer-Policy strict-origin-when-cross-origin always;
        }}
        location /_reveal/ {{
            add_header Cache-Control "public, max-age=31536000, immutable";
            add_header Vary Accept-Encoding;
            add_header X-Content-Type-Options nosniff always;
            add_header X-Frame-Options SAMEORIGIN always;
            add_header Referrer-Policy strict-origin-when-cross-origin always;
        }}
    }}
}}
"""


class Nginx(Peer):
    name = "nginx"
    interleave = True
    note = "Debian's nginx, one worker, sendfile, gzip_static and brotli_static on"

    def __init__(self, export):
        self.export = export
        self.proc = None

    def start(self, work):
        self.port = free_port()
        d = os.path.join(work, "nginx")
        os.makedirs(os.path.join(d, "nginx-tmp"), exist_ok=True)
        conf = os.path.join(d, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(work=d, port=self.port, root=self.export))
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, "nginx", "-c", conf, "-p", d],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "stderr"), "w"))
        self.base = f"http://127.0.0.1:{self.port}"
        return wait_http(self.base + "/")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def version(self):
        r = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
        return r.stderr.strip().replace("nginx version: ", "")


LIGHTTPD_CONF = """
server.document-root = "{root}"
server.bind = "127.0.0.1"
server.port = {port}
server.pid-file = "{work}/lighttpd.pid"
server.errorlog = "{work}/lighttpd-error.log"
server.max-keep-alive-requests = 1000000
server.max-keep-alive-idle = 60
server.network-backend = "sendfile"
server.modules += ("mod_setenv", "mod_deflate")
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html; charset=utf-8", ".css" => "text/css; charset=utf-8",
  ".js" => "text/javascript; charset=utf-8", ".mjs" => "text/javascript; charset=utf-8",
  ".json" => "application/json", ".svg" => "image/svg+xml", ".png" => "image/png",
  ".woff2" => "font/woff2", ".mp4" => "video/mp4", ".webm" => "video/webm",
  ".vtt" => "text/vtt; charset=utf-8", ".pdf" => "application/pdf", ".md" => "text/markdown; charset=utf-8")
setenv.add-response-header = ("X-Content-Type-Options" => "nosniff",
  "X-Frame-Options" => "SAMEORIGIN", "Referrer-Policy" => "strict-origin-when-cross-origin",
  "Cache-Control" => "no-cache")
"""


class Lighttpd(Peer):
    name = "lighttpd"
    interleave = True
    note = "Debian's lighttpd, sendfile backend (it has no precompressed-file lookup)"

    def __init__(self, export):
        self.export = export
        self.proc = None

    def start(self, work):
        if not shutil.which("lighttpd"):
            return False
        self.port = free_port()
        d = os.path.join(work, "lighttpd")
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "lighttpd.conf")
        with open(conf, "w") as f:
            f.write(LIGHTTPD_CONF.format(work=d, port=self.port, root=self.export))
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, "lighttpd", "-D", "-f", conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        return wait_http(self.base + "/")

    def version(self):
        r = subprocess.run(["lighttpd", "-v"], capture_output=True, text=True)
        return r.stdout.strip().split(" - ")[0]


# ---------------------------------------------------------------- wrk

UNITS = {"": 1, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}
TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(out):
    res = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Transfer/sec:\s+([\d.]+)([KMG]?)B", out)
    res["mbps"] = float(m.group(1)) * UNITS[m.group(2)] / 1e6 if m else 0.0
    for pct in ("50", "99"):
        m = re.search(r"^\s+" + pct + r"(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        res["p" + pct] = float(m.group(1)) * TIME_UNITS[m.group(2)] if m else float("nan")
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["errors"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        res["errors"] += sum(int(x) for x in m.groups())
    return res


def wrk(url, conns, seconds, keepalive, encoding, wrap=()):
    cmd = list(wrap) + ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s",
                        "--latency", "--timeout", "10s"]
    if not keepalive:
        cmd += ["-H", "Connection: close"]
    if encoding:
        cmd += ["-H", f"Accept-Encoding: {encoding}"]
    cmd.append(url)
    r = subprocess.run(cmd, capture_output=True, text=True)
    return parse_wrk(r.stdout), " ".join(cmd[len(wrap) + 3:])


# ---------------------------------------------------------------- workloads

LARGE_RUNS = 5


def workloads(theme):
    w = []
    for path, label in (("/", "index page"), ("/bench/612.html", "612-byte file")):
        for conns in (1, 64):
            for ka in (True, False):
                w.append(dict(name=f"{label}, {conns} conn{'s' if conns > 1 else ''}, "
                                   f"keep-alive {'on' if ka else 'off'}",
                              path=path, conns=conns, keepalive=ka, encoding="br, gzip",
                              metric="rps"))
    # The large files' throughput spreads most from run to run (a median of
    # three once put unideck at 0.91x lighttpd on the 575 KB file, where the
    # medians of six runs each put it at 1.10x): at least LARGE_RUNS runs.
    w.append(dict(name="reveal.js theme (575 KB), 4 conns", path=theme, conns=4,
                  keepalive=True, encoding="", metric="mbps", runs=LARGE_RUNS))
    w.append(dict(name="64 MB video, 1 conn", path="/bench/big.mp4", conns=1, keepalive=True,
                  encoding="", metric="mbps", runs=LARGE_RUNS))
    return w


def run_group(group, wl, work, runs, seconds, results, cmds, counters):
    """Every workload against every peer of (group), started together, the runs
    interleaved (peer A, peer B, ..., A, B, ...) so that drift over the minutes
    a workload takes (the machine is a VM) falls on all of them alike."""
    started = []
    for p in group:
        log(f"bench: starting {p.name}")
        if p.start(work):
            started.append(p)
        else:
            log(f"bench: {p.name} did not start; left out")
            p.stop()
    for w in wl:
        samples = {p.name: [] for p in started}
        for _ in range(max(runs, w.get("runs", 0))):
            for p in started:
                r, cmd = wrk(p.base + w["path"], w["conns"], seconds, w["keepalive"], w["encoding"],
                             getattr(p, "wrap", ()))
                samples[p.name].append(r)
                cmds[w["name"]] = cmd
        for p in started:
            s = samples[p.name]
            med = {k: statistics.median(x[k] for x in s) for k in s[0]}
            med["errors"] = sum(x["errors"] for x in s)
            results[(w["name"], p.name)] = med
            log(f"bench: {p.name:14} {w['name']:45} "
                f"{med['rps']:10.0f} req/s {med['mbps']:9.1f} MB/s p99 {med['p99']:.2f} ms")
    for p in started:
        p.stop()
        if hasattr(p, "counters"):
            counters[p.name] = p.counters()


def run_all(peers, work, runs, seconds, theme, counters):
    """The servers on the host (interleave = True: kernel sockets and TAP) run side
    by side, each idle while another is measured; the VM peers one at a time."""
    results = {}  # (workload name, peer name) -> dict of medians
    cmds = {}
    wl = workloads(theme)
    host = [p for p in peers if getattr(p, "interleave", False)]
    # A peer that rides another (the same server over IPv6) runs in its group.
    groups = ([host] if host else []) + [
        [p] + [q for q in peers if getattr(q, "rides", None) is p]
        for p in peers if p not in host and not hasattr(p, "rides")]
    for g in groups:
        run_group(g, wl, work, runs, seconds, results, cmds, counters)
    return wl, results, cmds


# ---------------------------------------------------------------- profiles

# Where each remaining gap is explained from: (peer, workload) pairs profiled
# with perf on the server's CPU (user and kernel, the whole CPU).
PROFILES = [("unideck serve", "index page, 64 conns, keep-alive off"),
            ("nginx", "index page, 64 conns, keep-alive off"),
            ("unideck serve", "reveal.js theme (575 KB), 4 conns"),
            ("nginx", "reveal.js theme (575 KB), 4 conns"),
            ("unideck on TAP", "index page, 64 conns, keep-alive off"),
            ("unideck on TAP", "64 MB video, 1 conn")]


def perf_top(data, limit=12):
    """The hottest (command, object, symbol) rows of a perf.data file."""
    r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-g", "none",
                        "--sort", "comm,dso,symbol", "--percent-limit", "1"],
                       capture_output=True, text=True)
    rows = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+(\S+)\s+\[[.k]\]\s+(.+)$", line)
        if m:
            sym = re.sub(r"(\s+-)+\s*$", "", m.group(4)).strip()  # empty callchain columns
            rows.append((float(m.group(1)), m.group(2), m.group(3), sym))
    return rows[:limit]


def profile_all(peers, work, theme):
    """perf record of the server's CPU while wrk runs each PROFILES pair."""
    if not shutil.which("perf"):
        log("bench: perf is not installed; no profiles")
        return []
    by_name = {p.name: p for p in peers}
    wl = {w["name"]: w for w in workloads(theme)}
    out = []
    for pname, wname in PROFILES:
        p, w = by_name.get(pname), wl[wname]
        if not p:
            continue
        log(f"bench: profiling {pname} on {wname}")
        if not p.start(work):
            p.stop()
            continue
        data = os.path.join(work, "perf.data")
        cmd = list(getattr(p, "wrap", ())) + [
            "taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{w['conns']}", "-d6s"]
        if not w["keepalive"]:
            cmd += ["-H", "Connection: close"]
        if w["encoding"]:
            cmd += ["-H", f"Accept-Encoding: {w['encoding']}"]
        load = subprocess.Popen(cmd + [p.base + w["path"]], stdout=subprocess.DEVNULL)
        time.sleep(1)
        subprocess.run(["perf", "record", "-q", "-C", SERVER_CPU, "-F", "1999", "-o", data,
                        "--", "sleep", "4"], capture_output=True)
        load.wait()
        p.stop()
        out.append((pname, wname, perf_top(data)))
    return out


# ---------------------------------------------------------------- the report

def svg_chart(wl, results, pairs, path):
    rows = []
    for w in wl:
        for x, y in pairs:
            a, b = results.get((w["name"], x)), results.get((w["name"], y))
            if a and b and b[w["metric"]] > 0:
                rows.append((f"{w['name']}: {x} vs {y}", a[w["metric"]] / b[w["metric"]]))
    width, bar_h, left = 1000, 18, 560
    height = 40 + bar_h * len(rows) * 1.4
    top = max([r for _, r in rows] + [2.0])
    scale = (width - left - 60) / top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{int(height)}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="10" y="20" font-size="14">unideck: ratio to each peer (1.0 = equal, '
           f'right of the line = faster)</text>']
    x1 = left + scale
    out.append(f'<line x1="{x1:.0f}" y1="28" x2="{x1:.0f}" y2="{int(height) - 4}" stroke="#888" '
               f'stroke-dasharray="4 3"/>')
    y = 34
    for label, r in rows:
        colour = "#2a7" if r >= 1 else "#c44"
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{label}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{r * scale:.1f}" height="{bar_h}" '
                   f'fill="{colour}"/>')
        out.append(f'<text x="{left + r * scale + 4:.1f}" y="{y + 13}">{r:.2f}x</text>')
        y += bar_h * 1.4
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {NCPU} CPUs, {mem:.0f} GiB, Linux {platform.release()}"


def fmt(v, metric):
    return f"{v:,.0f} req/s" if metric == "rps" else f"{v:,.1f} MB/s"


def report_vm(L, vmfacts):
    boot, facts, accel = vmfacts.get("boot"), vmfacts.get("facts"), vmfacts.get("accel")
    if facts:
        L.append("\n## The image\n")
        L.append(f"The image without a store (build/kernel/unideck.elf, debug info stripped): "
                 f"**{facts['file'] / 1024:.0f} KiB** on disk. Its sections:\n")
        L.append("| section | bytes |")
        L.append("|---|---|")
        for k, v in sorted(facts["sections"].items(), key=lambda kv: -kv[1]):
            if v:
                L.append(f"| {k} | {v:,} |")
        L.append("\nCode by layer (text of the objects linked in):\n")
        L.append("| layer | text bytes |")
        L.append("|---|---|")
        for k, v in sorted(facts["layers"].items(), key=lambda kv: -kv[1]):
            L.append(f"| {k} | {v:,} |")
        sm = facts["smallest_mem"]
        L.append(f"\nThe smallest `--mem` that boots the default decks and serves a deck: "
                 f"**{sm} MiB**" if sm else "\nNo tried `--mem` (8 to 32 MiB) served the decks.")
        L.append(" (tried 8, 10, 12, 16, 24, 32 MiB in turn; the store of the default decks "
                 "is about 5 MB and is loaded into guest RAM).\n")
    notify = vmfacts.get("notify")
    if notify:
        L.append("\n### Interrupts and notifications\n")
        L.append("Between the image and QEMU's virtio-net device over TAP, per request, counted "
                 "by QEMU's trace (`virtio_notify`: an interrupt raised for the guest; "
                 "`virtio_queue_notify`: the guest notifying the device) during a "
                 "3 s wrk run, with event indexes (VIRTIO_F_EVENT_IDX) offered by the device "
                 "and not (its `event_idx` property). Under KVM each interrupt is host work "
                 "and often an exit, each notification an exit; the counts do not depend on "
                 "the accelerator's speed the way times do.\n")
        L.append("| workload | event indexes | requests | interrupts per request | "
                 "notifications per request |")
        L.append("|---|---|---|---|---|")
        for r in notify:
            L.append(f"| {r['workload']} | {'on' if r['event_idx'] else 'off'} | "
                     f"{r['requests']:,} | {r['irqs']:.3f} | {r['kicks']:.3f} |")
    if boot:
        L.append("\n## Boot\n")
        L.append(f"Under {accel.upper()}, medians of 9 boots (smallest to largest in parentheses). "
                 "*QEMU start to first 200*: from "
                 "starting `unideck run IMAGE` (the default decks) until an HTTP GET of / "
                 "through QEMU's user-networking port forward answers 200; a new connection "
                 "is tried every millisecond and the earlier ones are left waiting, so the "
                 "time is good to about a millisecond. *Empty kernel*: from starting "
                 "`unideck run` of a PVH kernel whose first instruction writes \"E\" to the "
                 "serial port (bench/empty.S) until the \"E\" arrives: QEMU's own start-up "
                 "cost, with the same runner. *Guest*: the kernel's own count from its first "
                 "instruction to serving (its console line); `unideck run` gives it its "
                 "address on QEMU's user network, so no DHCP.\n")
        L.append("| QEMU start to first 200 | empty kernel, QEMU start to its first output | "
                 "difference | guest, entry to serving | Linux guest (nginx), QEMU start to "
                 "first 200 |")
        L.append("|---|---|---|---|---|")
        def rng(key, scale=1.0, prec=1):
            r = boot.get(key + "_range")
            return f" ({r[0] * scale:.{prec}f} to {r[1] * scale:.{prec}f})" if r else ""
        L.append(f"| {boot['image_ms']:.1f} ms{rng('image_ms')} | "
                 f"{boot['empty_ms']:.1f} ms{rng('empty_ms')} | "
                 f"{boot['image_ms'] - boot['empty_ms']:.1f} ms | "
                 f"{boot['guest_us'] / 1000:.2f} ms{rng('guest_us', 0.001, 2)} "
                 f"| {boot['linux_ms']:.0f} ms{rng('linux_ms', 1.0, 0)} |")
    acct = vmfacts.get("account")
    if acct:
        import vm
        acc = acct["accesses"]
        total = sum(acc.values())
        kern = sum(v for k, v in acc.items() if k in vm.IN_KERNEL)
        L.append("\n### The guest's own boot work, counted\n")
        L.append("Times under TCG measure QEMU translating code, so the guest's part is also "
                 "counted, from one boot of the default decks (32 MiB, static address): "
                 "instructions by QEMU's instruction counter (`-icount shift=0`, the kernel "
                 "told its TSC runs at 1 GHz, so its microseconds read as thousands of "
                 "instructions) and device accesses by QEMU's trace "
                 "(`memory_region_ops_*`), from the kernel's first access to serving. Each "
                 "device access is a VM exit under KVM: to QEMU, or handled inside the host "
                 "kernel for the LAPIC, I/O APIC and PIC. icount counts each iteration of a "
                 "`rep stos` once (the .bss zeroing at entry is about 213k of them), and "
                 "under TCG the kernel calibrates its LAPIC timer with a 250 µs busy wait "
                 "(250k here) that KVM's TSC-deadline timer makes unnecessary.\n")
        L.append("| instructions, entry to ready | instructions, entry to serving | "
                 "device accesses | of them exits to QEMU | handled in the host kernel |")
        L.append("|---|---|---|---|---|")
        L.append(f"| {acct['ready_insns']:,} | {acct['serving_insns']:,} | {total} | "
                 f"{total - kern} | {kern} |")
        L.append("\nBy device: " + ", ".join(
            f"{vm.IN_KERNEL.get(k, k)} {v}" for k, v in sorted(acc.items(), key=lambda kv: -kv[1]))
            + ".")


# The ratios reported: each of ours against each peer it should beat.
PAIRS = [("unideck serve", "nginx"), ("unideck serve", "lighttpd"),
         ("unideck on TAP", "nginx"), ("unideck image", "Linux guest"),
         ("unideck on TAP over IPv6", "unideck on TAP"),
         ("unideck image over IPv6", "unideck image")]


def report_ipv6(L, wl, results):
    """IPv6 beside IPv4 (issue 18): the same server, the same run."""
    import vm
    rows = []
    for base in ("unideck on TAP", "unideck image"):
        for w in wl:
            a, b = results.get((w["name"], base)), results.get((w["name"], base + " over IPv6"))
            if a and b:
                rows.append((base, w, a, b))
    if rows:
        L.append("\n## IPv6 beside IPv4\n")
        L.append("The same dual-stack process (`--ip` and `--ip6`), each workload's runs over "
                 "IPv4 and IPv6 interleaved. IPv6 costs 20 more header bytes a packet, so its "
                 "MSS is 1440 against 1460: 1.4% more segments for the same bytes. The goal is "
                 "within 3%.\n")
        L.append("| server | workload | IPv4 | IPv6 | IPv6 ÷ IPv4 |")
        L.append("|---|---|---|---|---|")
        for base, w, a, b in rows:
            m = w["metric"]
            L.append(f"| {base} | {w['name']} | {fmt(a[m], m)} | {fmt(b[m], m)} | "
                     f"{b[m] / a[m]:.3f}x |" if a[m] else f"| {base} | {w['name']} | — | — | — |")
    mem = vm.ipv6_memory()
    if mem:
        L.append("\nMemory IPv6 adds to a stack at the default sizes (net/ipv6.h), from the "
                 "built binary's debug information:\n")
        L.append("| what | bytes |")
        L.append("|---|---|")
        for what, n in mem:
            L.append(f"| {what} | {n:,} |")


def report_counters(L, counters):
    rows = [(name, how, counters.get(name)) for name, how in
            (("unideck on TAP", "`unideck serve --net tap --stats`, at exit"),
             ("unideck image", "the image's `stats=1` console line, after the last run"))]
    rows = [r for r in rows if r[2] and "tcp.bytes_ref" in r[2]]
    if not rows:
        return
    L.append("\n## Copies on the send path\n")
    L.append("Counted by our stack over the whole of each peer's runs above: store bytes go out "
             "as references into the store (mapped from its file on TAP, in guest memory in the "
             "image), retransmitted from there; only response heads are copied (into the "
             "flow's send ring).\n")
    L.append("| peer | counted by | store bytes sent by reference (`tcp.bytes_ref`) | bytes "
             "copied (`tcp.bytes_copied`) | responses | copied per response (the head: status "
             "line, Date, stored headers) |")
    L.append("|---|---|---|---|---|---|")
    for name, how, c in rows:
        n = c.get("http.requests", 0)
        ref, copied = c["tcp.bytes_ref"], c.get("tcp.bytes_copied", 0)
        L.append(f"| {name} | {how} | {ref:,} | {copied:,} | {n:,} | "
                 f"{copied / max(n, 1):.0f} bytes |")
    L.append("")
    for name, _, c in rows:
        if "tcp.tso_sends" in c:
            L.append(f"Segmentation offload, {name}: {c['tcp.tso_sends']:,} frames of up to "
                     f"64 KiB handed to the device to cut (`tcp.tso_sends`), of "
                     f"{c.get('tcp.tx_segs', 0):,} TCP segments in all.\n")


def report_profiles(L, profiles):
    if not profiles:
        return
    L.append("\n## Profiles\n")
    L.append("`perf record -C 0` (the server's CPU, user and kernel) for 4 s in the middle of "
             "a 6 s wrk run; the hottest symbols, 1% and up. The analysis below reads these.\n")
    for pname, wname, rows in profiles:
        L.append(f"**{pname}**, {wname}:\n")
        L.append("| share | command | object | symbol |")
        L.append("|---|---|---|---|")
        for pct, comm, dso, sym in rows:
            L.append(f"| {pct:.1f}% | {comm} | {dso} | `{sym}` |")
        L.append("")
    analysis = os.path.join(ROOT, "bench", "analysis.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            L.append(f.read().strip() + "\n")


def report(path, wl, results, peers, cmds, args, notes, fanout=(), vmfacts=None,
           counters=None, profiles=()):
    names = [p.name for p in peers if any(k[1] == p.name for k in results)]
    pairs = [(a, b) for a, b in PAIRS if a in names and b in names]
    L = []
    L.append("# unideck benchmarks\n")
    L.append("Written by `make bench` (bench/bench.py); every figure below comes from one run "
             "of that script, on this machine, at the time given. Medians of "
             f"{args.runs} wrk runs of {args.seconds} s each ({max(args.runs, LARGE_RUNS)} for "
             "the two large files, whose throughput spreads most). unideck serve, nginx, "
             "lighttpd and unideck on TAP run side by side (each idle while another is "
             "measured), their runs of each workload interleaved, so that drift over the run "
             "falls on all of them alike; the image and the Linux guest run one at a time.\n")
    L.append(f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    L.append(f"- Machine: {machine()}")
    L.append(f"- Pinning: server on CPU {SERVER_CPU}, wrk on CPU {CLIENT_CPU} (one wrk thread)")
    for p in peers:
        if p.name in names:
            L.append(f"- {p.name}: {p.version()} ({p.note})")
    wv = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    L.append(f"- wrk: {(wv.stdout + wv.stderr).strip().splitlines()[0]}")
    L.extend(f"- {n}" for n in notes)
    L.append("\n![ratios](ratios.svg)\n")
    L.append("## Results\n")
    head = "| workload | " + " | ".join(names) + " | " + \
        " | ".join(f"{a} ÷ {b}" for a, b in pairs) + " |"
    L.append(head)
    L.append("|" + "---|" * (1 + len(names) + len(pairs)))
    for w in wl:
        row = [w["name"]]
        for n in names:
            r = results.get((w["name"], n))
            cell = fmt(r[w["metric"]], w["metric"]) if r else "—"
            if r and w["metric"] == "rps":
                cell += f" (p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms)"
            if r and r["errors"]:
                cell += f" **{r['errors']} errors**"
            row.append(cell)
        for x, y in pairs:
            a, b = results.get((w["name"], x)), results.get((w["name"], y))
            row.append(f"{a[w['metric']] / b[w['metric']]:.2f}x" if a and b and b[w["metric"]] else "—")
        L.append("| " + " | ".join(row) + " |")
    report_counters(L, counters or {})
    report_ipv6(L, wl, results)
    if fanout:
        L.append("\n## Live follow: fan-out to followers\n")
        L.append("One presenter, N followers on `/_unideck/follow/<deck>` (bench/follow.py): "
                 "for each of 30 authenticated updates, the time from the POST until the last "
                 "follower has the event, and the server's CPU time per update.\n")
        L.append("| followers | to the last follower, p50 | p99 | server CPU per update |")
        L.append("|---|---|---|---|")
        for r in fanout:
            L.append(f"| {r['followers']} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | "
                     f"{r['cpu_ms_per_update']:.2f} ms ({r['cpu_ms_per_update'] * 1000 / r['followers']:.1f} µs per follower) |")
    if vmfacts:
        report_vm(L, vmfacts)
    report_profiles(L, profiles)
    L.append("\n## Commands\n")
    L.append("Each workload ran as (URL per peer):\n")
    L.append("```")
    for w in wl:
        L.append(f"{cmds.get(w['name'], '')}")
    L.append("```\n")
    L.append("The peers' configurations are generated by bench/bench.py (NGINX_CONF, "
             "LIGHTTPD_CONF) and serve the files `unideck export` wrote from the same store, "
             "with the same headers.\n")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")
    svg_chart(wl, results, pairs, os.path.join(os.path.dirname(path), "ratios.svg"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--peers",
                    default="unideck,tap,tap6,image,image6,linux,nginx,lighttpd,follow,boot,scale")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="leave out the perf profiles")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="unideck-bench.")
    os.chmod(work, 0o755)  # nginx's workers run as www-data and must read the files
    try:
        store, export = prepare(work)
        theme = reveal_theme_path(export)
        want = args.peers.split(",")
        notes = []
        vmfacts = {}
        all_peers = {"unideck": UnideckServe(store), "nginx": Nginx(export),
                     "lighttpd": Lighttpd(export)}
        if any(n in want for n in ("tap", "tap6", "image", "image6", "linux")):
            import vm
            vm.netns_up(["ubt0", "ubt1", "ubt2"])
            all_peers["tap"] = vm.UnideckTap(store, SERVER_CPU)
            image = os.path.join(work, "decks.elf")
            subprocess.run([UNIDECK, "build", os.path.join(work, "decks"), "-o", image,
                            "--quiet", "--no-pdf"], check=True)
            accel = "kvm" if vm.kvm_usable() else "tcg"
            vmfacts["accel"] = accel
            if accel == "tcg":
                notes.append("KVM is not usable here (`unideck run`'s probe boot fails under "
                             "this machine's nested virtualisation), so the image runs under "
                             "TCG, QEMU's emulator: its figures measure emulation, not the "
                             "unikernel")
            all_peers["image"] = vm.UnideckImage(image, SERVER_CPU, accel)
            all_peers["tap6"] = vm.Over6(all_peers["tap"], "2001:db8:88:0::2")
            all_peers["image6"] = vm.Over6(all_peers["image"], "2001:db8:88:1::2")
            import linuxguest
            all_peers["linux"] = linuxguest.LinuxGuest(work, export, NGINX_CONF, SERVER_CPU, accel,
                                                       vm.NX, "ubt2", "10.88.2.2")
        peers = [all_peers[n] for n in want if n in all_peers]
        counters = {}
        wl, results, cmds = run_all(peers, work, args.runs, args.seconds, theme, counters)
        profiles = profile_all(peers, work, theme) if args.profile else []
        if "image" in want:
            log("bench: the image's interrupts and notifications, event indexes on and off")
            vmfacts["notify"] = vm.notify_counts(
                image, vmfacts["accel"], work,
                [("index page, 64 conns, keep-alive on", "/", 64),
                 ("reveal.js theme (575 KB), 4 conns", theme, 4)], SERVER_CPU, CLIENT_CPU)
        if any(n in want for n in ("tap", "tap6", "image", "image6", "linux")):
            vm.netns_down()
        if "boot" in want:
            import vm
            accel = vmfacts.get("accel") or ("kvm" if vm.kvm_usable() else "tcg")
            vmfacts["accel"] = accel
            small = os.path.join(work, "default.elf")
            subprocess.run([UNIDECK, "build", os.path.join(ROOT, "decks"), "-o", small,
                            "--quiet", "--no-pdf"], check=True)
            log("bench: boot times")
            import linuxguest
            lg, _ = linuxguest.build(os.path.join(work, "lg-boot"), export, NGINX_CONF,
                                     "10.0.2.15")
            vmfacts["boot"] = vm.boot_times(small, accel, work, linux=lg)
            vmfacts["account"] = vm.boot_account(small)
            log("bench: image size and smallest memory")
            vmfacts["facts"] = vm.image_facts(small, accel)
        fanout = []
        if "follow" in args.peers.split(","):
            import follow
            for n in (100, 1000, 4000):
                log(f"bench: live follow with {n} followers")
                fanout.append(follow.run(UNIDECK, store, n, 30, cpu=SERVER_CPU))
        report(args.out, wl, results, peers, cmds, args, notes, fanout, vmfacts, counters,
               profiles)
        if "scale" in want:
            # Hostile clients at scale (issue 14): its own namespace and servers.
            import scale
            log("bench: hostile clients at scale")
            sizes = [2000, 5000]
            sres, snotes = scale.run(sizes, 12, ["serve", "tap", "image", "nginx"])
            scale.splice(args.out, scale.section(sres, snotes, sizes, 12))
        log(f"bench: wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
