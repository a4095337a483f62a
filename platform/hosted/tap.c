/* SPDX-License-Identifier: MIT */
/* The TAP device as platform.h's network device: see platform/hosted/tap.h. */
#include "platform/hosted/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "platform/hosted/pcapw.h"
#include "platform/platform.h"

#define VNET_HDR sizeof(struct virtio_net_hdr)
#define TAP_MTU  1500u

struct watch {
	int fd;
	void (*fn)(void *ctx);
	void *ctx;
};

static struct {
	int fd, ep, err;
	bool open, tso_refused;
	/* Frames may be waiting: set when epoll says the device is readable (and
	 * at open), cleared when a read finds nothing. While clear, receiving
	 * costs no system call (a turn woken by a timer reads nothing). */
	bool maybe_rx;
	uint8_t mac[6];
	FILE *pcap;
	struct watch w[TAP_WATCH_MAX];
	unsigned n_watch;
	struct tap_stats st;
	struct plat_net_stats nst;
} tap = {.fd = -1, .ep = -1};

static bool ensure_ep(void)
{
	if (tap.ep < 0)
		tap.ep = epoll_create1(EPOLL_CLOEXEC);
	return tap.ep >= 0;
}

bool tap_open(const char *ifname, const uint8_t mac[6], FILE *pcap, char *err, size_t errlen)
{
	struct ifreq ifr;
	struct epoll_event e = {.events = EPOLLIN};

	if (tap.open) {
		snprintf(err, errlen, "tap:%s: this process already has its TAP device", ifname);
		return false;
	}
	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap:%s: interface names are at most %d bytes", ifname,
		         IFNAMSIZ - 1);
		return false;
	}
	tap.fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tap.fd < 0) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return false;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
	if (ioctl(tap.fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen,
		         "tap:%s: %s (create it first: ip tuntap add dev %s mode tap; ip link set "
		         "%s up)",
		         ifname, strerror(errno), ifname, ifname);
		goto fail;
	}
	if (!ensure_ep() || epoll_ctl(tap.ep, EPOLL_CTL_ADD, tap.fd, &e) != 0) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		goto fail;
	}
	memcpy(tap.mac, mac, 6);
	tap.pcap = pcap;
	tap.err = 0;
	tap.tso_refused = false;
	memset(&tap.st, 0, sizeof tap.st);
	memset(&tap.nst, 0, sizeof tap.nst);
	tap.open = true;
	tap.maybe_rx = true;
	return true;
fail:
	close(tap.fd);
	tap.fd = -1;
	return false;
}

void tap_close(void)
{
	if (tap.fd >= 0)
		close(tap.fd);
	if (tap.ep >= 0)
		close(tap.ep);
	tap.fd = tap.ep = -1;
	tap.n_watch = 0;
	tap.open = false;
	tap.pcap = NULL;
}

bool tap_watch(int fd, void (*fn)(void *ctx), void *ctx)
{
	struct epoll_event e = {.events = EPOLLIN};

	if (tap.n_watch == TAP_WATCH_MAX || !ensure_ep())
		return false;
	tap.w[tap.n_watch] = (struct watch){fd, fn, ctx};
	e.data.ptr = &tap.w[tap.n_watch];
	if (epoll_ctl(tap.ep, EPOLL_CTL_ADD, fd, &e) != 0)
		return false;
	tap.n_watch++;
	return true;
}

int tap_error(void)
{
	return tap.err;
}

void tap_stats(struct tap_stats *st)
{
	*st = tap.st;
}

void plat_net_info(struct plat_net_info *info)
{
	memset(info, 0, sizeof *info);
	if (!tap.open)
		return;
	memcpy(info->mac, tap.mac, 6);
	info->mtu = TAP_MTU;
	info->present = 1;
	info->tso_max = 65535;
}

void plat_net_stats(struct plat_net_stats *st)
{
	*st = tap.nst;
}

