/* SPDX-License-Identifier: MIT */
/* The device tree parser (fdt.h). Byte loads only: it runs before the MMU is
 * on, when every access is to Device memory and must be aligned. */
#include "platform/arm64/fdt.h"

#include "lib/mem.h"

#define FDT_MAGIC      0xd00dfeedu
#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE   2u
#define TOK_PROP       3u
#define TOK_NOP        4u
#define TOK_END        9u

struct prop {
	const uint8_t *p;
	uint32_t len;
	bool set;
};

/* What a node said about itself, kept until its end. */
struct node {
	const uint8_t *name;
	uint32_t name_len;
	uint32_t addr_cells, size_cells; /* for its children */
	struct prop compatible, reg, interrupts, device_type, bootargs, ranges, imap, imap_mask,
	        bus_range, method, rng_seed, initrd_start, initrd_end;
};

struct walk {
	const uint8_t *blob, *strings;
	uint32_t strings_len;
	struct node stack[FDT_MAX_DEPTH];
	uint32_t depth;
	struct fdt_info *out;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

const char *fdt_result_str(enum fdt_result r)
{
	switch (r) {
	case FDT_OK:
		return "ok";
	case FDT_EMAGIC:
		return "bad magic";
	case FDT_EVERSION:
		return "unsupported version";
	case FDT_ESIZE:
		return "a block lies outside the blob";
	case FDT_ESTRUCT:
		return "malformed structure block";
	case FDT_ELIMIT:
		return "too many nodes or too deep";
	}
	return "?";
}

static bool str_eq(const uint8_t *p, uint32_t n, const char *s)
{
	uint32_t i;

	for (i = 0; i < n && s[i]; i++)
		if (p[i] != (uint8_t)s[i])
			return false;
	return i == n && !s[i];
}

/* One of the NUL-separated strings of (pr) is (s). */
static bool has_string(const struct prop *pr, const char *s)
{
	uint32_t i = 0;

	while (pr->set && i < pr->len) {
		uint32_t j = i;
		while (j < pr->len && pr->p[j])
			j++;
		if (str_eq(pr->p + i, j - i, s))
			return true;
		i = j + 1;
	}
	return false;
}

static bool starts_with(const struct prop *pr, const char *s)
{
	uint32_t i = 0;

	while (pr->set && i < pr->len) {
		uint32_t j = i, k = 0;
		while (j < pr->len && pr->p[j])
			j++;
		while (s[k] && i + k < j && pr->p[i + k] == (uint8_t)s[k])
			k++;
		if (!s[k])
			return true;
		i = j + 1;
	}
	return false;
}

/* (cells) big-endian cells at (p) as a number; more than 2 cells keeps the low 64
 * bits' worth only when the rest are 0. */
static bool cells(const uint8_t *p, uint32_t n, uint64_t *v)
{
	uint64_t x = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (i + 2 < n && be32(p + 4 * i))
			return false;
		x = x << 32 | be32(p + 4 * i);
	}
	*v = x;
	return true;
}

/* reg entry (i) of a node whose parent gives (ac, sc). */
static bool reg_at(const struct prop *reg, uint32_t ac, uint32_t sc, uint32_t i, uint64_t *addr,
                   uint64_t *size)
{
	uint32_t stride = 4 * (ac + sc);

	if (!reg->set || stride == 0 || reg->len / stride <= i)
		return false;
	const uint8_t *p = reg->p + (size_t)i * stride;
	return cells(p, ac, addr) && cells(p + 4 * ac, sc, size);
}

/* The GIC interrupt ID of specifier (i): <type number flags>, SPI or PPI. */
static uint32_t intid_at(const struct prop *irq, uint32_t i)
{
	if (!irq->set || irq->len / 12 <= i)
		return 0;
	uint32_t type = be32(irq->p + 12 * i), num = be32(irq->p + 12 * i + 4);
	if (type == 0 && num < 988)
		return 32 + num;
	if (type == 1 && num < 16)
		return 16 + num;
	return 0;
}

