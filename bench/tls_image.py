# SPDX-License-Identifier: MIT
"""HTTPS from the unideck image against the Linux guest running nginx with TLS:
the same files, the same ECDSA P-256 certificate (made here), TLS 1.2 with the
same AEAD suites on both, the same QEMU, accelerator and TAP networking, one
run side by side. Writes bench/TLS-IMAGE.md.

  full handshakes/s   wrk, "Connection: close" (each request a new connection
                      and a full handshake: wrk does not resume), 8 connections
  keep-alive req/s    wrk, a 612-byte file, 64 connections (their 64
                      handshakes included; wrk's timeout 30 s)
  MB/s                curl, a 16 MB file, one connection

Under TCG both servers run in emulation, so the absolute figures measure QEMU
as much as the servers; the ratios are the point. The handshake's own cost in
instructions, which emulation does not distort, is bench/tls_hs.sh's.

usage: python3 bench/tls_image.py [SECONDS]   (as root: it makes a namespace)
       python3 bench/tls_image.py --testssl    testssl.sh against the image on TAP:
                                               bench/testssl-image.txt and .json"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import linuxguest  # noqa: E402
from bench import NGINX_CONF, parse_wrk  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIDECK = os.path.join(ROOT, "build", "unideck")
NS = f"ud-tlsb-{os.getpid()}"
NX = ["ip", "netns", "exec", NS]
SUITES = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305"


def sh(*cmd, check=True, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check, **kw)


def netns_up():
    sh("ip", "netns", "add", NS)
    sh(*NX, "ip", "link", "set", "lo", "up")
    for i, t in enumerate(("utb0", "utb1")):
        sh(*NX, "ip", "tuntap", "add", "dev", t, "mode", "tap")
        sh(*NX, "ip", "addr", "add", f"10.89.{i}.1/24", "dev", t)
        sh(*NX, "ip", "link", "set", t, "up")


def netns_down():
    for pid in sh("ip", "netns", "pids", NS, check=False).stdout.split():
        try:
            os.kill(int(pid), 9)
        except OSError:
            pass
    time.sleep(0.3)
    sh("ip", "netns", "del", NS, check=False)


def certs(d):
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-days", "365", "-subj", "/CN=bench-ca", "-keyout", f"{d}/ca.key",
       "-out", f"{d}/ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
       "-addext", "keyUsage=critical,keyCertSign")
    sh("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-subj", "/CN=deck.test", "-keyout", f"{d}/leaf.key", "-out", f"{d}/leaf.csr")
    with open(f"{d}/leaf.ext", "w") as f:
        # As a public CA issues them (bench/tls.py's make_certs): 90 days, with
        # where to ask about revocation, which testssl.sh rates HIGH when
        # missing. Nothing is fetched from these names.
        f.write("subjectAltName=DNS:deck.test\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
                "crlDistributionPoints=URI:http://crl.bench.test/ca.crl\n"
                "authorityInfoAccess=OCSP;URI:http://ocsp.bench.test/\n")
    sh("openssl", "x509", "-req", "-in", f"{d}/leaf.csr", "-CA", f"{d}/ca.pem", "-CAkey",
       f"{d}/ca.key", "-CAcreateserial", "-days", "90", "-extfile", f"{d}/leaf.ext",
       "-out", f"{d}/leaf.pem")


def files(work):
    decks = os.path.join(work, "decks")
    shutil.copytree(os.path.join(ROOT, "decks"), decks)
    bd = os.path.join(decks, "bench")
    os.makedirs(bd)
    with open(os.path.join(bd, "deck.md"), "w") as f:
        f.write("---\ntitle: Benchmark files\ndate: 2026-01-01\n---\n# Files\n")
    with open(os.path.join(bd, "612.html"), "wb") as f:
        f.write((b"<!DOCTYPE html><title>612</title>" + b"x" * 612)[:611] + b"\n")
    with open(os.path.join(bd, "big.bin"), "wb") as f:
        f.write(os.urandom(16 * 1024 * 1024))
    img = os.path.join(work, "decks.elf")
    sh(UNIDECK, "build", decks, "-o", img, "--quiet", "--no-pdf")
    store = os.path.join(work, "decks.store")
    sh(UNIDECK, "build", decks, "-o", store, "--quiet", "--no-pdf")
    export = os.path.join(work, "www")
    sh(UNIDECK, "export", store, export)
    return img, export


def nginx_tls_conf():
    """bench.py's nginx, with TLS 1.2 on 443 and the image's suites."""
    conf = NGINX_CONF.replace(
        "        listen 127.0.0.1:{port};\n",
        "        listen 443 ssl;\n"
        "        ssl_certificate /etc/tls/leaf.pem;\n"
        "        ssl_certificate_key /etc/tls/leaf.key;\n"
        "        ssl_protocols TLSv1.2;\n"
        f"        ssl_ciphers {SUITES};\n"
        "        ssl_prefer_server_ciphers on;\n")
    assert "listen 443 ssl" in conf
    return conf


def start_linux(work, export, d, accel):
    built, why = linuxguest.build(work, export, nginx_tls_conf(), "10.89.0.2")
    if not built:
        return None, why
    vmlinuz, initrd = built
    root = os.path.join(work, "initramfs")
    os.makedirs(os.path.join(root, "etc/tls"), exist_ok=True)
    for f in ("leaf.pem", "leaf.key"):
        shutil.copy(os.path.join(d, f), os.path.join(root, "etc/tls", f))
    subprocess.run(f"cd {root} && find . | cpio -o -H newc --quiet | gzip -1 > {initrd}",
                   shell=True, check=True)
    cmd = NX + ["qemu-system-x86_64", "-M", "q35", "-accel", accel, "-cpu",
                "max" if accel == "tcg" else "host", "-m", "1024", "-nodefaults",
                "-no-user-config", "-display", "none", "-serial", "stdio", "-kernel", vmlinuz,
                "-initrd", initrd, "-append", "console=ttyS0 quiet panic=-1", "-netdev",
                "tap,id=n0,ifname=utb0,script=no,downscript=no", "-device",
                "virtio-net-pci,netdev=n0"]
    p = subprocess.Popen(cmd, stdout=open(os.path.join(work, "linux.log"), "w"),
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return p, None


def start_image(work, img, d, accel):
    cmd = NX + [UNIDECK, "run", img, "--tap", "utb1", "--ip", "10.89.1.2/24", "--mem", "256M",
                "--accel", accel, "--cert", f"{d}/leaf.pem", "--key", f"{d}/leaf.key",
                "--append", "stats=5"]
    return subprocess.Popen(cmd, stdout=open(os.path.join(work, "image.log"), "w"),
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def wait_https(addr, d, timeout):
    end = time.time() + timeout
    while time.time() < end:
        r = subprocess.run(NX + ["curl", "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}",
                                 "--cacert", f"{d}/ca.pem", "--resolve",
                                 f"deck.test:443:{addr}", "https://deck.test/bench/612.html"],
                           capture_output=True, text=True)
        if r.stdout == "200":
            return True
        time.sleep(0.5)
    return False


def wrk(addr, conns, seconds, close):
    # wrk's default 2 s timeout would cut handshakes that 64 new connections
    # queue up under TCG (each costs the image 12 M instructions, and they
    # all progress together): 30 s, so the run measures throughput.
    cmd = NX + ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append(f"https://{addr}/bench/612.html")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    return parse_wrk(r.stdout), r.stdout


def mbps(addr, d):
    r = subprocess.run(NX + ["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download}",
                             "--cacert", f"{d}/ca.pem", "--resolve", f"deck.test:443:{addr}",
                             "https://deck.test/bench/big.bin"],
                       capture_output=True, text=True, timeout=600)
    return float(r.stdout or 0) / 1e6


def only_testssl():
    """testssl.sh against the image on TAP (issue 17): bench/testssl-image.txt
    and .json; prints the findings rated MEDIUM or worse (there must be none)."""
    from tls import testssl  # noqa: E402
    work = tempfile.mkdtemp(prefix="unideck-testssl.")
    d = os.path.join(work, "tls")
    os.makedirs(d)
    image = None
    try:
        certs(d)
        img, _ = files(work)
        netns_down()
        netns_up()
        image = start_image(work, img, d, "tcg")
        if not wait_https("10.89.1.2", d, 300):
            print("the image did not serve HTTPS", file=sys.stderr)
            return 1
        class Srv:
            port = 443
        res, err = testssl(Srv, d, os.path.join(ROOT, "bench", "testssl-image.txt"),
                           ip="10.89.1.2", wrap=NX)
        if err:
            print(err, file=sys.stderr)
            return 1
        print("severities:", res["severities"])
        for f in res["bad"]:
            print("MEDIUM or worse:", f.get("id"), f.get("severity"), f.get("finding"))
        return 1 if res["bad"] else 0
    finally:
        if image:
            image.terminate()
            try:
                image.wait(20)
            except subprocess.TimeoutExpired:
                image.kill()
        netns_down()
        shutil.rmtree(work, ignore_errors=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--testssl":
        sys.exit(only_testssl())
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    accel = "tcg"
    work = tempfile.mkdtemp(prefix="unideck-tlsbench.")
    d = os.path.join(work, "tls")
    os.makedirs(d)
    procs = []
    try:
        certs(d)
        img, export = files(work)
        netns_down()
        netns_up()
        linux, why = start_linux(work, export, d, accel)
        if linux:
            procs.append(linux)
        image = start_image(work, img, d, accel)
        procs.append(image)
        peers = [("unideck image", "10.89.1.2", True)]
        peers.append(("Linux guest + nginx", "10.89.0.2", bool(linux)))
        results = {}
        for name, addr, up in peers:
            if not up or not wait_https(addr, d, 300):
                results[name] = None
                continue
            hs, _ = wrk(addr, 8, seconds, True)
            ka, _ = wrk(addr, 64, seconds, False)
            results[name] = {"hs": hs["rps"], "hs_err": hs["errors"], "ka": ka["rps"],
                             "ka_p99": ka["p99"], "ka_err": ka["errors"], "mbps": mbps(addr, d)}
            print(name, results[name], flush=True)
        time.sleep(6)
        stats = [l for l in open(os.path.join(work, "image.log")) if l.startswith("stats: tls")]
        write(results, accel, seconds, why, stats[-1].strip() if stats else "")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        netns_down()
        shutil.rmtree(work, ignore_errors=True)


def write(results, accel, seconds, why, stats):
    u, l = results.get("unideck image"), results.get("Linux guest + nginx")
    nginx_v = sh("nginx", "-v", check=False).stderr.strip().replace("nginx version: ", "")
    out = ["# HTTPS: the unideck image against a Linux guest with nginx (one run)", "",
           f"Written by bench/tls_image.py on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
           f"QEMU {accel.upper()} (emulation: absolute numbers measure QEMU as much as the "
           "servers), TAP in a namespace of its own, wrk and curl from Linux. Both: TLS 1.2, "
           f"ECDSA P-256, suites {SUITES.replace(':', ', ')}. The image: microvm, 256 MiB. "
           f"The Linux guest: Debian's kernel and nginx {nginx_v} in an initramfs, q35, 1 GiB. "
           f"{seconds} s per wrk run.", ""]
    if not l:
        out += [f"The Linux guest did not run: {why or 'it did not answer HTTPS'}.", ""]
    out += ["| | unideck image | Linux guest + nginx | ratio |", "|---|---|---|---|"]
    rows = [("full handshakes/s (8 conns, Connection: close)", "hs", "{:.1f}"),
            ("keep-alive req/s (612 B, 64 conns)", "ka", "{:.1f}"),
            ("keep-alive p99 latency (ms)", "ka_p99", "{:.1f}"),
            ("MB/s (16 MB, one connection)", "mbps", "{:.2f}")]
    for label, k, f in rows:
        a = f.format(u[k]) if u else "-"
        b = f.format(l[k]) if l else "-"
        r = f"{u[k] / l[k]:.2f}" if u and l and l[k] else "-"
        out.append(f"| {label} | {a} | {b} | {r} |")
    errs = [f"{n}: {v['hs_err']} handshake-run errors, {v['ka_err']} keep-alive errors"
            for n, v in results.items() if v]
    out += ["", "Errors counted by wrk: " + "; ".join(errs) + ".", "",
            "The image's own counters at the end:", "", "    " + stats, ""]
    with open(os.path.join(ROOT, "bench", "TLS-IMAGE.md"), "w") as f:
        f.write("\n".join(out))
    print("\n".join(out))


if __name__ == "__main__":
    main()
