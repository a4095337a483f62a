/* SPDX-License-Identifier: MIT */
/* The arm64 entry and the exception vectors.
 *
 * QEMU's virt loads the ELF at its p_paddr and starts it at e_entry at EL1
 * (EL2 with virtualization=on: we drop to EL1), MMU off, with the device tree
 * at the start of RAM (docs/system/arm/virt.rst: a bare-metal ELF gets it there;
 * an Image-format kernel gets its address in x0). x0 is kept either way and
 * boot.c decides, checking whichever it uses as untrusted input.
 *
 * The kernel runs on SP_EL0 (EL1t) and every exception switches to SP_EL1, the
 * exception stack: a main stack overflowing into its guard page still gets its
 * fault reported. Exceptions from EL1t arrive at the "current EL with SP0" group
 * of vectors; anything at another group is unexpected and reported as such. */

/* The store descriptor and built-in arguments (platform/kernel/image.h), as in
 * the x86_64 image: the image builder patches them. */
	.section .note.unideck, "a", %note
	.balign 4
	.long 8                    /* namesz: "unideck\0" */
	.long 32                   /* descsz */
	.long 0x55440001           /* IMAGE_NOTE_STORE */
	.asciz "unideck"
	.balign 4
	.globl image_store_desc
image_store_desc:
	.long 0x53445544           /* IMAGE_STORE_MAGIC */
	.long 1                    /* IMAGE_STORE_VERSION */
	.quad __store_slot
	.quad 0
	.quad 0
	.balign 4
	.long 8
	.long 256                  /* IMAGE_ARGS_LEN */
	.long 0x55440002           /* IMAGE_NOTE_ARGS */
	.asciz "unideck"
	.balign 4
	.globl image_args_desc
image_args_desc:
	.fill 256, 1, 0

	.section .data
	.balign 8
	.globl entry_cnt, entry_x0
entry_cnt: .quad 0                 /* CNTVCT_EL0 at the first instruction */
entry_x0:  .quad 0

	.section .text.boot, "ax"
	.globl _start
_start:
	mrs x20, cntvct_el0
	mov x19, x0
	mrs x1, CurrentEL
	lsr x1, x1, #2
	cmp x1, #2
	b.ne 1f
	/* EL2: EL1 is AArch64, its timer and counter are its own; enter it with
	 * interrupts masked. */
	mov x1, #(1 << 31)
	msr hcr_el2, x1
	mov x1, #3
	msr cnthctl_el2, x1
	msr cntvoff_el2, xzr
	mov x1, #0x3c5             /* EL1h, DAIF masked */
	msr spsr_el2, x1
	adr x1, 1f
	msr elr_el2, x1
	eret
1:
	msr daifset, #0xf
	/* The exception stack (SP_EL1), then the main one (SP_EL0). */
	msr spsel, #1
	adrp x1, __stack_exc_top
	add x1, x1, :lo12:__stack_exc_top
	mov sp, x1
	msr spsel, #0
	adrp x1, __stack_main_top
	add x1, x1, :lo12:__stack_main_top
	mov sp, x1
	/* FP and SIMD at EL1 (the layers above may use them; the platform is
	 * built -mgeneral-regs-only, so interrupts need not save them). */
	mov x1, #(3 << 20)
	msr cpacr_el1, x1
	adrp x1, vectors
	add x1, x1, :lo12:vectors
	msr vbar_el1, x1
	isb
	/* Zero .bss. */
	adrp x1, __bss_start
	add x1, x1, :lo12:__bss_start
	adrp x2, __bss_end
	add x2, x2, :lo12:__bss_end
2:	cmp x1, x2
	b.hs 3f
	str xzr, [x1], #8
	b 2b
3:
	adrp x1, entry_cnt
	add x1, x1, :lo12:entry_cnt
	str x20, [x1]
	str x19, [x1, #8]
	mov x29, xzr
	mov x30, xzr
	mov x0, x19
	bl arm64_main
4:	wfi
	b 4b

/* Each vector saves x0 and x1 and branches to the common path with its kind:
 * bits 1:0 the type (0 sync, 1 IRQ, 2 FIQ, 3 SError), bits 3:2 the group (0
 * current EL with SP0, the expected one; 1 current EL with SPx; 2 and 3 a lower
 * EL). */
.macro VEC kind
	.balign 0x80
	sub sp, sp, #288
	stp x0, x1, [sp]
	mov x0, #\kind
	b exc_common
.endm

	.section .text
	.balign 2048
	.globl vectors
vectors:
	VEC 0
	VEC 1
	VEC 2
	VEC 3
	VEC 4
	VEC 5
	VEC 6
	VEC 7
	VEC 8
	VEC 9
	VEC 10
	VEC 11
	VEC 12
	VEC 13
	VEC 14
	VEC 15

/* struct trap_frame (trap.h): x0-x30, sp_el0, elr, spsr, esr, far. */
exc_common:
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	mrs x2, sp_el0
	stp x30, x2, [sp, #240]
	mrs x2, elr_el1
	mrs x3, spsr_el1
	stp x2, x3, [sp, #256]
	mrs x2, esr_el1
	mrs x3, far_el1
	stp x2, x3, [sp, #272]
	mov x1, x0
	mov x0, sp
	mov x29, xzr               /* the backtrace starts from the frame's x29 */
	bl trap_entry
	ldp x2, x3, [sp, #256]
	msr elr_el1, x2
	msr spsr_el1, x3
	ldr x2, [sp, #248]
	msr sp_el0, x2
	ldp x2, x3, [sp, #16]
	ldp x4, x5, [sp, #32]
	ldp x6, x7, [sp, #48]
	ldp x8, x9, [sp, #64]
	ldp x10, x11, [sp, #80]
	ldp x12, x13, [sp, #96]
	ldp x14, x15, [sp, #112]
	ldp x16, x17, [sp, #128]
	ldp x18, x19, [sp, #144]
	ldp x20, x21, [sp, #160]
	ldp x22, x23, [sp, #176]
	ldp x24, x25, [sp, #192]
	ldp x26, x27, [sp, #208]
	ldp x28, x29, [sp, #224]
	ldr x30, [sp, #240]
	ldp x0, x1, [sp]
	add sp, sp, #288
	eret

	.section .note.GNU-stack, "", %progbits