/* One frame after its virtio-net header (h). */
static enum plat_result tap_write(const struct virtio_net_hdr *h, const struct plat_iov *iov,
                                  size_t n)
{
	struct iovec v[17];
	size_t i;

	if (!tap.open)
		return PLAT_EUNSPEC;
	if (n > 16)
		return PLAT_EINVAL;
	v[0].iov_base = (void *)(uintptr_t)h;
	v[0].iov_len = VNET_HDR;
	for (i = 0; i < n; i++) {
		v[i + 1].iov_base = (void *)(uintptr_t)iov[i].p;
		v[i + 1].iov_len = iov[i].len;
	}
	if (tap.pcap)
		pcapw_frame(tap.pcap, plat_clock_wall_ns(), iov, n);
	tap.nst.tx_notifies++;
	if (writev(tap.fd, v, (int)n + 1) < 0) {
		if (errno == EINVAL && h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			/* This kernel will not take our large frames: the caller cuts
			 * this one and every later one. */
			tap.st.tso_refused++;
			tap.tso_refused = true;
			return PLAT_EINVAL;
		}
		tap.st.tx_full++;
		return PLAT_AGAIN;
	}
	tap.nst.tx_frames++;
	return PLAT_OK;
}

enum plat_result plat_net_send(const struct plat_iov *iov, size_t n)
{
	static const struct virtio_net_hdr none;

	return tap_write(&none, iov, n);
}

enum plat_result plat_net_send_tso(const struct plat_iov *iov, size_t n, uint16_t mss,
                                   uint16_t hdr_len, uint16_t csum_start, uint16_t csum_offset)
{
	struct virtio_net_hdr h;

	if (tap.tso_refused)
		return PLAT_EINVAL;
	/* Linux's TAP takes the header in the host's byte order (little-endian
	 * on x86) unless told otherwise (TUNSETVNETBE/LE). */
	memset(&h, 0, sizeof h);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	/* The family from the frame's Ethernet type (its first part holds the
	 * Ethernet header). */
	h.gso_type = n > 0 && iov[0].len >= 14 && ((const uint8_t *)iov[0].p)[12] == 0x86 &&
	                             ((const uint8_t *)iov[0].p)[13] == 0xdd
	                     ? VIRTIO_NET_HDR_GSO_TCPV6
	                     : VIRTIO_NET_HDR_GSO_TCPV4;
	h.hdr_len = hdr_len;
	h.gso_size = mss;
	h.csum_start = csum_start;
	h.csum_offset = csum_offset;
	return tap_write(&h, iov, n);
}

enum plat_result plat_net_recv(void *buf, size_t cap, size_t *len)
{
	struct virtio_net_hdr h;
	uint8_t spill;

	if (!tap.open || !tap.maybe_rx)
		return PLAT_AGAIN;
	for (;;) {
		/* The header apart, the frame straight into (buf), and one byte
		 * more to tell a frame longer than (cap). */
		struct iovec v[3] = {{&h, VNET_HDR}, {buf, cap}, {&spill, 1}};
		ssize_t k = readv(tap.fd, v, 3);
		if (k < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				tap.maybe_rx = false;
				return PLAT_AGAIN;
			}
			if (errno == EINTR)
				return PLAT_AGAIN;
			tap.err = errno;
			return PLAT_EUNSPEC;
		}
		if ((size_t)k <= VNET_HDR) {
			tap.st.rx_short++;
			continue;
		}
		if ((size_t)k - VNET_HDR > cap) {
			tap.st.rx_too_long++;
			continue;
		}
		/* No offloads were asked for (TUNSETOFFLOAD), so Linux sends whole
		 * frames with their checksums done: the header says nothing. */
		*len = (size_t)k - VNET_HDR;
		tap.nst.rx_frames++;
		if (tap.pcap) {
			struct plat_iov f = {buf, *len, 0};
			pcapw_frame(tap.pcap, plat_clock_wall_ns(), &f, 1);
		}
		return PLAT_OK;
	}
}

void plat_yield_until(uint64_t deadline_ns)
{
	struct epoll_event ev[8];
	uint64_t now = plat_clock_monotonic_ns();
	int timeout_ms, n, i;

	timeout_ms = deadline_ns <= now ? 0
	             : deadline_ns == UINT64_MAX || deadline_ns - now > 1000000000ull
	                     ? 1000
	                     : (int)((deadline_ns - now + 999999) / 1000000);
	if (!ensure_ep()) {
		struct timespec ts = {0, (long)timeout_ms * 1000000L};
		nanosleep(&ts, NULL);
		return;
	}
	n = epoll_wait(tap.ep, ev, 8, timeout_ms);
	for (i = 0; i < n; i++) {
		struct watch *w = ev[i].data.ptr;
		if (!w) {
			tap.nst.rx_irqs++; /* the device: frames are read by the next turn */
			tap.maybe_rx = true;
		} else {
			w->fn(w->ctx);
		}
	}
}
