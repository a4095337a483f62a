#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTPS benchmarks: `unideck serve --cert` against nginx (OpenSSL) and Caddy on
the same files and the same ECDSA P-256 certificate, in one run.

Measured, each server pinned to CPU 0 and the client to CPU 1:
  - full handshakes per second: `openssl s_time -new` (one connection at a time,
    a new session each), and resumed ones with `-reuse` (session IDs);
  - HTTPS requests per second on keep-alive, a 612-byte file, 64 connections (wrk);
  - HTTPS MB/s for a 64 MB file (wrk, 4 connections);
  - the ClientHello flood: honest keep-alive requests per second over HTTPS and
    plain HTTP while a second client opens TLS connections and sends only a
    ClientHello (or nothing), against the same run without the flood.
And testssl.sh against `unideck serve --cert` (report kept in bench/testssl-serve.txt).

Writes the "HTTPS" section of bench/RESULTS.md (between its markers) and
bench/tls-results.json. usage: bench/tls.py [--runs N] [--seconds S] [--no-testssl]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (ROOT, UNIDECK, SERVER_CPU, CLIENT_CPU, free_port, parse_wrk,  # noqa: E402
                   log)

BEGIN = "<!-- tls.py begin -->"
END = "<!-- tls.py end -->"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def make_certs(d):
    """A test CA and an ECDSA P-256 leaf for bench.test, made for this run."""
    os.makedirs(d, exist_ok=True)
    sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", "365",
        "-subj", "/CN=unideck bench CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign"])
    with open(f"{d}/leaf.ext", "w") as f:
        # As a public CA issues them: 90 days, with where to ask about
        # revocation (testssl.sh rates a leaf without either HIGH). Nothing
        # is fetched from these names.
        f.write("subjectAltName=DNS:bench.test,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
                "crlDistributionPoints=URI:http://crl.bench.test/ca.crl\n"
                "authorityInfoAccess=OCSP;URI:http://ocsp.bench.test/\n")
    sh(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", f"{d}/leaf.key", "-out", f"{d}/leaf.csr", "-subj", "/CN=bench.test"])
    sh(["openssl", "x509", "-req", "-in", f"{d}/leaf.csr", "-CA", f"{d}/ca.pem", "-CAkey",
        f"{d}/ca.key", "-CAcreateserial", "-out", f"{d}/leaf.crt", "-days", "90", "-extfile",
        f"{d}/leaf.ext"])
    # The chain as servers want it: leaf then CA.
    with open(f"{d}/chain.pem", "w") as f:
        f.write(open(f"{d}/leaf.crt").read() + open(f"{d}/ca.pem").read())
    os.chmod(f"{d}/leaf.key", 0o644)  # nginx's and caddy's users read it; a temp dir


def prepare(work):
    decks = os.path.join(work, "decks")
    bd = os.path.join(decks, "bench")
    os.makedirs(bd)
    with open(os.path.join(bd, "deck.md"), "w") as f:
        f.write("---\ntitle: Benchmark files\ndate: 2026-01-01\n---\n# Files for the benchmark\n")
    with open(os.path.join(bd, "612.html"), "wb") as f:
        f.write((b"<!DOCTYPE html><title>612</title>" + b"x" * 612)[:611] + b"\n")
    with open(os.path.join(bd, "big.mp4"), "wb") as f:
        f.write(os.urandom(64 * 1024 * 1024))
    store = os.path.join(work, "decks.store")
    sh([UNIDECK, "build", decks, "-o", store, "--quiet", "--no-pdf"])
    export = os.path.join(work, "www")
    sh([UNIDECK, "export", store, export])
    return store, export


def wait_tls(port, ca, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca,
                            "--resolve", f"bench.test:{port}:127.0.0.1",
                            f"https://bench.test:{port}/bench/612.html"],
                           capture_output=True, text=True)
        if r.stdout == "200":
            return True
        time.sleep(0.2)
    return False


