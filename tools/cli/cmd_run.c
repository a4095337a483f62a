/* SPDX-License-Identifier: MIT */
/* `unideck run IMAGE`: boot a unideck image under QEMU, KVM when it works. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "app/ktls.h"
#include "lib/sdisk.h"
#include "tools/cli/cli.h"
#include "tools/image/disk.h"
#include "tools/image/host_tsc.h"

static const char help[] =
        "usage: unideck run IMAGE [--port 8080] [--tap NAME] [--mem 32M]\n"
        "                   [--machine microvm|q35|virt|virt-pci] [--accel auto|kvm|tcg]\n"
        "                   [options]\n"
        "\n"
        "Boot a unideck image (made by `unideck build DECKS -o IMAGE.elf`) under\n"
        "QEMU: KVM when /dev/kvm works (a probe boot checks it; the answer is kept\n"
        "ten minutes), TCG otherwise. The kernel's console is printed here; Ctrl-C\n"
        "stops the VM. The exit status is the kernel's.\n"
        "\n"
        "  -p, --port N       with user networking (the default), forward\n"
        "                     127.0.0.1:N to the guest's port 80 (default 8080;\n"
        "                     0 picks a free port, named on the first line);\n"
        "                     the guest is 10.0.2.15, set statically (no DHCP\n"
        "                     exchange at boot; --append dhcp asks QEMU's DHCP)\n"
        "  --tap NAME         a TAP device instead (the guest asks DHCP unless --ip)\n"
        "  --ip A.B.C.D/N     with --tap: a static address for the guest\n"
        "  --gw G             with --tap: the static gateway\n"
        "  --ip6 ADDR/N       with --tap: a static IPv6 address (else SLAAC, when a\n"
        "                     router advertises; the guest prints every URL)\n"
        "  --gw6 G            with --tap: the IPv6 default router\n"
        "  --slaac 0|1        with --tap: SLAAC on or off (default 1)\n"
        "  -m, --mem SIZE     guest memory (default: the image's size plus 64M,\n"
        "                     so that a large store still leaves room to run)\n"
        "  -M, --machine M    x86_64 images: microvm (default; virtio-mmio) or q35\n"
        "                     (virtio-pci); arm64 images (chosen from the ELF header,\n"
        "                     booted by qemu-system-aarch64 -M virt): virt (default;\n"
        "                     virtio-mmio) or virt-pci (virtio-pci on its ECAM)\n"
        "  --accel A          auto (default), kvm or tcg\n"
        "  --append ARGS      more kernel command line (log=debug, token=...)\n"
        "  --qemu PATH        the QEMU binary (default qemu-system-x86_64, or\n"
        "                     qemu-system-aarch64 for an arm64 image)\n"
        "\n"
        "A disk (IMAGE.img, .raw or .qcow2 from unideck build) boots through firmware\n"
        "on q35 (128M unless --mem; the disk is not written: snapshot=on):\n"
        "  --firmware F       bios (SeaBIOS, default) or uefi (OVMF, Secure Boot off)\n"
        "  --disk-bus B       virtio (default) or ahci\n"
        "The kernel command line is then the disk's grub.cfg (README: Disk images).\n"
        "  -v, --verbose      print the QEMU command line\n"
        "\n"
        "HTTPS (the guest's TLS 1.2 by BearSSL; the key never enters the image):\n"
        "  --cert FILE        certificate chain, PEM, leaf first; with --key the guest\n"
        "                     serves HTTPS on 443 and a 308 to https on 80\n"
        "  --key FILE         its private key, PEM (PKCS#8, EC P-256/384/521 or RSA);\n"
        "                     both reach the guest at boot as a module (-initrd), from a\n"
        "                     private file that is zeroed and removed once QEMU has it\n"
        "  --port N           with --cert: 127.0.0.1:N to the guest's 443 (default 8443)\n"
        "  --http-port N      with --cert: 127.0.0.1:N to the guest's 80 (default: none;\n"
        "                     0 picks a free port, named on the first line)\n"
        "  --no-hsts          no Strict-Transport-Security header (the guest's hsts=0)\n"
        "  --rng virtio|off   the guest's entropy device (default virtio with --cert:\n"
        "                     virtio-rng; the guest refuses TLS without entropy)\n"
        "  --cpu MODEL        QEMU's -cpu (default host under KVM, max under TCG)\n"
        "\n"
        "State that outlives a boot (ELF images; never part of the image):\n"
        "  --state FILE       a private file (mode 0600, created zeroed at 128 KiB when\n"
        "                     missing) the guest sees as a virtio-blk drive: two\n"
        "                     checksummed slots, so a write cut short keeps the last\n"
        "                     good copy (README: State disk). It holds keys: keep it\n"
        "                     out of backups you share, and out of the repository\n";

#define MAX_ARGS   64
/* The user network (QEMU's slirp), spelt out rather than left to QEMU's
 * defaults, since the guest is told its address. */
