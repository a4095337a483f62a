/* SPDX-License-Identifier: MIT */
/* The interrupt controller: GICv2 (distributor and memory-mapped CPU interface)
 * or GICv3 (distributor, this CPU's redistributor, system-register CPU
 * interface), whichever the device tree names (Arm IHI 0048B, IHI 0069).
 * QEMU's virt has no EL3, so there is one security state: v2 interrupts stay in
 * group 0 (IRQ, FIQEn clear); v3 ones go to group 1 (ICC_IAR1). One CPU. */
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_IROUTER    0x6000
#define GICC_CTLR       0x000
#define GICC_PMR        0x004
#define GICC_IAR        0x00c
#define GICC_EOIR       0x010
#define GICR_WAKER      0x014
#define GICR_SGI        0x10000 /* the SGI and PPI frame */

static int version;
static uint64_t gicd, gicc, gicr;

const char *gic_name(void)
{
	return version == 3 ? "GICv3" : version == 2 ? "GICv2" : "none";
}

bool gic_init(void)
{
	version = board.gic_version;
	gicd = board.gicd;
	if (version == 2) {
		gicc = board.gicc;
		if (board.gicd_size < 0x1000 || board.gicc_size < 0x1000)
			return false;
		mmu_map_device(gicd, 0x1000, "GIC distributor");
		mmu_map_device(gicc, 0x2000, "GIC CPU interface");
		mmio_w32(gicd + GICD_CTLR, 1);
		mmio_w32(gicc + GICC_PMR, 0xff);
		mmio_w32(gicc + GICC_CTLR, 1);
		return true;
	}
	if (version == 3) {
		gicr = board.gicr;
		if (board.gicd_size < 0x10000 || board.gicr_size < 0x20000)
			return false;
		mmu_map_device(gicd, 0x10000, "GIC distributor");
		mmu_map_device(gicr, 0x20000, "GIC redistributor");
		/* ARE and group 1 enabled (single security state: bit 1). */
		mmio_w32(gicd + GICD_CTLR, (1u << 4) | (1u << 1));
		/* Wake our redistributor (GICR_WAKER.ProcessorSleep, then wait for
		 * ChildrenAsleep to clear). */
		mmio_w32(gicr + GICR_WAKER, mmio_r32(gicr + GICR_WAKER) & ~2u);
		for (int i = 0; i < 1000000 && (mmio_r32(gicr + GICR_WAKER) & 4u); i++)
			;
		mmio_w32(gicr + GICR_SGI + GICD_IGROUPR, 0xffffffffu); /* SGIs, PPIs: group 1 */
		write_sysreg(S3_0_C12_C12_5, 7);                       /* ICC_SRE_EL1.SRE */
		isb();
		write_sysreg(S3_0_C4_C6_0, 0xff); /* ICC_PMR_EL1 */
		write_sysreg(S3_0_C12_C12_3, 0);  /* ICC_BPR1_EL1 */
		write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
		isb();
		return true;
	}
	return false;
}

void gic_enable(uint32_t intid, bool edge)
{
	uint32_t bit = 1u << (intid % 32), word = 4 * (intid / 32);
	uint32_t cfg_shift = 2 * (intid % 16), cfg_word = 4 * (intid / 16);

	if (intid >= 1020)
		return;
	if (version == 3 && intid < 32) {
		uint64_t sgi = gicr + GICR_SGI;
		mmio_w8(sgi + GICD_IPRIORITYR + intid, 0x80);
		if (intid >= 16) {
			uint32_t c = mmio_r32(sgi + GICD_ICFGR + cfg_word);
			c = (c & ~(3u << cfg_shift)) | (edge ? 2u << cfg_shift : 0);
			mmio_w32(sgi + GICD_ICFGR + cfg_word, c);
		}
		mmio_w32(sgi + GICD_ISENABLER, bit);
		return;
	}
	mmio_w8(gicd + GICD_IPRIORITYR + intid, 0x80);
	if (intid >= 32) {
		uint32_t c = mmio_r32(gicd + GICD_ICFGR + cfg_word);
		c = (c & ~(3u << cfg_shift)) | (edge ? 2u << cfg_shift : 0);
		mmio_w32(gicd + GICD_ICFGR + cfg_word, c);
		if (version == 2)
			mmio_w8(gicd + GICD_ITARGETSR + intid, 1); /* CPU 0 */
		else {
			mmio_w32(gicd + GICD_IGROUPR + word,
			         mmio_r32(gicd + GICD_IGROUPR + word) | bit);
			mmio_w64(gicd + GICD_IROUTER + 8ull * intid, 0); /* affinity 0.0.0.0 */
		}
	}
	mmio_w32(gicd + GICD_ISENABLER + word, bit);
}

uint32_t gic_ack(void)
{
	if (version == 3)
		return (uint32_t)read_sysreg(S3_0_C12_C12_0) & 0xffffffu; /* ICC_IAR1_EL1 */
	return mmio_r32(gicc + GICC_IAR) & 0x3ffu;
}

void gic_eoi(uint32_t intid)
{
	if (version == 3) {
		write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
		isb();
	} else {
		mmio_w32(gicc + GICC_EOIR, intid);
	}
}