static void take_pci(struct walk *w, const struct node *n, uint32_t ac, uint32_t sc)
{
	struct fdt_pci *pci = &w->out->pci;

	if (!reg_at(&n->reg, ac, sc, 0, &pci->ecam, &pci->ecam_size))
		return;
	pci->bus_start = 0;
	pci->bus_end = 255;
	if (n->bus_range.set && n->bus_range.len == 8) {
		pci->bus_start = be32(n->bus_range.p) & 255;
		pci->bus_end = be32(n->bus_range.p + 4) & 255;
	}
	/* ranges: <phys.hi phys.mid phys.lo> <parent address (ac)> <size (2)>. */
	uint32_t stride = 4 * (3 + ac + n->size_cells);
	for (uint32_t off = 0; n->ranges.set && n->size_cells && off + stride <= n->ranges.len;
	     off += stride) {
		const uint8_t *p = n->ranges.p + off;
		uint64_t pci_addr, cpu, size;
		uint32_t space = be32(p) >> 24 & 3;
		if (!cells(p + 4, 2, &pci_addr) || !cells(p + 12, ac, &cpu) ||
		    !cells(p + 12 + 4 * ac, n->size_cells, &size))
			continue;
		if (space == 2 && !pci->mem32_size) {
			pci->mem32_cpu = cpu;
			pci->mem32_pci = pci_addr;
			pci->mem32_size = size;
		} else if (space == 3 && !pci->mem64_size) {
			pci->mem64_cpu = cpu;
			pci->mem64_pci = pci_addr;
			pci->mem64_size = size;
		}
	}
	/* interrupt-map-mask: <hi mid lo pin>; interrupt-map entries: <hi mid lo
	 * pin phandle (parent unit address: 2 cells on QEMU's GIC) type num
	 * flags>: 10 cells. Other layouts are not taken. */
	if (n->imap_mask.set && n->imap_mask.len == 16) {
		pci->imap_mask_hi = be32(n->imap_mask.p);
		pci->imap_mask_pin = be32(n->imap_mask.p + 12);
	}
	for (uint32_t off = 0; n->imap.set && off + 40 <= n->imap.len && pci->n_imap < FDT_MAX_IMAP;
	     off += 40) {
		const uint8_t *p = n->imap.p + off;
		struct prop spec = {p + 28, 12, true};
		uint32_t id = intid_at(&spec, 0);
		if (!id)
			continue;
		pci->imap[pci->n_imap++] = (struct fdt_imap){be32(p), be32(p + 12), id};
	}
	pci->present = pci->ecam_size != 0;
}

/* A property of one or two 32-bit big-endian cells as a number. */
static bool cells_u64(const struct prop *p, uint64_t *v)
{
	if (p->len == 4) {
		*v = be32(p->p);
		return true;
	}
	if (p->len == 8) {
		*v = (uint64_t)be32(p->p) << 32 | be32(p->p + 4);
		return true;
	}
	return false;
}

