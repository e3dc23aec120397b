/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The assembly of tests/targets/dbgsyms.c: its DWARF (as -g makes it)
 * is the assembler's, a subprogram of unspecified type per function. */
#if defined(__x86_64__)
	.text
	.globl dbg_asm_answer
	.type dbg_asm_answer, @function
dbg_asm_answer:
	movl $42, %eax
	ret
	.size dbg_asm_answer, .-dbg_asm_answer

	.globl impl_twice_asm
	.hidden impl_twice_asm
	.type impl_twice_asm, @function
impl_twice_asm:
	leaq (%rdi,%rdi), %rax
	ret
	.size impl_twice_asm, .-impl_twice_asm
#elif defined(__aarch64__)
	.text
	.p2align 2
	.globl dbg_asm_answer
	.type dbg_asm_answer, %function
dbg_asm_answer:
	mov w0, #42
	ret
	.size dbg_asm_answer, .-dbg_asm_answer

	.p2align 2
	.globl impl_twice_asm
	.hidden impl_twice_asm
	.type impl_twice_asm, %function
impl_twice_asm:
	lsl x0, x0, #1
	ret
	.size impl_twice_asm, .-impl_twice_asm
#else
#error "dbgsyms_asm.S: x86_64 or aarch64 only"
#endif
	.section .note.GNU-stack, "", %progbits
