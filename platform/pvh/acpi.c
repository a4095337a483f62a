/* SPDX-License-Identifier: MIT */
/* Reading the RSDP, XSDT/RSDT, FADT, MADT and HPET tables. */
#include "platform/pvh/acpi.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "platform/kernel/kprintf.h"

#define SDT_HDR_LEN   36u
#define TABLE_MAX_LEN (1u << 20) /* cap: no table we read is near this */
#define LOW_4G        (1ull << 32)

struct acpi_info acpi_info;

/* Physical memory below 4 GiB, through the boot identity map; NULL elsewhere. */
static const uint8_t *view(uint64_t paddr, size_t len)
{
	uint64_t end;

	if (paddr == 0 || __builtin_add_overflow(paddr, len, &end) || end > LOW_4G)
		return NULL;
	const uint8_t *p = (const uint8_t *)(uintptr_t)paddr;
	/* Hide the constant address from the compiler, which would otherwise warn
	 * about reading an object of size 0 at it (-Warray-bounds). */
	__asm__("" : "+r"(p));
	return p;
}

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

static uint32_t rd32(const uint8_t *p)
{
	struct cur c = cur_make(p, 4);
	uint32_t v = 0;

	cur_u32le(&c, &v);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	struct cur c = cur_make(p, 8);
	uint64_t v = 0;

	cur_u64le(&c, &v);
	return v;
}

/* A whole table at (paddr) with a valid length and checksum, or NULL. */
static const uint8_t *table(uint64_t paddr, uint32_t *len)
{
	const uint8_t *h = view(paddr, SDT_HDR_LEN);

	if (!h)
		return NULL;
	*len = rd32(h + 4);
	if (*len < SDT_HDR_LEN || *len > TABLE_MAX_LEN)
		return NULL;
	const uint8_t *t = view(paddr, *len);
	return t && checksum_ok(t, *len) ? t : NULL;
}

static bool rsdp_ok(const uint8_t *p)
{
	if (!p || memcmp(p, "RSD PTR ", 8) != 0 || !checksum_ok(p, 20))
		return false;
	if (p[15] >= 2) { /* revision 2+: the extended checksum over Length bytes */
		uint32_t len = rd32(p + 20);
		return len >= 36 && len <= 4096 && view((uint64_t)(uintptr_t)p, len) &&
		       checksum_ok(p, len);
	}
	return true;
}

/* ACPI 6.5 5.2.5.1: the first KiB of the EBDA, then 0xe0000-0xfffff, on 16-byte
 * boundaries. */
static uint64_t rsdp_search(void)
{
	const uint8_t *bda = view(0x40e, 2);
	uint64_t ebda = bda ? (uint64_t)(bda[0] | (bda[1] << 8)) << 4 : 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (uint64_t a = ebda; a < ebda + 1024; a += 16)
			if (rsdp_ok(view(a, 36)))
				return a;
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
		if (rsdp_ok(view(a, 20)))
			return a;
	return 0;
}

static struct acpi_gas gas(const uint8_t *p)
{
	struct acpi_gas g = {p[0], p[1], rd64(p + 4)};
	return g;
}

#define AML_SCAN 160 /* bytes after an ID that its _CRS must lie within */

/* After a "LNRO0005" at (t + at): the first Memory32Fixed (tag 0x86, length 9)
 * and the Extended Interrupt (tag 0x89) after it. */
static void scan_virtio_device(const uint8_t *t, uint32_t len, uint32_t at)
{
	uint32_t end = len - at > AML_SCAN ? at + AML_SCAN : len;
	struct acpi_info *a = &acpi_info;

	for (uint32_t i = at; i + 12 <= end; i++) {
		if (t[i] != 0x86 || t[i + 1] != 9 || t[i + 2] != 0)
			continue;
		uint64_t base = rd32(t + i + 4), size = rd32(t + i + 8);
		for (uint32_t j = i + 12; j + 9 <= end; j++) {
			/* tag, length (>= 6), flags, count (>= 1), first interrupt */
			if (t[j] != 0x89 || t[j + 1] < 6 || t[j + 2] != 0 || t[j + 4] < 1)
				continue;
			if (a->n_mmio < ACPI_MAX_MMIO && size)
				a->mmio[a->n_mmio++] =
				        (struct acpi_mmio){base, size, rd32(t + j + 5)};
			return;
		}
		return;
	}
}

static void parse_dsdt(uint64_t paddr)
{
	uint32_t len;
	const uint8_t *t = table(paddr, &len);

	if (!t || memcmp(t, "DSDT", 4) != 0)
		return;
	for (uint32_t i = SDT_HDR_LEN; i + 8 <= len; i++)
		if (t[i] == 'L' && memcmp(t + i, "LNRO0005", 8) == 0)
			scan_virtio_device(t, len, i + 8);
}