/* A node ends: take what it told us. */
static void take(struct walk *w, const struct node *n)
{
	struct fdt_info *o = w->out;
	uint32_t ac = 2, sc = 1;
	uint64_t a, s;

	if (w->depth >= 2) {
		ac = w->stack[w->depth - 2].addr_cells;
		sc = w->stack[w->depth - 2].size_cells;
	}
	if (w->depth == 2 && str_eq(n->name, n->name_len, "chosen") && n->bootargs.set) {
		uint32_t len = n->bootargs.len;
		while (len && n->bootargs.p[len - 1] == 0)
			len--;
		if (len >= FDT_BOOTARGS_MAX) {
			len = FDT_BOOTARGS_MAX - 1;
			o->bootargs_truncated = true;
		}
		for (uint32_t i = 0; i < len; i++)
			o->bootargs[i] = n->bootargs.p[i] ? (char)n->bootargs.p[i] : ' ';
		o->bootargs[len] = 0;
	}
	if (w->depth == 2 && str_eq(n->name, n->name_len, "chosen") && n->rng_seed.set) {
		uint32_t len = n->rng_seed.len < sizeof o->rng_seed ? n->rng_seed.len
		                                                    : (uint32_t)sizeof o->rng_seed;
		for (uint32_t i = 0; i < len; i++)
			o->rng_seed[i] = n->rng_seed.p[i];
		o->rng_seed_len = len;
	}
	if (w->depth == 2 && str_eq(n->name, n->name_len, "chosen") && n->initrd_start.set &&
	    n->initrd_end.set) {
		uint64_t st = 0, en = 0;
		/* One or two big-endian cells, whatever #address-cells says. */
		if (cells_u64(&n->initrd_start, &st) && cells_u64(&n->initrd_end, &en) &&
		    en >= st) {
			o->initrd_start = st;
			o->initrd_end = en;
		}
	}
	if (w->depth != 2) /* the root's children only */
		return;
	if (has_string(&n->device_type, "memory")) {
		for (uint32_t i = 0; o->n_mem < FDT_MAX_MEM && reg_at(&n->reg, ac, sc, i, &a, &s);
		     i++)
			if (s)
				o->mem[o->n_mem++] = (struct fdt_window){a, s, 0};
	} else if (has_string(&n->compatible, "arm,pl011") && !o->uart.addr) {
		if (reg_at(&n->reg, ac, sc, 0, &a, &s))
			o->uart = (struct fdt_window){a, s, intid_at(&n->interrupts, 0)};
	} else if (has_string(&n->compatible, "arm,pl031") && !o->rtc.addr) {
		if (reg_at(&n->reg, ac, sc, 0, &a, &s))
			o->rtc = (struct fdt_window){a, s, 0};
	} else if ((has_string(&n->compatible, "arm,gic-400") ||
	            has_string(&n->compatible, "arm,cortex-a15-gic")) &&
	           !o->gic_version) {
		if (reg_at(&n->reg, ac, sc, 0, &o->gicd, &o->gicd_size) &&
		    reg_at(&n->reg, ac, sc, 1, &o->gicc, &o->gicc_size))
			o->gic_version = 2;
	} else if (has_string(&n->compatible, "arm,gic-v3") && !o->gic_version) {
		if (reg_at(&n->reg, ac, sc, 0, &o->gicd, &o->gicd_size) &&
		    reg_at(&n->reg, ac, sc, 1, &o->gicr, &o->gicr_size))
			o->gic_version = 3;
	} else if (has_string(&n->compatible, "arm,armv8-timer")) {
		o->timer_intid = intid_at(&n->interrupts, 2); /* secure, non-secure, virtual, hyp */
	} else if (has_string(&n->compatible, "virtio,mmio")) {
		if (!reg_at(&n->reg, ac, sc, 0, &a, &s))
			return;
		if (o->n_mmio < FDT_MAX_MMIO)
			o->mmio[o->n_mmio++] =
			        (struct fdt_window){a, s, intid_at(&n->interrupts, 0)};
		else
			o->mmio_truncated = true;
	} else if (has_string(&n->compatible, "pci-host-ecam-generic") && !o->pci.present) {
		take_pci(w, n, ac, sc);
	} else if (starts_with(&n->compatible, "arm,psci")) {
		o->psci = true;
		o->psci_smc = has_string(&n->method, "smc");
	}
}

static void set_prop(struct node *n, const uint8_t *name, uint32_t name_len, const uint8_t *v,
                     uint32_t len)
{
	struct prop p = {v, len, true};

	if (str_eq(name, name_len, "compatible"))
		n->compatible = p;
	else if (str_eq(name, name_len, "reg"))
		n->reg = p;
	else if (str_eq(name, name_len, "interrupts"))
		n->interrupts = p;
	else if (str_eq(name, name_len, "device_type"))
		n->device_type = p;
	else if (str_eq(name, name_len, "bootargs"))
		n->bootargs = p;
	else if (str_eq(name, name_len, "ranges"))
		n->ranges = p;
	else if (str_eq(name, name_len, "interrupt-map"))
		n->imap = p;
	else if (str_eq(name, name_len, "interrupt-map-mask"))
		n->imap_mask = p;
	else if (str_eq(name, name_len, "bus-range"))
		n->bus_range = p;
	else if (str_eq(name, name_len, "rng-seed"))
		n->rng_seed = p;
	else if (str_eq(name, name_len, "linux,initrd-start"))
		n->initrd_start = p;
	else if (str_eq(name, name_len, "linux,initrd-end"))
		n->initrd_end = p;
	else if (str_eq(name, name_len, "method"))
		n->method = p;
	else if (str_eq(name, name_len, "#address-cells") && len == 4 && be32(v) <= 4)
		n->addr_cells = be32(v);
	else if (str_eq(name, name_len, "#size-cells") && len == 4 && be32(v) <= 4)
		n->size_cells = be32(v);
}

