/* SPDX-License-Identifier: MIT */
/* The empty arm64 kernel of the boot benchmark (bench/arm64.py): loaded by
 * QEMU virt's -kernel at the image's own address, its first instructions write
 * "E" to the PL011 UART and power off through PSCI SYSTEM_OFF (hvc, the
 * conduit QEMU's virt offers without EL3), so QEMU start to its "E" is the
 * emulator's own start-up cost, the base the arm64 image's boot to first 200
 * is compared with. */
	.text
	.globl _start
_start:
	ldr	x1, =0x09000000		/* virt's PL011 data register */
	mov	w2, #'E'
	strb	w2, [x1]
	mov	w2, #'\n'
	strb	w2, [x1]
	ldr	x0, =0x84000008		/* PSCI 0.2 SYSTEM_OFF */
	hvc	#0
1:	wfi
	b	1b