class Server:
    def __init__(self, certs):
        self.certs = certs
        self.proc = None
        self.port = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Unideck(Server):
    name = "unideck serve --cert"

    def __init__(self, certs, store):
        super().__init__(certs)
        self.store = store

    def start(self, work, http_port=None):
        self.port = free_port()
        cmd = ["taskset", "-c", SERVER_CPU, UNIDECK, "serve", self.store, "--port",
               str(self.port), "--cert", f"{self.certs}/chain.pem", "--key",
               f"{self.certs}/leaf.key", "--quiet", "--stats"]
        if http_port:
            cmd += ["--http-port", str(http_port)]
        self.err = open(os.path.join(work, "unideck-tls.stderr"), "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.err)
        return wait_tls(self.port, f"{self.certs}/ca.pem")

    def version(self):
        return sh([UNIDECK, "--version"]).stdout.strip() + " (BearSSL 0.6, Debian)"


NGINX_TLS = """
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log error;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 60s;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path {d}/tmp;
    types {{ text/html html; video/mp4 mp4; }}
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384;
    ssl_session_cache shared:SSL:1m;
    ssl_session_tickets off;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name bench.test;
        ssl_certificate {certs}/chain.pem;
        ssl_certificate_key {certs}/leaf.key;
        root {root};
        add_header Strict-Transport-Security "max-age=63072000" always;
        {extra}
    }}
}}
"""


class Nginx(Server):
    name = "nginx (OpenSSL)"

    def __init__(self, certs, export, tls12):
        super().__init__(certs)
        self.export = export
        self.tls12 = tls12
        if tls12:
            self.name = "nginx (OpenSSL, TLS 1.2)"

    def start(self, work, http_port=None):
        self.port = free_port()
        d = os.path.join(work, "nginx" + ("12" if self.tls12 else ""))
        os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
        conf = os.path.join(d, "nginx.conf")
        extra = "ssl_protocols TLSv1.2;" if self.tls12 else ""
        with open(conf, "w") as f:
            f.write(NGINX_TLS.format(d=d, port=self.port, certs=self.certs, root=self.export,
                                     extra=extra))
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, "nginx", "-c", conf, "-p", d],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(d, "stderr"), "w"))
        return wait_tls(self.port, f"{self.certs}/ca.pem")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def version(self):
        v = subprocess.run(["nginx", "-V"], capture_output=True, text=True).stderr
        m = re.search(r"nginx version: (\S+)", v)
        o = sh(["openssl", "version"]).stdout.split()[1]
        return (m.group(1) if m else "nginx") + f", OpenSSL {o}"


CADDYFILE = """{{
    admin off
    auto_https off
    default_sni bench.test
    # Never touch the machine's trust store (Caddy's local CA would be
    # installed into /usr/local/share/ca-certificates otherwise).
    skip_install_trust
}}
https://bench.test:{port}, https://127.0.0.1:{port} {{
    bind 127.0.0.1
    tls {certs}/chain.pem {certs}/leaf.key {{
        protocols tls1.2 tls1.3
    }}
    root * {root}
    file_server
    header Strict-Transport-Security "max-age=63072000"
    log {{
        output discard
    }}
}}
"""


class Caddy(Server):
    name = "Caddy"

    def __init__(self, certs, export):
        super().__init__(certs)
        self.export = export

    def start(self, work, http_port=None):
        if not shutil.which("caddy"):
            return False
        self.port = free_port()
        d = os.path.join(work, "caddy")
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "Caddyfile")
        with open(conf, "w") as f:
            f.write(CADDYFILE.format(d=d, port=self.port, certs=self.certs, root=self.export))
        env = dict(os.environ, HOME=d, XDG_DATA_HOME=d, XDG_CONFIG_HOME=d, GOMAXPROCS="1")
        self.proc = subprocess.Popen(["taskset", "-c", SERVER_CPU, "caddy", "run", "--config",
                                      conf, "--adapter", "caddyfile"], env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(d, "stderr"), "w"))
        return wait_tls(self.port, f"{self.certs}/ca.pem")

    def version(self):
        return "Caddy " + sh(["caddy", "version"]).stdout.split()[0] + " (Go crypto/tls), GOMAXPROCS=1"


# ---------------------------------------------------------------- measures

def s_time(port, seconds, reuse, ca):
    cmd = ["taskset", "-c", CLIENT_CPU, "openssl", "s_time", "-connect", f"127.0.0.1:{port}",
           "-time", str(seconds), "-CAfile", ca, "-reuse" if reuse else "-new"]
    if reuse:
        cmd += ["-tls1_2"]  # session IDs: what BearSSL resumes
    r = subprocess.run(cmd, capture_output=True, text=True)
    m = re.findall(r"(\d+) connections in ([\d.]+)s; ([\d.]+) connections/user sec", r.stdout)
    if not m:
        return 0.0
    n, real, _ = m[-1]
    return int(n) / float(real) if float(real) > 0 else 0.0


def wrk_tls(port, path, conns, seconds, threads=1):
    cmd = ["taskset", "-c", CLIENT_CPU, "wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s",
           "--latency", "--timeout", "10s", f"https://127.0.0.1:{port}{path}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return parse_wrk(r.stdout)


def wrk_http(port, path, conns, seconds):
    cmd = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--timeout",
           "10s", f"http://127.0.0.1:{port}{path}"]
    return parse_wrk(subprocess.run(cmd, capture_output=True, text=True).stdout)