static enum fdt_result walk_struct(struct walk *w, const uint8_t *s, uint32_t len)
{
	uint32_t off = 0;

	for (;;) {
		if (off > len || len - off < 4)
			return FDT_ESTRUCT;
		uint32_t tok = be32(s + off);
		off += 4;
		if (tok == TOK_NOP)
			continue;
		if (tok == TOK_END)
			return w->depth == 0 ? FDT_OK : FDT_ESTRUCT;
		if (tok == TOK_BEGIN_NODE) {
			uint32_t start = off;
			while (off < len && s[off])
				off++;
			if (off >= len)
				return FDT_ESTRUCT;
			if (w->depth >= FDT_MAX_DEPTH || ++w->out->n_nodes > FDT_MAX_NODES)
				return FDT_ELIMIT;
			struct node *n = &w->stack[w->depth++];
			memset(n, 0, sizeof *n);
			n->name = s + start;
			n->name_len = off - start;
			/* "@unit" is not part of the name we compare */
			for (uint32_t i = 0; i < n->name_len; i++)
				if (n->name[i] == '@')
					n->name_len = i;
			n->addr_cells = 2; /* the specification's defaults */
			n->size_cells = 1;
			off = (off + 1 + 3) & ~3u;
		} else if (tok == TOK_END_NODE) {
			if (w->depth == 0)
				return FDT_ESTRUCT;
			take(w, &w->stack[w->depth - 1]);
			w->depth--;
			if (w->depth == 0) { /* the root ended: only END may follow */
				while (off + 4 <= len && be32(s + off) == TOK_NOP)
					off += 4;
				return off + 4 <= len && be32(s + off) == TOK_END ? FDT_OK
				                                                  : FDT_ESTRUCT;
			}
		} else if (tok == TOK_PROP) {
			if (w->depth == 0 || len - off < 8)
				return FDT_ESTRUCT;
			uint32_t plen = be32(s + off), nameoff = be32(s + off + 4);
			off += 8;
			if (plen > len - off || nameoff >= w->strings_len)
				return FDT_ESTRUCT;
			uint32_t nend = nameoff;
			while (nend < w->strings_len && w->strings[nend])
				nend++;
			if (nend >= w->strings_len)
				return FDT_ESTRUCT;
			set_prop(&w->stack[w->depth - 1], w->strings + nameoff, nend - nameoff,
			         s + off, plen);
			off += plen;
			off = off > len - 3 ? len : (off + 3) & ~3u;
		} else {
			return FDT_ESTRUCT;
		}
	}
}

enum fdt_result fdt_parse(const uint8_t *blob, size_t avail, struct fdt_info *out)
{
	static struct walk w; /* ~1.5 KiB: off the small boot stack's way */
	uint32_t total, off_struct, off_strings, version, last_comp, size_strings, size_struct;
	enum fdt_result r;

	memset(out, 0, sizeof *out);
	if (avail < 40 || be32(blob) != FDT_MAGIC)
		return FDT_EMAGIC;
	total = be32(blob + 4);
	off_struct = be32(blob + 8);
	off_strings = be32(blob + 12);
	version = be32(blob + 20);
	last_comp = be32(blob + 24);
	size_strings = be32(blob + 32);
	size_struct = be32(blob + 36);
	if (version < 17 || last_comp > 17)
		return FDT_EVERSION;
	if (total > avail || total > FDT_MAX_SIZE || total < 40 || off_struct > total ||
	    size_struct > total - off_struct || off_strings > total ||
	    size_strings > total - off_strings)
		return FDT_ESIZE;
	memset(&w, 0, sizeof w);
	w.blob = blob;
	w.strings = blob + off_strings;
	w.strings_len = size_strings;
	w.out = out;
	r = walk_struct(&w, blob + off_struct, size_struct);
	if (r != FDT_OK) {
		uint32_t nodes = out->n_nodes;
		memset(out, 0, sizeof *out); /* refused whole */
		out->n_nodes = nodes;
	}
	return r;
}
