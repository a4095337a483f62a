/* SPDX-License-Identifier: MIT */
/* Interrupt and exception entry stubs: one 16-byte stub per vector, and the common
 * path that saves every general register as a struct trap_frame (trap.h) and calls
 * trap_dispatch(frame).
 *
 * The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30 (Intel SDM
 * vol. 3A 6.13, table 6-1); the other stubs push a zero so that every frame has
 * the same shape. In 64-bit mode the CPU aligns RSP to 16 bytes before pushing
 * (SDM vol. 3A 6.14.2), and 7 + 15 pushes keep it aligned for the C call.
 * Handlers are C compiled with -mgeneral-regs-only, so SSE state is not touched
 * and need not be saved. */

	.section .text
	.code64
	.balign 16
	.globl trap_stubs
trap_stubs:
	vector = 0
	.rept 256
	.balign 16
	.if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp trap_common
	vector = vector + 1
	.endr

trap_common:
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
	cld
	movq %rsp, %rdi
	call trap_dispatch
	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
	addq $16, %rsp             /* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