def hello_bytes():
    """One TLS 1.2 ClientHello from openssl, captured once: the flood replays it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    p = subprocess.Popen(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    c, _ = srv.accept()
    c.settimeout(5)
    data = c.recv(16384)
    c.close()
    srv.close()
    p.kill()
    p.wait()
    return data


def flood(port, hello, stop, counts, conns=256):
    """Keep (conns) connections that sent a ClientHello and then nothing; when
    the server closes one, open another. Counts connections made."""
    socks = []
    while not stop.is_set():
        while len(socks) < conns and not stop.is_set():
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            socks.append([s, False])
            counts["opened"] += 1
        time.sleep(0.01)
        keep = []
        for s, sent in socks:
            try:
                if not sent:
                    s.send(hello)
                    sent = True
                d = s.recv(65536)
                if d == b"":
                    s.close()
                    continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                s.close()
                continue
            keep.append([s, sent])
        socks = keep
    for s, _ in socks:
        s.close()


def measure_flood(srv, http_port, seconds):
    hello = hello_bytes()
    out = {}
    out["https_quiet"] = wrk_tls(srv.port, "/bench/612.html", 16, seconds)["rps"]
    out["http_quiet"] = wrk_http(http_port, "/bench/612.html", 16, seconds)["rps"]
    stop = threading.Event()
    counts = {"opened": 0}
    th = threading.Thread(target=flood, args=(srv.port, hello, stop, counts))
    th.start()
    time.sleep(1)
    out["https_flood"] = wrk_tls(srv.port, "/bench/612.html", 16, seconds)["rps"]
    out["http_flood"] = wrk_http(http_port, "/bench/612.html", 16, seconds)["rps"]
    stop.set()
    th.join()
    out["flood_conns"] = counts["opened"]
    return out


def testssl(srv, certs, out_txt, ip="127.0.0.1", wrap=()):
    """testssl.sh against bench.test (deck.test with ip set) at (ip, srv.port),
    run under (wrap), e.g. ip netns exec NS; its report in out_txt and a JSON."""
    if not shutil.which("testssl"):
        return None, "testssl.sh is not installed"
    j = out_txt.replace(".txt", ".json")
    for f in (out_txt, j):
        if os.path.exists(f):
            os.remove(f)
    name = "bench.test" if ip == "127.0.0.1" else "deck.test"
    cmd = list(wrap) + ["testssl", "--quiet", "--color", "0", "--warnings", "off", "--add-ca",
                        f"{certs}/ca.pem", "--ip", ip, "--logfile", out_txt, "--jsonfile", j,
                        f"{name}:{srv.port}"]
    subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    try:
        findings = json.load(open(j))
    except (OSError, ValueError):
        return None, "testssl.sh wrote no JSON"
    bad = [f for f in findings if f.get("severity") in ("MEDIUM", "HIGH", "CRITICAL")]
    # The test CA's fingerprints and paths change every run: keep them out of git noise.
    sev = {}
    for f in findings:
        sev[f.get("severity", "?")] = sev.get(f.get("severity", "?"), 0) + 1
    return {"bad": bad, "severities": sev}, None


# ---------------------------------------------------------------- report

def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "-"


def report(path, res, versions, args, tssl, tssl_err, flood_res):
    L = [BEGIN, "## HTTPS (bench/tls.py)", ""]
    L.append(f"One run, {args.runs} repetitions each (median), {args.seconds} s per wrk run; "
             "servers on CPU 0, the client on CPU 1, loopback; one ECDSA P-256 certificate "
             "(leaf and test CA) for all. Handshakes by `openssl s_time` (one connection at "
             "a time, so client and server take turns: a latency-bound rate, the same for "
             "every server); resumed = TLS 1.2 session IDs.")
    L.append("")
    L.append(f"Load average when the run ended: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
             "(other work on the machine shares them: a high figure makes every rate here noise "
             "beyond its ratio's first digit).")
    L.append("")
    for name, v in versions.items():
        L.append(f"- {name}: {v}")
    L.append("")
    names = list(res.keys())
    base = names[0]
    metrics = [("full handshakes/s", "hs_full"), ("resumed handshakes/s", "hs_resumed"),
               ("612 B keep-alive req/s (64 conns)", "rps_612"),
               ("64 MB file MB/s (4 conns)", "mbps_big")]
    L.append("| metric | " + " | ".join(names) + " | " +
             " | ".join(f"{base} / {n}" for n in names[1:]) + " |")
    L.append("|---" * (1 + len(names) + len(names) - 1) + "|")
    for label, key in metrics:
        row = [label] + [f"{res[n].get(key, 0):.0f}" if key != "mbps_big"
                         else f"{res[n].get(key, 0):.1f}" for n in names]
        row += [ratio(res[base].get(key, 0), res[n].get(key, 0)) for n in names[1:]]
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("The versions differ: BearSSL speaks TLS 1.2 only, so nginx is measured "
             "with TLS 1.2 forced beside its default (TLS 1.3 negotiated by these "
             "clients); Caddy negotiates TLS 1.3.")
    if flood_res:
        f = flood_res
        L.append("")
        L.append("ClientHello flood against `unideck serve --cert --http-port`: 256 "
                 "connections that each send one ClientHello and then nothing, replaced "
                 "as the server closes them; honest wrk (16 keep-alive connections, 612 B) "
                 "beside it:")
        L.append("")
        L.append("| honest client | without flood req/s | during flood req/s | kept |")
        L.append("|---|---|---|---|")
        for k, lbl in (("https", "HTTPS"), ("http", "plain HTTP (the redirect port)")):
            q, fl = f[f"{k}_quiet"], f[f"{k}_flood"]
            L.append(f"| {lbl} | {q:.0f} | {fl:.0f} | {fl / q * 100 if q else 0:.0f}% |")
        L.append("")
        L.append(f"Flood connections opened during the run: {f['flood_conns']}.")
    L.append("")
    if tssl:
        L.append(f"testssl.sh 3.0.8 (Debian) against `unideck serve --cert`: findings by "
                 f"severity {json.dumps(tssl['severities'], sort_keys=True)}; medium or worse: "
                 f"{len(tssl['bad'])}" + (" (" + ", ".join(b['id'] for b in tssl['bad']) + ")"
                                          if tssl['bad'] else "") +
                 ". Full report: bench/testssl-serve.txt.")
    else:
        L.append(f"testssl.sh: not run in this run ({tssl_err}); its last report is "
                 "bench/testssl-serve.txt (`bench/tls.py --only-testssl`).")
    L.append(END)
    text = "\n".join(L) + "\n"
    old = open(path).read() if os.path.exists(path) else ""
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END) + 1:]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    with open(path, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--no-testssl", dest="testssl", action="store_false")
    ap.add_argument("--only-testssl", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="unideck-tlsbench.")
    os.chmod(work, 0o755)
    certs = os.path.join(work, "certs")
    servers = []
    try:
        make_certs(certs)
        store, export = prepare(work)
        u = Unideck(certs, store)
        tssl, tssl_err = None, "--no-testssl"
        if args.testssl:
            if not u.start(work):
                raise SystemExit("bench/tls.py: unideck serve --cert did not start")
            log("testssl.sh against unideck serve --cert (minutes)")
            tssl, tssl_err = testssl(u, certs, os.path.join(ROOT, "bench", "testssl-serve.txt"))
            u.stop()
            if args.only_testssl:
                print(json.dumps(tssl, indent=1))
                return
        servers = [u, Nginx(certs, export, False), Nginx(certs, export, True), Caddy(certs, export)]
        res, versions = {}, {}
        for s in servers:
            if not s.start(work):
                log(f"{s.name}: did not start, left out")
                s.stop()
                continue
            versions[s.name] = s.version()
            r = {"hs_full": [], "hs_resumed": [], "rps_612": [], "mbps_big": []}
            for _ in range(args.runs):
                r["hs_full"].append(s_time(s.port, args.seconds, False, f"{certs}/ca.pem"))
                r["hs_resumed"].append(s_time(s.port, args.seconds, True, f"{certs}/ca.pem"))
                r["rps_612"].append(wrk_tls(s.port, "/bench/612.html", 64, args.seconds)["rps"])
                r["mbps_big"].append(wrk_tls(s.port, "/bench/big.mp4", 4, args.seconds)["mbps"])
            res[s.name] = {k: statistics.median(v) for k, v in r.items()}
            log(s.name, res[s.name])
            s.stop()
        hp = free_port()
        flood_res = None
        if u.start(work, http_port=hp):
            flood_res = measure_flood(u, hp, args.seconds)
            u.stop()
            log("flood", flood_res)
        report(args.out, res, versions, args, tssl, tssl_err, flood_res)
        with open(os.path.join(ROOT, "bench", "tls-results.json"), "w") as f:
            json.dump({"results": res, "versions": versions, "flood": flood_res,
                       "testssl": tssl}, f, indent=1)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