#define USER_NET   "10.0.2.0/24"
#define USER_GW    "10.0.2.2"
#define USER_GUEST "10.0.2.15"
#define OVMF_CODE  "/usr/share/OVMF/OVMF_CODE.fd"

struct argv {
	char *v[MAX_ARGS];
	int n;
};

static void add(struct argv *a, const char *s)
{
	if (a->n < MAX_ARGS - 1) {
		a->v[a->n++] = strdup(s);
		a->v[a->n] = NULL;
	}
}

static void argv_free(struct argv *a)
{
	while (a->n)
		free(a->v[--a->n]);
}

/* Run QEMU on (a); with (console) NULL its output is discarded. Returns the
 * kernel's exit status when its "pvh: exit status N" line was seen, else -1
 * with the raw wait status in *raw. */
/* The QEMU child, for the stop handler: Ctrl-C reaches QEMU by itself through
 * the terminal's process group, but a kill(1) of unideck run must be passed on. */
static volatile pid_t qemu_pid;
static volatile sig_atomic_t stopping;
/* The boot module with the key, removed once the guest runs (QEMU has read
 * it by then) or QEMU is gone. */
static const char *module_to_drop;

/* Zero the module file's bytes, then remove it and its private directory. */
static void drop_module(void)
{
	static char zero[4096];
	struct stat st;
	const char *path = module_to_drop;
	int fd;

	if (!path)
		return;
	module_to_drop = NULL;
	if ((fd = open(path, O_WRONLY)) >= 0) {
		if (fstat(fd, &st) == 0)
			for (off_t done = 0; done < st.st_size;) {
				size_t n = (size_t)(st.st_size - done) < sizeof zero
				                   ? (size_t)(st.st_size - done)
				                   : sizeof zero;
				ssize_t w = write(fd, zero, n);
				if (w <= 0)
					break;
				done += w;
			}
		fsync(fd);
		close(fd);
	}
	unlink(path);
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		rmdir(dir);
	}
}

/* (path) whole into (*buf), at most (max) bytes; 0 or an errno. */
static int slurp(const char *path, char **buf, size_t *len, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return errno;
	*buf = malloc(max + 1);
	if (!*buf) {
		fclose(f);
		return ENOMEM;
	}
	n = fread(*buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		explicit_bzero(*buf, max + 1);
		free(*buf);
		return EFBIG;
	}
	*len = n;
	return 0;
}

