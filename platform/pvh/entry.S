/* SPDX-License-Identifier: MIT */
/* The PVH entry: the ELF notes a loader looks for, and the 32-bit start that switches
 * to long mode and calls boot_main(start_info).
 *
 * The PVH boot ABI (Xen docs/misc/pvh.pandoc, "x86/HVM direct boot ABI") enters at
 * the address in the XEN_ELFNOTE_PHYS32_ENTRY note in 32-bit protected mode:
 * paging off, flat 4 GiB CS/DS/ES/SS, interrupts off, %ebx = physical address of
 * struct hvm_start_info. No stack is given. There is deliberately no multiboot
 * (version 1) header: QEMU tries multiboot before PVH (hw/i386/x86.c
 * x86_load_linux).
 *
 * The multiboot2 header (Multiboot2 specification 3.1) is for GRUB, which boots
 * the image from a disk (tools/image/disk.c): QEMU's -kernel does not look for it.
 * GRUB loads the PT_LOAD segments at their physical addresses and enters at
 * mb2_entry (the entry address tag) in the same 32-bit state as PVH, with
 * %eax = 0x36d76289 and %ebx = the physical address of the boot information;
 * on UEFI too, since the header asks for neither boot services nor a 64-bit
 * EFI entry (GRUB leaves boot services first). From there both share the long
 * mode switch, and boot_main(info, magic) tells the two apart by the magic. */

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define CR0_PE    (1 << 0)
#define CR0_WP    (1 << 16) /* ring 0 writes honour read-only pages: W^X needs it */
#define CR0_PG    (1 << 31)
#define CR4_PAE   (1 << 5)
#define MSR_EFER  0xc0000080
#define EFER_LME  (1 << 8)
#define EFER_NXE  (1 << 11)
#define PTE_P_RW  0x003
#define PDE_2M    0x083 /* present, writable, page size (2 MiB) */

/* Xen include/public/elfnote.h: name "Xen", type 18, the 32-bit physical entry.
 * An 8-byte desc like Linux's: QEMU 7.2 reads a size_t from it
 * (read_pvh_start_addr), linux-loader reads the low 4 bytes. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4
	.long 8
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad pvh_entry
	.balign 4

/* Multiboot2 header: magic, architecture 0 (i386 protected mode), length,
 * checksum; the entry address tag (type 3); the end tag. In the first 32 KiB of
 * the file, 8-byte aligned (kernel.ld puts it first in .text). */
#define MB2_HEADER_MAGIC 0xe85250d6
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long 0
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	.balign 8
	.word 3, 0                 /* entry address, required */
	.long 12
	.long mb2_entry
	.balign 8
	.word 0, 0                 /* end */
	.long 8
mb2_header_end:

/* The store descriptor (layout in image.h): the image builder patches len. */
	.section .note.unideck, "a", @note
	.balign 4
	.long 8                    /* namesz: "unideck\0" */
	.long 32                   /* descsz */
	.long 0x55440001           /* IMAGE_NOTE_STORE */
	.asciz "unideck"
	.balign 4
	.globl image_store_desc
image_store_desc:
	.long 0x53445544           /* IMAGE_STORE_MAGIC, "UDDS" little-endian */
	.long 1                    /* IMAGE_STORE_VERSION */
	.quad __store_slot         /* addr: where the store's PT_LOAD goes */
	.quad 0                    /* len: 0 until the image builder adds a store */
	.quad 0                    /* reserved */

/* Built-in kernel arguments (image.h): written by the image builder. */
	.balign 4
	.long 8                    /* namesz */
	.long 256                  /* descsz: IMAGE_ARGS_LEN */
	.long 0x55440002           /* IMAGE_NOTE_ARGS */
	.asciz "unideck"
	.balign 4
	.globl image_args_desc
image_args_desc:
	.fill 256, 1, 0

	.section .data
	.balign 8
	.globl entry_tsc
entry_tsc:
	.quad 0
entry_start_info:
	.long 0
entry_magic:
	.long 0                    /* 0: PVH; else %eax at mb2_entry */

/* Boot page tables: identity map of the first 4 GiB with 2 MiB pages, good until
 * paging.c builds the real ones. In .bss, zeroed below before use. */
	.section .bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff   /* 0x08: 64-bit code, ring 0 */
	.quad 0x00cf92000000ffff   /* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .text.boot, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	xorl %esi, %esi            /* PVH */
	jmp common_entry

	.globl mb2_entry
mb2_entry:
	cli
	cld
	movl %eax, %esi            /* the multiboot2 magic, checked by boot_main */

common_entry:
	movl %esi, entry_magic
	/* The TSC at entry, for the boot-time report. */
	rdtsc
	movl %eax, entry_tsc
	movl %edx, entry_tsc + 4
	movl %ebx, entry_start_info

	/* Zero .bss: not every loader does (linux-loader copies p_filesz only).
	 * By 4-byte words (kernel.ld aligns both ends to 16): one iteration per
	 * word rather than per byte under an emulator. */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* PML4[0] -> PDPT; PDPT[0..3] -> four PDs; each PD entry a 2 MiB page. */
	movl $boot_pdpt + PTE_P_RW, boot_pml4
	movl $boot_pd + PTE_P_RW, %eax
	xorl %ecx, %ecx
1:	movl %eax, boot_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_2M, %eax
	movl %eax, boot_pd(, %ecx, 8)
	movl %ecx, %edx
	shrl $11, %edx             /* bits 32 and up of ecx << 21 */
	movl %edx, boot_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	/* Long mode needs CPUID.80000001H:EDX[29]; NX is EDX[20]. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %esi

	/* SDM vol. 3A 10.8.5: PAE, CR3, EFER.LME, then CR0.PG. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	btl $20, %esi
	jnc 3f
	orl $EFER_NXE, %eax
3:	wrmsr
	movl %cr0, %eax
	orl $(CR0_PE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_entry

no_long_mode:
	hlt
	jmp no_long_mode

	.code64
long_entry:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $__stack_main_top, %rsp
	xorl %ebp, %ebp            /* ends the frame-pointer chain */
	movl entry_start_info(%rip), %edi
	movl entry_magic(%rip), %esi
	call boot_main
4:	cli
	hlt
	jmp 4b

	.section .note.GNU-stack, "", @progbits
