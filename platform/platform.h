/* SPDX-License-Identifier: MIT */
/* The platform interface: all that the layers above platform/ may call.
 *
 * In the spirit of Solo5's solo5.h: one contract, one folder per target
 * (platform/pvh for x86_64 VMs, platform/arm64 for arm64 VMs; hosted/ and sim/
 * for Linux and the simulation), chosen by the Makefile's per-target source
 * lists, never by #ifdef in shared code. A target calls up only through the
 * entry point, kmain(), once its devices are set up; everything the layers above
 * need from the outside world is a function here. The VM targets implement all
 * of it; hosted/ implements the clocks, randomness, console, log, exit and
 * panic, and takes frames, heap and arguments through its own structs, as sim/
 * does everything but panic (converting them is the next step: README).
 *
 * Contract:
 * - Nothing here blocks except plat_yield_until().
 * - Frames are whole Ethernet II frames without the FCS. plat_net_send() gathers
 *   one frame from (iov, n) and never blocks: when the device queue is full it
 *   returns PLAT_AGAIN and the frame is not sent. Parts marked stable are
 *   immutable for the life of the process (the content store), so a device may
 *   reference them until transmitted instead of copying them; every other part
 *   is borrowed only for the duration of the call.
 * - plat_net_recv() copies at most (cap) bytes of one frame into (buf); a frame
 *   longer than cap is dropped and counted by the platform, never truncated.
 * - Clocks are in nanoseconds. The monotonic clock starts near zero at boot and
 *   never goes back; the wall clock is Unix time and may jump.
 * - The heap is one region handed out once at start-up; layers carve their pools
 *   from it and never return memory.
 */
#ifndef UD_PLATFORM_H
#define UD_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The application's entry point, called once by the target after boot; its
 * return value is the exit status (plat_exit). app/kmain.c on the VM targets. */
int kmain(void);

enum plat_result {
	PLAT_OK = 0,
	PLAT_AGAIN,   /* nothing to receive, or no room to send: try later */
	PLAT_EINVAL,  /* bad argument (frame too long, for instance) */
	PLAT_EUNSPEC, /* the device failed */
};

struct plat_net_info {
	uint8_t mac[6];
	uint16_t mtu;     /* IP MTU, usually 1500 */
	int present;      /* 0 when the platform has no network device */
	uint32_t tso_max; /* the largest IPv4 datagram plat_net_send_tso takes; 0: none */
};

uint64_t plat_clock_monotonic_ns(void);
uint64_t plat_clock_wall_ns(void);

void plat_net_info(struct plat_net_info *info);
struct plat_iov {
	const void *p;
	size_t len;
	int stable; /* nonzero: immutable for the life of the process */
};

enum plat_result plat_net_send(const struct plat_iov *iov, size_t n);
/* One large TCP frame for the device to cut into frames of (mss) payload bytes
 * (segmentation offload, when plat_net_info's tso_max is set): (hdr_len) bytes
 * of Ethernet, IPv4 and TCP headers, the TCP header at (csum_start), its
 * checksum field at (csum_offset) holding the pseudo-header sum. PLAT_EINVAL
 * when the device cannot take this frame (then the caller cuts it). */
enum plat_result plat_net_send_tso(const struct plat_iov *iov, size_t n, uint16_t mss,
                                   uint16_t hdr_len, uint16_t csum_start, uint16_t csum_offset);
enum plat_result plat_net_recv(void *buf, size_t cap, size_t *len);

/* Sleep until a frame may be waiting or (deadline_ns) on the monotonic clock has
 * passed, whichever is first. Spurious wake-ups are allowed. */
void plat_yield_until(uint64_t deadline_ns);

void plat_console_write(const char *buf, size_t len);
_Noreturn void plat_exit(int code);
/* An invariant of ours failed (lib/assert.h): report (what) at (file, line)
 * with what the platform knows (a backtrace in a VM) and exit non-zero. */
_Noreturn void plat_panic(const char *file, int line, const char *what);

/* The heap region: [*base, *base + *len). Called once. */
void plat_heap(void **base, size_t *len);

/* The command line, NUL-terminated; an empty string when there is none. */
const char *plat_cmdline(void);

/* The arguments built into the image (`unideck build --append`), read after the
 * loader's command line; an empty string when there are none. */
const char *plat_image_args(void);

/* The content store linked into the image: false when there is none. Read-only
 * memory for the life of the process (stable for plat_net_send). */
bool plat_image_store(const uint8_t **p, size_t *len);

/* A line for the operator (console or stderr), printf-style with the kernel's
 * formats (%s %.*s %u %lu %x %lx %zu %02x). */
void plat_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Nanoseconds since the target's first instruction (0 when it cannot say). */
uint64_t plat_uptime_ns(void);

/* The network device's counters, for stats lines. */
struct plat_net_stats {
	uint64_t rx_frames, rx_irqs, tx_frames, tx_notifies, tx_copied;
};
void plat_net_stats(struct plat_net_stats *st);

/* Fill (buf) with (len) unpredictable bytes: RDRAND/RDSEED or a TSC-seeded mix in
 * the kernel, getrandom() when hosted, the seed in simulation. */
void plat_random(void *buf, size_t len);

/* Fill (buf) with (len) bytes from a true entropy source, for keys and seeds
 * (TLS): RDSEED/RDRAND and virtio-rng (both mixed when there are both) on the
 * VM targets. False when there is no such source or it failed: the caller must
 * not use the bytes. May spin for a while (a rate-limited device): start-up
 * only. VM targets only so far. */
bool plat_entropy(void *buf, size_t len);
/* The sources plat_entropy() uses, for the console: "rdrand and virtio-rng",
 * "virtio-rng", "none", ... */
const char *plat_entropy_source(void);

/* The boot module (`unideck run --cert/--key`: QEMU's -initrd, a PVH module or
 * a multiboot2 module): copied at boot into kernel memory, with the loader's
 * copy zeroed at once. Given once: the caller owns (*p, *len), must wipe it
 * when done, and a second call returns false. False when there is none. */
bool plat_boot_module(uint8_t **p, size_t *len);

/* The state disk (`unideck run --state FILE`: a virtio-blk drive; the format
 * is lib/sdisk.h's, two checksummed slots): one blob of at most
 * SDISK_PAYLOAD_MAX bytes kept across boots, the ACME state (acme/state.h).
 * It holds private keys: the platform never prints its bytes, only what was
 * wrong with it. Synchronous (polled I/O; a 40 KiB state is milliseconds
 * under KVM, more under TCG): start-up and renewal only. VM targets only.
 * - plat_state_present(): a drive of at least SDISK_SIZE bytes is there.
 * - plat_state_read(): PLAT_OK with the blob in (buf, *len), *len 0 when the
 *   disk is empty; PLAT_EINVAL when it holds no valid state (foreign, damaged,
 *   an unknown version, over (cap)), said on the console by reason;
 *   PLAT_EUNSPEC when there is no disk or the device failed. (buf) may hold
 *   partial bytes on failure: the caller wipes it.
 * - plat_state_write(): (buf, len) into the slot not current; PLAT_OK, or
 *   PLAT_EINVAL (too big, or a foreign disk, which is never written) or
 *   PLAT_EUNSPEC (no disk, the device failed), said on the console. */
bool plat_state_present(void);
enum plat_result plat_state_read(void *buf, size_t cap, size_t *len);
enum plat_result plat_state_write(const void *buf, size_t len);

#endif
