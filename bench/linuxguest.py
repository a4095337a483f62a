# SPDX-License-Identifier: MIT
"""The deployment a user would otherwise choose: Debian's own Linux kernel booting
an initramfs that runs Debian's nginx, under the same QEMU, accelerator and TAP
networking as the unideck image. Built by the benchmark from installed Debian
packages (linux-image-amd64, nginx, busybox-static); nothing is downloaded."""
import glob
import os
import shutil
import subprocess

WANT = ["kernel/drivers/virtio/virtio_pci.ko", "kernel/drivers/net/virtio_net.ko"]


def module_order(release):
    """WANT and what they need, dependencies first, from the kernel's modules.dep."""
    deps = {}
    with open(os.path.join("/lib/modules", release, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    order = []

    def visit(m):
        if m in order:
            return
        for d in reversed(deps.get(m, [])):
            visit(d)
        order.append(m)

    for m in WANT:
        visit(m)
    return order

INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in {modules}; do [ -f "$m" ] && insmod "$m"; done
ip link set lo up
ip addr add {addr}/24 dev eth0
ip link set eth0 up
echo "guest: eth0 up, starting nginx"
exec /usr/sbin/nginx -c /etc/nginx.conf -p /run/nginx
"""


def kernel():
    k = sorted(glob.glob("/boot/vmlinuz-*"))
    return k[-1] if k else None


def libs_of(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        parts = line.split()
        for p in parts:
            if p.startswith("/"):
                libs.append(p)
    return libs


def build(work, export, nginx_conf, addr):
    """An initramfs (gzip'd newc cpio) with busybox, nginx, its libraries and
    modules, the virtio-net modules of the installed kernel, and the files."""
    vmlinuz = kernel()
    if not vmlinuz or not shutil.which("busybox") or not shutil.which("nginx"):
        return None, "needs linux-image-amd64, busybox-static and nginx installed"
    release = os.path.basename(vmlinuz)[len("vmlinuz-"):]
    root = os.path.join(work, "initramfs")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "proc", "sys", "dev", "etc", "run/nginx/tmp", "usr/sbin", "lib/modules",
              "usr/lib/nginx/modules", "var/lib/nginx/body", "var/lib/nginx/proxy",
              "var/lib/nginx/fastcgi", "var/lib/nginx/uwsgi", "var/lib/nginx/scgi",
              "var/log/nginx", "tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(shutil.which("busybox"), os.path.join(root, "bin/busybox"))
    nginx = shutil.which("nginx")
    shutil.copy(nginx, os.path.join(root, "usr/sbin/nginx"))
    mods = glob.glob("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
    for m in mods:
        shutil.copy(m, os.path.join(root, "usr/lib/nginx/modules"))
    for b in [nginx] + mods:
        for lib in libs_of(b):
            dst = os.path.join(root, lib.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(lib, dst)
    loaded = []
    for m in module_order(release):
        src = os.path.join("/lib/modules", release, m)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(root, "lib/modules"))
            loaded.append("/lib/modules/" + os.path.basename(m))
    with open(os.path.join(root, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/:/bin/sh\nwww-data:x:33:33:www-data:/:/bin/sh\n")
    with open(os.path.join(root, "etc/group"), "w") as f:
        f.write("root:x:0:\nwww-data:x:33:\n")
    conf = nginx_conf.format(work="/run/nginx", port=80, root="/www")
    conf = conf.replace("listen 127.0.0.1:80;", "listen 80;")
    conf = "user root;\n" + conf
    with open(os.path.join(root, "etc/nginx.conf"), "w") as f:
        f.write(conf)
    shutil.copytree(export, os.path.join(root, "www"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT.format(modules=" ".join(loaded), addr=addr))
    os.chmod(os.path.join(root, "init"), 0o755)
    img = os.path.join(work, "initramfs.cpio.gz")
    subprocess.run(f"cd {root} && find . | cpio -o -H newc --quiet | gzip -1 > {img}",
                   shell=True, check=True)
    return (vmlinuz, img), None


class LinuxGuest:
    name = "Linux guest"

    def __init__(self, work, export, nginx_conf, cpu, accel, wrap, tap, addr):
        self.work, self.export, self.conf = work, export, nginx_conf
        self.cpu, self.accel, self.wrap, self.tap, self.addr = cpu, accel, wrap, tap, addr
        self.base = f"http://{addr}"
        self.proc = None
        self.note = (f"Debian's Linux {os.path.basename(kernel() or '?')[8:]} and nginx in an "
                     f"initramfs, under QEMU ({accel.upper()}, q35, virtio-net-pci on TAP, one "
                     "vCPU, 1 GiB)")

    def start(self, work):
        from vm import wait_up
        built, why = build(self.work, self.export, self.conf, self.addr)
        if not built:
            self.note += f": not run, {why}"
            return False
        vmlinuz, initrd = built
        cmd = self.wrap + ["taskset", "-c", self.cpu, "qemu-system-x86_64", "-M", "q35",
                           "-accel", self.accel, "-cpu", "max" if self.accel == "tcg" else "host",
                           "-m", "1024", "-nodefaults", "-no-user-config", "-display", "none",
                           "-serial", "stdio", "-kernel", vmlinuz, "-initrd", initrd,
                           "-append", "console=ttyS0 quiet panic=-1",
                           "-netdev", f"tap,id=n0,ifname={self.tap},script=no,downscript=no",
                           "-device", "virtio-net-pci,netdev=n0"]
        self.proc = subprocess.Popen(cmd, stdout=open(os.path.join(work, "linux-guest.log"), "w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return wait_up(self.base + "/", self.wrap, 300)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def version(self):
        r = subprocess.run(["nginx", "-v"], capture_output=True, text=True)
        return r.stderr.strip().replace("nginx version: ", "")