static int run_qemu(struct argv *a, FILE *console, int timeout_s, int *raw)
{
	int fds[2], code = -1, status = 0;
	char line[1024];
	size_t used = 0;
	time_t end = time(NULL) + timeout_s;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execvp(a->v[0], a->v);
		fprintf(stderr, "cannot run %s: %s\n", a->v[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	qemu_pid = pid;
	for (;;) {
		char c;
		ssize_t n;
		if (timeout_s && time(NULL) > end) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(fds[0], &c, 1);
		if (n <= 0)
			break;
		if (c == '\r')
			continue;
		if (console)
			fputc(c, console);
		if (c == '\n' || used == sizeof line - 1) {
			int v;
			line[used] = 0;
			if (sscanf(line, "pvh: exit status %d", &v) == 1 ||
			    sscanf(line, "arm64: exit status %d", &v) == 1)
				code = v; /* the last one seen */
			/* The guest runs: QEMU has loaded the module. */
			if (!strncmp(line, "pvh: ", 5) || !strncmp(line, "arm64: ", 7))
				drop_module();
			used = 0;
			if (console)
				fflush(console);
		} else {
			line[used++] = c;
		}
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	*raw = status;
	return code;
}

/* KVM works when the image itself, booted with "probe", runs its SSE and memory
 * check quickly (a software KVM that traps every access does not). The answer
 * is cached for ten minutes. */
static bool kvm_works(const char *qemu, const char *image)
{
	const char *cache = "/tmp/unideck-accel.cache";
	struct stat st;
	struct argv a = {{NULL}, 0};
	char got[8] = "";
	FILE *f;
	int raw = 0, code;

	if (access("/dev/kvm", R_OK | W_OK) != 0)
		return false;
	if (stat(cache, &st) == 0 && time(NULL) - st.st_mtime < 600 && (f = fopen(cache, "r"))) {
		if (fgets(got, sizeof got, f) &&
		    (!strncmp(got, "kvm", 3) || !strncmp(got, "tcg", 3))) {
			fclose(f);
			return !strncmp(got, "kvm", 3);
		}
		fclose(f);
	}
	add(&a, qemu);
	add(&a, "-accel");
	add(&a, "kvm");
	add(&a, "-M");
	add(&a, "microvm");
	add(&a, "-cpu");
	add(&a, "host");
	add(&a, "-m");
	add(&a, "64M");
	add(&a, "-nodefaults");
	add(&a, "-no-user-config");
	add(&a, "-display");
	add(&a, "none");
	add(&a, "-serial");
	add(&a, "stdio");
	add(&a, "-no-reboot");
	add(&a, "-device");
	add(&a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	add(&a, "-kernel");
	add(&a, image);
	add(&a, "-append");
	add(&a, "probe");
	code = run_qemu(&a, NULL, 5, &raw);
	argv_free(&a);
	if ((f = fopen(cache, "w"))) {
		fputs(code == 42 ? "kvm\n" : "tcg\n", f);
		fclose(f);
	}
	return code == 42;
}

struct run_opts {
	const char *image, *tap, *ip, *gw, *mem, *machine, *accel, *append, *qemu;
	int port;
	bool verbose;
	/* A disk: booted by firmware rather than -kernel. */
	enum disk_fmt disk;
	const char *firmware, *bus;
	bool machine_set, mem_set;
	const char *ip6, *gw6, *slaac; /* with --tap: the image's ip6=, gw6=, slaac= */
	bool arm64;                    /* the image's ELF machine is EM_AARCH64 */
	const char *cert, *key, *rng, *cpu;
	const char *state; /* --state: the state disk's file */
	int http_port;     /* with --cert: forwarded to the guest's 80 (-1: none, 0: any free) */
	bool port_set, no_hsts;
	char module[PATH_MAX]; /* the boot module written for --cert/--key, or "" */
	size_t module_len;
};

/* Guest memory when --mem is not given: the image is loaded whole (its store
 * is in it) and the kernel needs room beside it for its tables, flows and
 * buffers, so 64 MiB more than the image, in whole MiB: the kernel sizes its
 * flows from what it gets, and 64 MiB hold over 10,000 connections (each
 * costs about 2.3 KiB; rings are lent while data moves). A 30 MB image under a
 * flat 32M stopped at once. With TLS, 32 MiB more for the engines' record
 * buffers (app/ktls.h gives a third of the heap to TLS connections, 57 KiB
 * each). */
static const char *default_mem(const char *image, bool tls)
{
	static char buf[32];
	struct stat st;
	unsigned long long mib = 0;

	if (stat(image, &st) == 0 && st.st_size > 0)
		mib = ((unsigned long long)st.st_size + (1u << 20) - 1) >> 20;
	snprintf(buf, sizeof buf, "%lluM", mib + 64 + (tls ? 32 : 0));
	return buf;
}

/* The image's architecture from its ELF header's e_machine: 62 x86-64, 183
 * AArch64 (little-endian ELF64 both); -1 when it is neither. */
static int image_arch(const char *path, bool *arm64)
{
	unsigned char h[20];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(h, 1, sizeof h, f) : 0;

	if (f)
		fclose(f);
	if (n < sizeof h || memcmp(h, "\177ELF", 4) != 0 || h[4] != 2 || h[5] != 1)
		return -1;
	unsigned machine = h[18] | (unsigned)h[19] << 8;
	if (machine != 62 && machine != 183)
		return -1;
	*arm64 = machine == 183;
	return 0;
}

/* --cert/--key: the boot module (app/ktls.h has its format) in a private
 * directory, in RAM when /dev/shm is there. 0, or the exit status after a
 * message naming the file. */
static int write_module(struct run_opts *o)
{
	char *cert = NULL, *key = NULL, dir[PATH_MAX - 16];
	size_t cl = 0, kl = 0;
	uint8_t head[16];
	int e, fd, rc = 1;
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");

	if ((e = slurp(o->cert, &cert, &cl, KTLS_CERT_MAX)) != 0) {
		cli_error("run", 1, "--cert %s: %s", o->cert,
		          e == EFBIG ? "larger than 64 KiB" : strerror(e));
		return 1;
	}
	if ((e = slurp(o->key, &key, &kl, KTLS_KEY_MAX)) != 0) {
		cli_error("run", 1, "--key %s: %s", o->key,
		          e == EFBIG ? "larger than 16 KiB" : strerror(e));
		goto out;
	}
	cert[cl] = key[kl] = 0;
	if (!strstr(cert, "-----BEGIN CERTIFICATE-----")) {
		cli_error("run", 1, "--cert %s: no PEM certificate in it", o->cert);
		goto out;
	}
	if (!strstr(key, "PRIVATE KEY-----")) {
		cli_error("run", 1, "--key %s: no PEM private key in it", o->key);
		goto out;
	}
	snprintf(dir, sizeof dir, "%s/unideck-run.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		cli_error("run", 1, "%s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(o->module, sizeof o->module, "%s/tls-module", dir);
	fd = open(o->module, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	memcpy(head, KTLS_MAGIC, 8);
	for (int i = 0; i < 4; i++) {
		head[8 + i] = (uint8_t)(cl >> (8 * i));
		head[12 + i] = (uint8_t)(kl >> (8 * i));
	}
	module_to_drop = o->module;
	if (fd < 0 || write(fd, head, sizeof head) != (ssize_t)sizeof head ||
	    write(fd, cert, cl) != (ssize_t)cl || write(fd, key, kl) != (ssize_t)kl) {
		cli_error("run", 1, "%s: %s", o->module, strerror(errno));
		if (fd >= 0)
			close(fd);
		drop_module();
		goto out;
	}
	close(fd);
	o->module_len = sizeof head + cl + kl;
	rc = 0;
out:
	if (key) {
		explicit_bzero(key, kl);
		free(key);
	}
	free(cert);
	return rc;
}

/* (s) for a QEMU option value: its commas doubled, into (out, cap); false
 * when it does not fit. */
static bool qemu_quote(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s; s++) {
		if (n + 3 > cap)
			return false;
		if (*s == ',')
			out[n++] = ',';
		out[n++] = *s;
	}
	out[n] = '\0';
	return true;
}

/* --state FILE: made (0600, zeroed, SDISK_SIZE) when missing; else it must be
 * a regular file or a block device of at least SDISK_SIZE bytes. A file others
 * can read is used, with a warning: it holds private keys. */
static int prepare_state(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd >= 0) {
		if (ftruncate(fd, SDISK_SIZE) != 0) {
			int e = errno;
			close(fd);
			unlink(path);
			return cli_error("run", 1, "--state %s: %s", path, strerror(e));
		}
		close(fd);
		fprintf(stderr, "unideck run: %s: a new state disk (%u KiB)\n", path,
		        SDISK_SIZE / 1024);
		return 0;
	}
	if (errno != EEXIST)
		return cli_error("run", 1, "--state %s: %s", path, strerror(errno));
	if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return cli_error("run", 1, "--state %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		close(fd);
		return cli_error("run", 1, "--state %s: not a regular file or a block device",
		                 path);
	}
	off_t size = S_ISBLK(st.st_mode) ? lseek(fd, 0, SEEK_END) : st.st_size;
	close(fd);
	if (size < (off_t)SDISK_SIZE)
		return cli_error("run", 1,
		                 "--state %s: %lld bytes, and a state disk takes %u (remove it "
		                 "and a new one is made)",
		                 path, (long long)size, SDISK_SIZE);
	if (S_ISREG(st.st_mode) && (st.st_mode & 077))
		fprintf(stderr,
		        "unideck run: warning: --state %s is open to others (mode %03o) and "
		        "holds private keys: chmod 600 %s\n",
		        path, (unsigned)(st.st_mode & 0777), path);
	return 0;
}

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	if (qemu_pid > 0)
		kill(qemu_pid, SIGTERM);
}

static int parse(struct run_opts *o, int argc, char **argv)
{
	const char *v;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		if ((r = cli_value("run", argc, argv, &i, "--port", 'p', &v)) != 0) {
			if (r > 0 && !cli_port(v, &o->port))
				return cli_error("run", 2,
				                 "--port takes 0 (any free one) to 65535, not '%s'",
				                 v);
			o->port_set = true;
		} else if ((r = cli_value("run", argc, argv, &i, "--http-port", 0, &v)) != 0) {
			if (r > 0 && !cli_port(v, &o->http_port))
				return cli_error(
				        "run", 2,
				        "--http-port takes 0 (any free one) to 65535, not '%s'", v);
		} else if ((r = cli_value("run", argc, argv, &i, "--cert", 0, &v)) != 0) {
			o->cert = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--key", 0, &v)) != 0) {
			o->key = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--rng", 0, &v)) != 0) {
			if (r > 0 && strcmp(v, "virtio") != 0 && strcmp(v, "off") != 0)
				return cli_error("run", 2, "--rng is virtio or off, not '%s'", v);
			o->rng = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--cpu", 0, &v)) != 0) {
			o->cpu = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--state", 0, &v)) != 0) {
			o->state = v;
		} else if (cli_flag(argv[i], "--no-hsts", 0)) {
			o->no_hsts = true;
		} else if ((r = cli_value("run", argc, argv, &i, "--tap", 0, &v)) != 0) {
			o->tap = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--ip", 0, &v)) != 0) {
			o->ip = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--gw", 0, &v)) != 0) {
			o->gw = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--ip6", 0, &v)) != 0) {
			o->ip6 = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--gw6", 0, &v)) != 0) {
			o->gw6 = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--slaac", 0, &v)) != 0) {
			if (r > 0 && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
				return cli_error("run", 2, "--slaac takes 0 or 1, not '%s'", v);
			o->slaac = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--mem", 'm', &v)) != 0) {
			o->mem = v;
			o->mem_set = true;
		} else if ((r = cli_value("run", argc, argv, &i, "--machine", 'M', &v)) != 0) {
			o->machine = v;
			o->machine_set = true;
		} else if ((r = cli_value("run", argc, argv, &i, "--firmware", 0, &v)) != 0) {
			o->firmware = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--disk-bus", 0, &v)) != 0) {
			o->bus = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--accel", 0, &v)) != 0) {
			o->accel = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--append", 0, &v)) != 0) {
			o->append = v;
		} else if ((r = cli_value("run", argc, argv, &i, "--qemu", 0, &v)) != 0) {
			o->qemu = v;
		} else if (cli_flag(argv[i], "--verbose", 'v')) {
			o->verbose = true;
		} else if (argv[i][0] == '-') {
			return cli_error("run", 2, "unknown option %s (see unideck run --help)",
			                 argv[i]);
		} else if (!o->image) {
			o->image = argv[i];
		} else {
			return cli_error("run", 2, "one image at a time");
		}
		if (r < 0)
			return 2;
	}
	if (!o->image)
		return cli_error("run", 2, "usage: unideck run IMAGE (see --help)");
	if (!o->cert != !o->key)
		return cli_error("run", 2, "--cert and --key go together");
	if (!o->cert && (o->http_port >= 0 || o->no_hsts))
		return cli_error("run", 2, "--http-port and --no-hsts go with --cert and --key");
	if (o->cert && !o->port_set)
		o->port = 8443;
	/* The user network is ours to lay out, and the port forward goes to the
	 * address we give the guest there: another one would serve nothing. */
	if ((o->ip6 || o->gw6 || o->slaac) && !o->tap)
		return cli_error("run", 2, "--ip6, --gw6 and --slaac go with --tap");
	if ((o->ip || o->gw) && !o->tap)
		return cli_error(
		        "run", 2,
		        "--ip and --gw go with --tap; on the user network the guest is " USER_GUEST
		        " (reached through --port)");
	o->disk = disk_format(o->image);
	if (o->disk == DISK_GCE || o->disk == DISK_OCI)
		return cli_error("run", 2,
		                 "%s is for upload; boot the .img or .qcow2 of the same decks",
		                 o->image);
	if (o->disk == DISK_NONE && (o->firmware || o->bus))
		return cli_error("run", 2,
		                 "--firmware and --disk-bus are for disks (.img, .qcow2)");
	if (o->disk != DISK_NONE) {
		if (o->machine_set && strcmp(o->machine, "q35") != 0)
			return cli_error("run", 2, "a disk boots through firmware: --machine q35");
		if (o->append)
			return cli_error("run", 2,
			                 "a disk's kernel command line is its grub.cfg: build it "
			                 "with --append, or edit it (README: Disk images)");
		o->machine = "q35";
		if (!o->mem_set)
			o->mem = "128M";
		if (!o->firmware)
			o->firmware = "bios";
		if (!o->bus)
			o->bus = "virtio";
		if (strcmp(o->firmware, "bios") != 0 && strcmp(o->firmware, "uefi") != 0)
			return cli_error("run", 2, "--firmware is bios or uefi, not '%s'",
			                 o->firmware);
		if (strcmp(o->bus, "virtio") != 0 && strcmp(o->bus, "ahci") != 0)
			return cli_error("run", 2, "--disk-bus is virtio or ahci, not '%s'",
			                 o->bus);
		if (strcmp(o->firmware, "uefi") == 0 && access(OVMF_CODE, R_OK) != 0)
			return cli_error("run", 1, "%s: not there (Debian: ovmf)", OVMF_CODE);
	}
	if (access(o->image, R_OK) != 0)
		return cli_error("run", 1, "%s: %s", o->image, strerror(errno));
	/* A disk holds an x86_64 kernel behind GRUB; an ELF says its own machine. */
	if (o->disk == DISK_NONE && image_arch(o->image, &o->arm64) != 0)
		return cli_error("run", 1, "%s: not an x86-64 or arm64 unideck image", o->image);
	if (!o->qemu)
		o->qemu = o->arm64 ? "qemu-system-aarch64" : "qemu-system-x86_64";
	if (!o->machine)
		o->machine = o->arm64 ? "virt" : "microvm";
	if (o->arm64 && strcmp(o->machine, "virt") != 0 && strcmp(o->machine, "virt-pci") != 0)
		return cli_error("run", 2,
		                 "--machine is virt (virtio-mmio) or virt-pci for an arm64 image, "
		                 "not '%s'",
		                 o->machine);
	if (!o->arm64 && strcmp(o->machine, "microvm") != 0 && strcmp(o->machine, "q35") != 0)
		return cli_error("run", 2, "--machine is microvm or q35, not '%s'", o->machine);
	if (strcmp(o->accel, "auto") != 0 && strcmp(o->accel, "kvm") != 0 &&
	    strcmp(o->accel, "tcg") != 0)
		return cli_error("run", 2, "--accel is auto, kvm or tcg, not '%s'", o->accel);
	if (o->state && strlen(o->state) > 400) /* doubled commas and all, in a 1 KiB option */
		return cli_error("run", 2, "--state: a path that long is not one QEMU takes");
	if (o->state && o->disk != DISK_NONE)
		return cli_error("run", 2,
		                 "--state goes with an ELF image: a disk boots from a snapshot "
		                 "and its first drive is itself");
	if (o->cert && o->disk != DISK_NONE)
		return cli_error("run", 2,
		                 "--cert boots an ELF image (a PVH module); a disk's modules "
		                 "are its grub.cfg's");
	if (!o->mem)
		o->mem = default_mem(o->image, o->cert != NULL);
	return -1;
}

/* The QEMU command line for (o) under (accel). */
static void command(const struct run_opts *o, const char *accel, struct argv *a)
{
	char buf[1024], cmdline[1024];
	/* (parse set both; the defaults again for the analyser's sake) */
	const char *machine = o->machine ? o->machine : o->arm64 ? "virt" : "microvm";
	const char *qemu = o->qemu    ? o->qemu
	                   : o->arm64 ? "qemu-system-aarch64"
	                              : "qemu-system-x86_64";
	bool mmio = strcmp(machine, "microvm") == 0 || strcmp(machine, "virt") == 0;

	add(a, qemu);
	add(a, "-accel");
	add(a, accel);
	add(a, "-M");
	add(a, o->arm64 ? "virt" : o->machine);
	add(a, "-cpu");
	add(a, o->cpu ? o->cpu : strcmp(accel, "kvm") == 0 ? "host" : "max");
	add(a, "-m");
	add(a, o->mem ? o->mem : default_mem(o->image, o->cert != NULL));
	add(a, "-nodefaults");
	add(a, "-no-user-config");
	add(a, "-display");
	add(a, "none");
	add(a, "-serial");
	add(a, "stdio");
	add(a, "-no-reboot");
	if (!o->arm64) { /* arm64: the status comes from the console line */
		add(a, "-device");
		add(a, "isa-debug-exit,iobase=0xf4,iosize=0x04");
	}
	if (o->tap)
		snprintf(buf, sizeof buf, "tap,id=n0,ifname=%s,script=no,downscript=no", o->tap);
	else
		snprintf(buf, sizeof buf,
		         "user,id=n0,net=" USER_NET ",host=" USER_GW ",dhcpstart=" USER_GUEST
		         ",hostfwd=tcp:127.0.0.1:%d-" USER_GUEST ":%d",
		         o->port, o->cert ? 443 : 80);
	if (!o->tap && o->cert && o->http_port >= 0)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
		         ",hostfwd=tcp:127.0.0.1:%d-" USER_GUEST ":80", o->http_port);
	add(a, "-netdev");
	add(a, buf);
	add(a, "-device");
	add(a, mmio ? "virtio-net-device,netdev=n0" : "virtio-net-pci,netdev=n0");
	if (o->disk != DISK_NONE) {
		/* Firmware, GRUB, then the kernel's multiboot2 entry: the command
		 * line is the disk's own. QEMU's user DHCP gives the guest USER_GUEST. */
		if (strcmp(o->firmware, "uefi") == 0) {
			add(a, "-drive");
			add(a, "if=pflash,format=raw,unit=0,readonly=on,file=" OVMF_CODE);
		}
		snprintf(buf, sizeof buf, "file=%s,format=%s,if=none,id=d0,snapshot=on", o->image,
		         o->disk == DISK_QCOW2 ? "qcow2" : "raw");
		add(a, "-drive");
		add(a, buf);
		add(a, "-device");
		add(a, strcmp(o->bus, "ahci") == 0 ? "ide-hd,drive=d0,bus=ide.0"
		                                   : "virtio-blk-pci,drive=d0");
		return;
	}
	if (o->rng ? strcmp(o->rng, "virtio") == 0 : o->cert != NULL) {
		add(a, "-device");
		add(a, mmio ? "virtio-rng-device" : "virtio-rng-pci");
	}
	if (o->state) {
		/* Written through (no flush is negotiated, so QEMU's virtio-blk
		 * reports no write cache and completes a write once it is on the
		 * host's file); QEMU's image locking keeps a second run off it. */
		char q[808];
		if (!qemu_quote(o->state, q, sizeof q))
			q[0] = '\0'; /* parse refused it */
		snprintf(buf, sizeof buf, "file=%s,format=raw,if=none,id=st0,cache=writethrough",
		         q);
		add(a, "-drive");
		add(a, buf);
		add(a, "-device");
		add(a, mmio ? "virtio-blk-device,drive=st0" : "virtio-blk-pci,drive=st0");
	}
	add(a, "-kernel");
	add(a, o->image);
	/* The module: a PVH module (-initrd) on x86_64. QEMU's virt gives an
	 * initrd to Linux images only, so an arm64 image gets it loaded near the
	 * top of its RAM (from 0x40000000) and told where by bootmod=. */
	unsigned long long mod_addr = 0;
	if (o->module[0] && !o->arm64) {
		add(a, "-initrd");
		add(a, o->module);
	} else if (o->module[0]) {
		const char *m = o->mem ? o->mem : default_mem(o->image, true);
		char *end;
		unsigned long long mb = strtoull(m, &end, 10);
		if (*end == 'G' || *end == 'g')
			mb *= 1024;
		mod_addr = 0x40000000ull + (mb << 20) - (2ull << 20);
		char dev[PATH_MAX + 64];
		snprintf(dev, sizeof dev, "loader,file=%s,addr=0x%llx,force-raw=on", o->module,
		         mod_addr);
		add(a, "-device");
		add(a, dev);
	}
	/* On the user network we lay out, the guest's address is known: given
	 * statically it serves without a DHCP exchange first (2 ms of a 7 ms boot
	 * under TCG; `--append dhcp` asks anyway). Most TAP set-ups offer DHCP. */
	if (o->ip)
		snprintf(cmdline, sizeof cmdline, "ip=%s%s%s", o->ip, o->gw ? " gw=" : "",
		         o->gw ? o->gw : "");
	else if (!o->tap)
		snprintf(cmdline, sizeof cmdline, "ip=" USER_GUEST "/24 gw=" USER_GW);
	else
		snprintf(cmdline, sizeof cmdline, "dhcp");
	if (o->ip6 || o->gw6 || o->slaac)
		snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline),
		         "%s%s%s%s%s%s", o->ip6 ? " ip6=" : "", o->ip6 ? o->ip6 : "",
		         o->gw6 ? " gw6=" : "", o->gw6 ? o->gw6 : "", o->slaac ? " slaac=" : "",
		         o->slaac ? o->slaac : "");
	if (strcmp(accel, "tcg") == 0 && !o->arm64)
		snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline),
		         " tsc_khz=%lu", (unsigned long)host_tsc_khz());
	if (o->no_hsts)
		snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), " hsts=0");
	if (mod_addr)
		snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline),
		         " bootmod=%zu@0x%llx", o->module_len, mod_addr);
	/* The redirect names the port clients reach 443 by. */
	if (o->cert && !o->tap && o->port != 443)
		snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline),
		         " redirect_port=%d", o->port);
	if (o->append)
		snprintf(cmdline + strlen(cmdline), sizeof cmdline - strlen(cmdline), " %s",
		         o->append);
	add(a, "-append");
	add(a, cmdline);
}

