/* SPDX-License-Identifier: MIT */
/* The empty kernel of the boot benchmark (bench/vm.py): a PVH entry point that
 * writes "E" to COM1 and ends the VM through isa-debug-exit (port 0xf4), so
 * QEMU start to its "E" is the hypervisor's own start-up cost, the base the
 * image's boot to first 200 is compared with. */
	.section .note.Xen, "a", @note
	.p2align 2
	.long 4			/* name size: "Xen\0" */
	.long 4			/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start

	.text
	.code32
	.globl pvh_start
pvh_start:
	movw $0x3f8, %dx
	movb $'E', %al
	outb %al, %dx
	movb $'\n', %al
	outb %al, %dx
	movw $0xf4, %dx
	xorl %eax, %eax
	outl %eax, %dx
1:	hlt
	jmp 1b
