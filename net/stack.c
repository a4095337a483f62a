/* SPDX-License-Identifier: MIT */
/* One stack instance: set-up, frames in, timers, frames out, counters. */
#include "net/stack.h"

#include "lib/mem.h"
#include "net/eth.h"

size_t net_stack_size(const struct net_config *cfg)
{
	return (sizeof(struct net_stack) + 63) / 64 * 64 + tcp_mem_size(cfg);
}

static void ip_text(char *out, uint32_t a)
{
	int i, n = 0;

	for (i = 3; i >= 0; i--) {
		uint8_t b = (uint8_t)(a >> (8 * i));
		if (b >= 100)
			out[n++] = (char)('0' + b / 100);
		if (b >= 10)
			out[n++] = (char)('0' + b / 10 % 10);
		out[n++] = (char)('0' + b % 10);
		if (i)
			out[n++] = '.';
	}
	out[n] = 0;
}

void net_log(struct net_stack *s, const char *msg)
{
	if (s->ops.log)
		s->ops.log(s->ops.ctx, msg, strlen(msg));
}

void net_set_address(struct net_stack *s, uint32_t addr, uint8_t prefix_len, uint32_t gateway)
{
	char line[96], a[16], g[16];
	size_t n;

	s->addr = addr;
	s->prefix_len = prefix_len;
	s->netmask = prefix_len ? 0xffffffffu << (32 - prefix_len) : 0;
	s->gateway = gateway;
	if (!addr) {
		net_log(s, "net: no address");
		return;
	}
	ip_text(a, addr);
	ip_text(g, gateway);
	n = 0;
	memcpy(line + n, "net: address ", 13);
	n += 13;
	memcpy(line + n, a, strlen(a));
	n += strlen(a);
	line[n++] = '/';
	if (prefix_len >= 10)
		line[n++] = (char)('0' + prefix_len / 10);
	line[n++] = (char)('0' + prefix_len % 10);
	if (gateway) {
		memcpy(line + n, " via ", 5);
		n += 5;
		memcpy(line + n, g, strlen(g));
		n += strlen(g);
	}
	line[n] = 0;
	net_log(s, line);
	arp_announce(s);
}

void net_init(struct net_stack *s, const struct net_config *cfg, const struct net_ops *ops,
              uint64_t now)
{
	uint8_t *mem = (uint8_t *)s + (sizeof(struct net_stack) + 63) / 64 * 64;

	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	if (!s->cfg.mtu)
		s->cfg.mtu = 1500;
	s->ops = *ops;
	ipv4_init(s);
	tcp_setup(s, mem);
	tcp_init(s, now);
	ipv6_init(s, now);
	if (cfg->dhcp) {
		dhcp_start(s, now);
	} else if (cfg->addr) {
		net_set_address(s, cfg->addr, cfg->prefix_len, cfg->gateway);
	}
}

bool net_send_frame(struct net_stack *s, const struct plat_iov *iov, size_t n)
{
	static const uint8_t pad[ETH_MIN_FRAME];
	struct plat_iov all[24];
	size_t len = 0, i;

	for (i = 0; i < n; i++)
		len += iov[i].len;
	if (len < ETH_MIN_FRAME && n < 24) {
		/* Ethernet's minimum (IEEE 802.3): pad short frames (ARP, bare ACKs). */
		for (i = 0; i < n; i++)
			all[i] = iov[i];
		all[n].p = pad;
		all[n].len = ETH_MIN_FRAME - len;
		all[n].stable = 1;
		iov = all;
		n++;
	}
	s->eth.tx++;
	if (!s->ops.send(s->ops.ctx, iov, n)) {
		s->eth.tx_device_full++;
		return false;
	}
	return true;
}

bool net_send_gso(struct net_stack *s, const struct plat_iov *iov, size_t n,
                  const struct net_gso *g)
{
	s->eth.tx++;
	if (!s->ops.send_gso(s->ops.ctx, iov, n, g)) {
		s->eth.tx_device_full++;
		return false;
	}
	return true;
}

void net_disable_tso(struct net_stack *s)
{
	s->cfg.tso_max = 0;
}

void net_input(struct net_stack *s, const uint8_t *frame, size_t len, uint64_t now)
{
	struct eth_hdr h;

	s->eth.rx++;
	if (!eth_parse(frame, len, &h)) {
		s->eth.rx_short++;
		return;
	}
	/* IPv6 multicast (33:33:...) is taken while IPv6 is on: ipv6_input
	 * keeps only the groups we are in. */
	if (memcmp(h.dst, s->cfg.mac, 6) != 0 && !eth_is_broadcast(h.dst) &&
	    !(s->cfg.ipv6 && h.dst[0] == 0x33 && h.dst[1] == 0x33)) {
		s->eth.rx_not_for_us++;
		return;
	}
	switch (h.type) {
	case ETH_P_IPV4:
		ipv4_input(s, frame + ETH_HLEN, len - ETH_HLEN, eth_is_broadcast(h.dst), now);
		break;
	case ETH_P_IPV6:
		ipv6_input(s, frame + 6, frame + ETH_HLEN, len - ETH_HLEN, h.dst[0] & 1, now);
		break;
	case ETH_P_ARP:
		arp_input(s, frame + 6, frame + ETH_HLEN, len - ETH_HLEN, now);
		break;
	case ETH_P_VLAN:
		s->eth.rx_vlan++;
		break;
	default:
		s->eth.rx_other_type++;
		break;
	}
}

uint64_t net_poll(struct net_stack *s, uint64_t now)
{
	uint64_t next = arp_poll(s, now), t;

	if ((t = ipv4_poll(s, now)) < next)
		next = t;
	if ((t = ipv6_poll(s, now)) < next)
		next = t;
	if ((t = dhcp_poll(s, now)) < next)
		next = t;
	if ((t = tcp_poll(s, now)) < next)
		next = t;
	return next;
}

bool net_address(const struct net_stack *s, uint32_t *addr, uint8_t *prefix_len, uint32_t *gateway)
{
	if (addr)
		*addr = s->addr;
	if (prefix_len)
		*prefix_len = s->prefix_len;
	if (gateway)
		*gateway = s->gateway;
	return s->addr != 0;
}
