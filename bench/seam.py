#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Two measurements bench.py does not make, written as Markdown for
bench/RESULTS.md (sections "The platform seam, before and after" and "The
arm64 image").

  seam   unideck on TAP and the x86_64 image on TAP, built from two trees (the
         tree before the seam change, --before DIR, and this one), side by side
         in one netns with their wrk runs interleaved, so that the machine's
         drift falls on both alike. The figures must not fall.
  arm64  the arm64 image beside the x86_64 image, both under TCG: QEMU start to
         the first 200 (beside an empty kernel of each architecture), the
         guest's own entry to serving, and wrk on TAP. Both are emulated: the
         ratio is one of QEMU's two emulators, not of the ports.

  counts the TAP server of both trees under valgrind's callgrind: the
         instructions (user space) and system calls each request costs, by
         workload. Counts, not times: the machine's load does not move them.

usage: bench/seam.py seam --before DIR [--runs N] [--seconds S] [--out FILE]
       bench/seam.py counts --before DIR [--out FILE]
       bench/seam.py arm64 [--runs N] [--seconds S] [--boots N] [--out FILE]
Needs root (network namespaces), wrk, qemu-system-x86_64 and -aarch64."""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import vm  # noqa: E402

ROOT = bench.ROOT
# A namespace of this run's own, so parallel runs never meet.
vm.NS = f"ud-seam-{os.getpid()}"
vm.NX = ["ip", "netns", "exec", vm.NS]


def tree_cpu(pid):
    """CPU seconds (user + system) of (pid) and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                for c in f.read().split():
                    total += tree_cpu(int(c))
    except (OSError, IndexError, ValueError):
        pass
    return total


class Tap:
    """`unideck serve --net tap` of one tree's binary. Its CPU time and the
    requests it counted (--stats at exit) give CPU per request, a figure the
    machine's load moves far less than a rate."""

    def __init__(self, name, unideck, store, tap, ip):
        self.name, self.unideck, self.store, self.tap, self.ip = name, unideck, store, tap, ip
        self.base, self.wrap, self.proc = f"http://{ip}", vm.NX, None

    def start(self, work):
        self.stats = os.path.join(work, f"{self.tap}-stats.log")
        self.proc = subprocess.Popen(
            vm.NX + ["taskset", "-c", bench.SERVER_CPU, self.unideck, "serve", self.store,
                     "--net", f"tap:{self.tap}", "--ip", f"{self.ip}/24", "--quiet", "--flows",
                     "4096", "--stats"], stdout=subprocess.DEVNULL, stderr=open(self.stats, "w"))
        return vm.wait_up(self.base + "/", vm.NX)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.cpu = tree_cpu(self.proc.pid)
            self.proc.terminate()
            self.proc.wait(10)

    def counters(self):
        c = {"cpu_s": getattr(self, "cpu", 0.0)}
        with open(self.stats) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1].isdigit():
                    c[parts[0]] = int(parts[1])
        return c