/* Is 127.0.0.1:*port free for QEMU's port forward? Bound here the way QEMU's
 * slirp binds it (SO_REUSEADDR), so that a port QEMU would refuse is named
 * before the boot rather than left as a VM nobody can reach. Port 0 becomes
 * one the kernel picks (QEMU binds it a moment later; the window is the only
 * race left, where a guessed port meets every other listener). */
static int claim_port(int *port, const char *flag)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
	                         .sin_port = htons((uint16_t)*port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, e;

	if (fd < 0)
		return cli_error("run", 1, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		e = errno;
		close(fd);
		return cli_error("run", 1, "%s %d: 127.0.0.1:%d is not free (%s)%s", flag, *port,
		                 *port, strerror(e),
		                 e == EADDRINUSE ? "; --port 0 picks a free one" : "");
	}
	*port = ntohs(sa.sin_port);
	close(fd);
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = {.accel = "auto", .port = 8080, .http_port = -1, .disk = DISK_NONE};
	struct argv a = {{NULL}, 0};
	const char *accel;
	int rc = parse(&o, argc, argv), code, raw = 0, i;

	if (rc >= 0)
		return rc;
	if (!o.image) /* parse has said so already */
		return 2;
	/* A disk cannot be probed by itself (its command line is its own): the
	 * probe boots the kernel it was built from when it is at hand. */
	if (!o.qemu || !o.machine) /* parse set both */
		return 2;
	const char *probe = o.image;
	if (o.disk != DISK_NONE) {
		static char k[PATH_MAX + 64];
		const char *env = getenv("UNIDECK_KERNEL");
		snprintf(k, sizeof k, "%s/build/kernel/unideck.elf", cli_data_dir());
		probe = env && *env ? env : access(k, R_OK) == 0 ? k : NULL;
	}
	/* KVM runs an image of the host's own architecture only; the probe boots
	 * x86_64 images (an arm64 image on an arm64 host: --accel kvm). */
	accel = strcmp(o.accel, "auto")                         ? o.accel
	        : !o.arm64 && probe && kvm_works(o.qemu, probe) ? "kvm"
	                                                        : "tcg";
	if (!o.tap && ((rc = claim_port(&o.port, "--port")) != 0 ||
	               (o.http_port >= 0 && (rc = claim_port(&o.http_port, "--http-port")) != 0)))
		return rc;
	if (o.state && (rc = prepare_state(o.state)) != 0)
		return rc;
	if (o.cert && (rc = write_module(&o)) != 0)
		return rc;
	command(&o, accel, &a);
	if (o.verbose) {
		for (i = 0; i < a.n; i++)
			fprintf(stderr, "%s%s", i ? " " : "", a.v[i]);
		fputc('\n', stderr);
	}
	char plain[48] = "";
	if (o.http_port >= 0)
		snprintf(plain, sizeof plain, " and http://127.0.0.1:%d/", o.http_port);
	if (o.tap)
		printf("unideck: booting %s on %s (%s, TAP %s)\n", o.image, o.machine, accel,
		       o.tap);
	else
		printf("unideck: booting %s on %s (%s): %s://127.0.0.1:%d/%s (Ctrl-C stops)\n",
		       o.image, o.machine, accel, o.cert ? "https" : "http", o.port, plain);
	fflush(stdout);
	{
		/* Ctrl-C or kill: QEMU is stopped (SIGTERM) and we wait for it. */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	code = run_qemu(&a, stdout, 0, &raw);
	drop_module();
	argv_free(&a);
	if (code >= 0)
		return code;
	if (stopping)
		return 0;
	if (WIFSIGNALED(raw))
		return WTERMSIG(raw) == SIGINT ? 0 : 128 + WTERMSIG(raw);
	return cli_error("run", 1, "QEMU stopped (status %d) before the kernel said why",
	                 WIFEXITED(raw) ? WEXITSTATUS(raw) : -1);
}