static void parse_fadt(const uint8_t *t, uint32_t len)
{
	struct acpi_info *a = &acpi_info;
	uint64_t dsdt = len >= 44 ? rd32(t + 40) : 0;

	if (len >= 148 && rd64(t + 140)) /* X_DSDT wins when present */
		dsdt = rd64(t + 140);
	parse_dsdt(dsdt);

	if (len >= 116) {
		a->pm1a_cnt_port = (uint16_t)rd32(t + 64);
		a->pm_timer_port = (uint16_t)rd32(t + 76);
		if (t[91] < 4) /* PM_TMR_LEN must be 4 */
			a->pm_timer_port = 0;
		a->century_reg = t[108];
		uint32_t flags = rd32(t + 112);
		a->pm_timer_32bit = (flags >> 8) & 1;
		a->hw_reduced = (flags >> 20) & 1;
	}
	if (len >= 220 && a->pm_timer_port == 0) { /* X_PM_TMR_BLK */
		struct acpi_gas g = gas(t + 208);
		if (g.space == 1 && g.addr && g.addr < 0x10000)
			a->pm_timer_port = (uint16_t)g.addr;
	}
	if (len >= 256)
		a->sleep_ctl = gas(t + 244);
	if (a->hw_reduced)
		a->pm_timer_port = 0; /* hardware-reduced ACPI has no PM timer (4.1) */
}

static void parse_madt(const uint8_t *t, uint32_t len)
{
	struct acpi_info *a = &acpi_info;

	if (len < 44)
		return;
	a->lapic_addr = rd32(t + 36);
	for (uint32_t off = 44; off + 2 <= len;) {
		uint8_t type = t[off], elen = t[off + 1];
		if (elen < 2 || elen > len - off)
			break;
		const uint8_t *e = t + off;
		if (type == 1 && elen >= 12 && a->n_ioapic < ACPI_MAX_IOAPIC)
			a->ioapic[a->n_ioapic++] =
			        (struct acpi_ioapic){e[2], rd32(e + 4), rd32(e + 8)};
		else if (type == 2 && elen >= 10 && a->n_iso < ACPI_MAX_ISO)
			a->iso[a->n_iso++] = (struct acpi_iso){e[3], rd32(e + 4),
			                                       (uint16_t)(e[8] | (e[9] << 8))};
		else if (type == 5 && elen >= 12)
			a->lapic_addr = rd64(e + 4);
		off += elen;
	}
}

static void parse_table(uint64_t paddr)
{
	uint32_t len;
	const uint8_t *t = table(paddr, &len);

	if (!t)
		return;
	if (memcmp(t, "FACP", 4) == 0)
		parse_fadt(t, len);
	else if (memcmp(t, "APIC", 4) == 0)
		parse_madt(t, len);
	else if (memcmp(t, "HPET", 4) == 0 && len >= 56) {
		struct acpi_gas g = gas(t + 40);
		if (g.space == 0)
			acpi_info.hpet_base = g.addr;
	}
}

void acpi_init(uint64_t rsdp_hint)
{
	uint64_t rsdp = rsdp_ok(view(rsdp_hint, 20)) ? rsdp_hint : rsdp_search();
	const uint8_t *r = view(rsdp, 36);
	uint64_t root;
	uint32_t len, entry;

	if (!r)
		return;
	/* The XSDT (64-bit entries) when revision 2+ gives one, else the RSDT. */
	if (r[15] >= 2 && rd64(r + 24) != 0) {
		root = rd64(r + 24);
		entry = 8;
	} else {
		root = rd32(r + 16);
		entry = 4;
	}
	const uint8_t *t = table(root, &len);
	if (!t) {
		kprintf("pvh: acpi: bad root table at 0x%lx\n", root);
		return;
	}
	acpi_info.present = true;
	acpi_info.rsdp = rsdp;
	for (uint32_t off = SDT_HDR_LEN; off + entry <= len; off += entry)
		parse_table(entry == 8 ? rd64(t + off) : rd32(t + off));
	const struct acpi_info *a = &acpi_info;
	klog(KLOG_DEBUG,
	     "pvh: acpi: rsdp 0x%lx, PM timer 0x%x, PM1a_CNT 0x%x, hw-reduced %d, sleep control "
	     "%u:0x%lx, HPET 0x%lx, %zu I/O APICs, %zu virtio-mmio\n",
	     rsdp, a->pm_timer_port, a->pm1a_cnt_port, a->hw_reduced, a->sleep_ctl.space,
	     a->sleep_ctl.addr, a->hpet_base, a->n_ioapic, a->n_mmio);
}