class Image:
    """An image booted by `unideck run --tap` (the machine from its ELF)."""

    def __init__(self, name, unideck, image, tap, ip, accel="tcg"):
        self.name, self.unideck, self.image, self.tap, self.ip = name, unideck, image, tap, ip
        self.accel, self.base, self.wrap, self.proc = accel, f"http://{ip}", vm.NX, None

    def start(self, work):
        self.log = os.path.join(work, f"{self.tap}-image.log")
        self.proc = subprocess.Popen(
            vm.NX + ["taskset", "-c", bench.SERVER_CPU, self.unideck, "run", self.image, "--tap",
                     self.tap, "--ip", f"{self.ip}/24", "--mem", "256M", "--accel", self.accel,
                     "--append", "stats=1"],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        return vm.wait_up(self.base + "/", vm.NX, 180)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            time.sleep(1.5)  # idle, so that the last stats line counts everything
            self.cpu = tree_cpu(self.proc.pid)
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def counters(self):
        """QEMU's CPU time and the image's request count (its last stats line)."""
        c = {"cpu_s": getattr(self, "cpu", 0.0)}
        last = None
        with open(self.log) as f:
            for line in f:
                if line.startswith("stats: http "):
                    last = line
        m = re.search(r"http (\d+) requests", last or "")
        if m:
            c["http.requests"] = int(m.group(1))
        return c


def store_and_theme(work, unideck):
    bench.UNIDECK = unideck
    store, export = bench.prepare(work)
    return store, bench.reveal_theme_path(export)


def build_image(unideck, store_src, out, arch=None):
    cmd = [unideck, "build", store_src, "-o", out, "--quiet", "--no-pdf"]
    if arch:
        cmd += ["--arch", arch]
    subprocess.run(cmd, check=True)
    return out


def table(wl, results, pairs, label):
    """One row per workload; for each (new, old) pair both figures and new ÷ old."""
    head = ["workload"]
    for new, old in pairs:
        head += [old, new, f"{new} ÷ {old}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in wl:
        cells = [w["name"]]
        for new, old in pairs:
            a, b = results.get((w["name"], new)), results.get((w["name"], old))
            if not a or not b:
                cells += ["-", "-", "-"]
                continue
            k = w["metric"]
            unit = "req/s" if k == "rps" else "MB/s"
            fa = f"{a[k]:,.0f} {unit}" if k == "rps" else f"{a[k]:,.1f} {unit}"
            fb = f"{b[k]:,.0f} {unit}" if k == "rps" else f"{b[k]:,.1f} {unit}"
            if a["errors"] or b["errors"]:
                fa += f" ({a['errors']} errors)" if a["errors"] else ""
                fb += f" ({b['errors']} errors)" if b["errors"] else ""
            cells += [fb, fa, f"{a[k] / b[k]:.2f}x" if b[k] else "-"]
        rows.append("| " + " | ".join(cells) + " |")
    return f"{label}\n\n" + "\n".join(rows) + "\n"


def cpu_table(counters, pairs):
    """CPU per request over all of each server's runs, for each (new, old) pair."""
    rows = ["| server | requests served | CPU (user + system) | CPU per request |",
            "|---|---|---|---|"]
    for new, old in pairs:
        for name in (old, new):
            c = counters.get(name, {})
            n, cpu = c.get("http.requests", 0), c.get("cpu_s", 0.0)
            per = f"{cpu / n * 1e6:.1f} µs" if n else "-"
            rows.append(f"| {name} | {n:,} | {cpu:.1f} s | {per} |")
        a, b = counters.get(new, {}), counters.get(old, {})
        if a.get("http.requests") and b.get("http.requests") and b.get("cpu_s"):
            ra = a["cpu_s"] / a["http.requests"]
            rb = b["cpu_s"] / b["http.requests"]
            rows.append(f"| {new} ÷ {old} | | | {ra / rb:.2f}x |")
    return "\n".join(rows) + "\n"


def seam(args, work):
    before = os.path.abspath(args.before)
    old_bin = os.path.join(before, "build", "unideck")
    new_bin = os.path.join(ROOT, "build", "unideck")
    store, theme = store_and_theme(work, new_bin)
    decks = os.path.join(work, "decks")
    old_img = build_image(old_bin, decks, os.path.join(work, "before.elf"))
    new_img = build_image(new_bin, decks, os.path.join(work, "after.elf"))
    vm.netns_up(["ubt0", "ubt1", "ubt2", "ubt3"])
    wl = bench.workloads(theme)
    results, cmds, counters = {}, {}, {}
    try:
        bench.run_group([Tap("TAP before", old_bin, store, "ubt0", "10.88.0.2"),
                         Tap("TAP after", new_bin, store, "ubt1", "10.88.1.2")],
                        wl, work, args.runs, args.seconds, results, cmds, counters)
        bench.run_group([Image("image before", old_bin, old_img, "ubt2", "10.88.2.2"),
                         Image("image after", new_bin, new_img, "ubt3", "10.88.3.2")],
                        wl, work, args.runs, args.seconds, results, cmds, counters)
    finally:
        vm.netns_down()
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    out = [f"Written by `bench/seam.py seam` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
           f"{bench.machine()}; load average at the end {os.getloadavg()[0]:.1f} (the machine "
           f"is shared). *Before*: the tree at the fork point, built in {before}; *after*: "
           f"this tree at {rev}. Medians of {args.runs} wrk runs of {args.seconds} s "
           f"({bench.LARGE_RUNS} for the large files); the two servers of a pair run side by "
           "side with their runs interleaved. The images run under TCG (no KVM here), so "
           "their figures are QEMU's.",
           "",
           table(wl, results, [("TAP after", "TAP before")], "**unideck on TAP**:"),
           table(wl, results, [("image after", "image before")],
                 "**The x86_64 image on TAP (TCG)**:"),
           "**CPU per request**, over all of each server's runs above (the TAP server's "
           "process; QEMU's for the images, emulation included). A rate on a shared, loaded "
           "machine moves with the other work; the CPU a request costs moves much less:",
           "",
           cpu_table(counters, [("TAP after", "TAP before"), ("image after", "image before")])]
    return "\n".join(out)


def callgrind_ir(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return None


COUNT_LOADS = [("index page, keep-alive on", "/", True, 2000),
               ("index page, keep-alive off", "/", False, 500),
               ("612-byte file, keep-alive on", "/bench/612.html", True, 2000),
               ("reveal.js theme (575 KB), keep-alive on", None, True, 200)]


def count_one(unideck, store, tap, ip, theme, work, tag):
    """Instructions and system calls per request of one tree's TAP server, for
    each of COUNT_LOADS: callgrind's counters zeroed after a warm-up, dumped
    after N requests by ab; the system calls from strace -c of a second run."""
    res = {}
    out = os.path.join(work, f"cg-{tag}.out")
    srv = subprocess.Popen(vm.NX + ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                                    "--dump-instr=no", unideck, "serve", store, "--net",
                                    f"tap:{tap}", "--ip", f"{ip}/24", "--quiet"],
                           stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, f"cg-{tag}.log"), "w"))
    try:
        if not vm.wait_up(f"http://{ip}/", vm.NX, 240):
            return res
        for name, path, ka, n in COUNT_LOADS:
            url = f"http://{ip}{path or theme}"
            subprocess.run(vm.NX + ["ab", "-q", "-n", "100"] + (["-k"] if ka else []) + [url],
                           capture_output=True)
            subprocess.run(["callgrind_control", "--zero", str(srv.pid)], capture_output=True)
            r = subprocess.run(vm.NX + ["ab", "-q", "-n", str(n)] + (["-k"] if ka else []) + [url],
                               capture_output=True, text=True)
            done = re.search(r"Complete requests:\s+(\d+)", r.stdout)
            failed = re.search(r"Failed requests:\s+(\d+)", r.stdout)
            subprocess.run(["callgrind_control", "--dump=" + name.replace(" ", "_"),
                            str(srv.pid)], capture_output=True)
            dumps = sorted((os.path.join(work, f) for f in os.listdir(work)
                            if f.startswith(f"cg-{tag}.out.")), key=os.path.getmtime)
            ir = callgrind_ir(dumps[-1]) if dumps else None
            if done and ir:
                res[name] = {"n": int(done.group(1)), "ir": ir,
                             "failed": int(failed.group(1)) if failed else 0}
    finally:
        srv.terminate()
        srv.wait(60)
    # System calls: the same loads under strace -c (its own run; strace and
    # callgrind do not stack well).
    sc = os.path.join(work, f"strace-{tag}")
    for name, path, ka, n in COUNT_LOADS:
        srv = subprocess.Popen(vm.NX + ["strace", "-f", "-c", "-o", sc, unideck, "serve", store,
                                        "--net", f"tap:{tap}", "--ip", f"{ip}/24", "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            if not vm.wait_up(f"http://{ip}/", vm.NX, 120):
                continue
            url = f"http://{ip}{path or theme}"
            subprocess.run(vm.NX + ["ab", "-q", "-n", str(n)] + (["-k"] if ka else []) + [url],
                           capture_output=True, text=True)
        finally:
            # The server itself is stopped (strace then writes its summary).
            for c in children(srv.pid):
                os.kill(c, signal.SIGTERM)
            srv.wait(60)
        calls = strace_total(sc)
        if name in res and calls is not None:
            res[name]["syscalls"] = calls
            res[name]["syscalls_n"] = n
    return res


def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def strace_total(path):
    try:
        with open(path) as f:
            for line in f:
                if line.strip().endswith("total"):
                    return int(line.split()[3])  # % time, seconds, usecs/call, calls
    except (OSError, IndexError, ValueError):
        pass
    return None


def counts(args, work):
    before = os.path.abspath(args.before)
    old_bin = os.path.join(before, "build", "unideck")
    new_bin = os.path.join(ROOT, "build", "unideck")
    store, theme = store_and_theme(work, new_bin)
    vm.netns_up(["ubt0", "ubt1"])
    olds, news = [], []
    try:
        # Two rounds, alternated: how many loop turns a request takes (an ACK
        # and the next request in one turn or two) varies a little from run
        # to run, and the two rounds show by how much.
        for r in range(2):
            olds.append(count_one(old_bin, store, "ubt0", "10.88.0.2", theme, work, f"before{r}"))
            news.append(count_one(new_bin, store, "ubt1", "10.88.1.2", theme, work, f"after{r}"))
    finally:
        vm.netns_down()
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    rows = [f"Written by `bench/seam.py counts` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
            f" at {rev}. The TAP server of each tree under valgrind's callgrind: its counters "
            "zeroed after 100 warm-up requests, then N requests by ab (one connection), then "
            "dumped, so each figure is the user-space instructions of N requests divided by N "
            "(the client's and Linux's work not counted). System calls: the same N requests "
            "against a fresh server under `strace -f -c`, divided by N (start-up included, "
            "which the larger N makes small). Two rounds, alternated (round 1 / round 2); the "
            "ratio is of the rounds' means. Counts do not depend on the machine's load.",
            "",
            "| workload | N | instructions per request, before | after | after ÷ before "
            "| system calls per request, before | after |",
            "|---|---|---|---|---|---|---|"]
    def per(runs, name, key, nkey):
        v = [x[name][key] / x[name][nkey] for x in runs if name in x and key in x[name]]
        return v

    for name, _, _, n in COUNT_LOADS:
        ib, ia = per(olds, name, "ir", "n"), per(news, name, "ir", "n")
        sb, sa = per(olds, name, "syscalls", "syscalls_n"), per(news, name, "syscalls", "syscalls_n")
        if not ib or not ia:
            rows.append(f"| {name} | {n} | - | - | - | - | - |")
            continue
        fails = sum(x[name]["failed"] for x in olds + news if name in x)
        rows.append(f"| {name} | {n} | {' / '.join(f'{v:,.0f}' for v in ib)} | "
                    f"{' / '.join(f'{v:,.0f}' for v in ia)} | "
                    f"{statistics.mean(ia) / statistics.mean(ib):.3f}x | "
                    f"{' / '.join(f'{v:.2f}' for v in sb) or '-'} | "
                    f"{' / '.join(f'{v:.2f}' for v in sa) or '-'} |"
                    + (f" ({fails} failed)" if fails else ""))
    return "\n".join(rows) + "\n"


def boot_row(label, b):
    def r(k):
        lo, hi = b.get(k + "_range", (float("nan"), float("nan")))
        return f"{b[k]:.1f} ms ({lo:.1f} to {hi:.1f})"
    g = b["guest_us"] / 1000
    glo, ghi = (x / 1000 for x in b.get("guest_us_range", (float("nan"), float("nan"))))
    return (f"| {label} | {r('image_ms')} | {r('empty_ms')} | {b['image_ms'] - b['empty_ms']:.1f} ms "
            f"| {g:.2f} ms ({glo:.2f} to {ghi:.2f}) |")


def empty_arm64(work):
    src = os.path.join(ROOT, "bench", "empty-arm64.S")
    obj, elf = os.path.join(work, "empty-arm64.o"), os.path.join(work, "empty-arm64.elf")
    vm.sh("aarch64-linux-gnu-gcc", "-c", src, "-o", obj)
    vm.sh("aarch64-linux-gnu-ld", "-Ttext=0x40200000", "-e", "_start", "-z", "noexecstack",
          "--build-id=none", "-o", elf, obj)
    return elf


def arm64(args, work):
    unideck = os.path.join(ROOT, "build", "unideck")
    small_x86 = build_image(unideck, os.path.join(ROOT, "decks"), os.path.join(work, "d.elf"))
    small_a64 = build_image(unideck, os.path.join(ROOT, "decks"),
                            os.path.join(work, "d-arm64.elf"), "arm64")
    boots = {}
    for label, img, empty in (("x86_64 (microvm)", small_x86, vm.empty_kernel(work)),
                              ("arm64 (virt)", small_a64, empty_arm64(work))):
        bench.log(f"seam: boot times, {label}")
        boots[label] = vm.boot_times(img, "tcg", work, runs=args.boots, empty=empty)
    store, theme = store_and_theme(work, unideck)
    decks = os.path.join(work, "decks")
    x86 = build_image(unideck, decks, os.path.join(work, "x86.elf"))
    a64 = build_image(unideck, decks, os.path.join(work, "a64.elf"), "arm64")
    wl = [w for w in bench.workloads(theme) if w["keepalive"] or w["conns"] == 64]
    results, cmds, counters = {}, {}, {}
    vm.netns_up(["ubt0", "ubt1"])
    try:
        bench.run_group([Image("x86_64 image", unideck, x86, "ubt0", "10.88.0.2"),
                         Image("arm64 image", unideck, a64, "ubt1", "10.88.1.2")],
                        wl, work, args.runs, args.seconds, results, cmds, counters)
    finally:
        vm.netns_down()
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    out = [f"Written by `bench/seam.py arm64` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
           f"at {rev}, {bench.machine()}; load average at the end {os.getloadavg()[0]:.1f} (the "
           "machine is shared). Both architectures under TCG, QEMU's emulator (no KVM here, "
           "and an arm64 guest on an x86_64 host is emulated in any case): every figure is "
           "first of all QEMU's, and the arm64 ÷ x86_64 ratio compares QEMU's two emulators "
           "more than the two ports.",
           "",
           f"**Boot**, medians of {args.boots} boots (smallest to largest): QEMU start to first "
           "200 of the default decks through `unideck run`'s user-network port forward; an "
           "empty kernel of the same architecture (bench/empty.S, bench/empty-arm64.S: its first "
           "instructions print \"E\" and power off) from QEMU start to its \"E\"; the guest's own "
           "count from its first instruction to serving (its console line).",
           "",
           "| image | QEMU start to first 200 | empty kernel, start to its first output | "
           "difference | guest, entry to serving |",
           "|---|---|---|---|---|"]
    for label, b in boots.items():
        out.append(boot_row(label, b))
    out += ["", table(wl, results, [("arm64 image", "x86_64 image")],
                      f"**Requests on TAP**, both images with 256 MiB and one vCPU pinned to "
                      f"CPU {bench.SERVER_CPU}, wrk on CPU {bench.CLIENT_CPU}; medians of "
                      f"{args.runs} runs of {args.seconds} s, runs interleaved:")]
    return "\n".join(out)


def main():
    # A TERM (or an INT in the background, where it is ignored otherwise) ends
    # the run through the finally clauses: servers stopped, netns deleted.
    def die(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, die)
    signal.signal(signal.SIGINT, die)
    ap = argparse.ArgumentParser()
    ap.add_argument("part", choices=["seam", "arm64", "counts"])
    ap.add_argument("--before")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--boots", type=int, default=9)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.part in ("seam", "counts") and not args.before:
        ap.error("seam wants --before DIR (a tree built at the fork point)")
    work = tempfile.mkdtemp(prefix="unideck-seam.")
    os.chmod(work, 0o755)
    try:
        text = {"seam": seam, "arm64": arm64, "counts": counts}[args.part](args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
