/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The classic BPF interpreter that asks a process's seccomp filters about
 * the system calls calltrap would inject (src/ptrace/seccomp_bpf.c): each
 * instruction class against values worked out by hand, the programs the
 * kernel would refuse, the precedence of actions across filters, and, where
 * the kernel lets a child install filters, the kernel's own verdict on the
 * same programs and data.
 */
#include "config.h"

#include <errno.h>
#include <linux/audit.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptrace/seccomp.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))
#define RET_A BPF_STMT(BPF_RET | BPF_A, 0)
#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HI(n) (ARG_LO(n) + 4)
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (IP_LO + 4)

static struct seccomp_data data(int nr, uint32_t arch, uint64_t ip, uint64_t a0, uint64_t a1,
				uint64_t a2, uint64_t a3)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = arch;
	d.instruction_pointer = ip;
	d.args[0] = a0;
	d.args[1] = a1;
	d.args[2] = a2;
	d.args[3] = a3;
	return d;
}

/* kill on mmap (x86_64 9) of this arch, allow the rest */
static const struct sock_filter kill_mmap[] = {
	LD(offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
	LD(offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 9, 0, 1),
	RET(SECCOMP_RET_KILL_PROCESS),
	RET(SECCOMP_RET_ALLOW),
};

static void test_number_and_arch(void **state)
{
	struct seccomp_data d;

	(void)state;
	d = data(9, AUDIT_ARCH_X86_64, 0, 0, 0, 0, 0);
	assert_int_equal(ct_seccomp_run(kill_mmap, N(kill_mmap), &d), SECCOMP_RET_KILL_PROCESS);
	d = data(11, AUDIT_ARCH_X86_64, 0, 0, 0, 0, 0);
	assert_int_equal(ct_seccomp_run(kill_mmap, N(kill_mmap), &d), SECCOMP_RET_ALLOW);
	/* aarch64's 9 is another call: the filter's arch test lets it by */
	d = data(9, AUDIT_ARCH_AARCH64, 0, 0, 0, 0, 0);
	assert_int_equal(ct_seccomp_run(kill_mmap, N(kill_mmap), &d), SECCOMP_RET_ALLOW);
}

/* the anonymous executable mmap calltrap makes, told from others by args */
static void test_arguments(void **state)
{
	static const struct sock_filter exec_anon[] = {
		LD(offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 222, 0, 4),
		LD(ARG_LO(2)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 2),
		LD(ARG_LO(3)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 1, 0),
		RET(SECCOMP_RET_ALLOW),
		RET(SECCOMP_RET_ERRNO | EPERM),
	};
	struct seccomp_data d;

	(void)state;
	d = data(222, AUDIT_ARCH_AARCH64, 0, 0x10000, 0x40000, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS);
	assert_int_equal(ct_seccomp_run(exec_anon, N(exec_anon), &d), SECCOMP_RET_ERRNO | EPERM);
	d.args[2] = PROT_READ | PROT_WRITE;
	assert_int_equal(ct_seccomp_run(exec_anon, N(exec_anon), &d), SECCOMP_RET_ALLOW);
	d.args[2] = PROT_READ | PROT_EXEC;
	d.args[3] = MAP_PRIVATE;
	assert_int_equal(ct_seccomp_run(exec_anon, N(exec_anon), &d), SECCOMP_RET_ALLOW);
}

/* 64-bit values are two words, low first on our (little-endian) hosts */
static void test_high_words(void **state)
{
	static const struct sock_filter ip_range[] = {
		LD(IP_HI),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x7fff, 0, 3),
		LD(IP_LO),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x10000000, 0, 1),
		RET(SECCOMP_RET_TRAP | 7),
		LD(ARG_HI(5)),
		RET_A,
	};
	struct seccomp_data d;

	(void)state;
	d = data(0, 0, 0x7fff12345678ull, 0, 0, 0, 0);
	assert_int_equal(ct_seccomp_run(ip_range, N(ip_range), &d), SECCOMP_RET_TRAP | 7);
	d.instruction_pointer = 0x7fff00000010ull;
	d.args[5] = 0xabcdef0100000000ull;
	assert_int_equal(ct_seccomp_run(ip_range, N(ip_range), &d), 0xabcdef01u);
	d.instruction_pointer = 0x12345678ull;
	assert_int_equal(ct_seccomp_run(ip_range, N(ip_range), &d), 0xabcdef01u);
}

/* Every ALU operation, K and X forms; scratch memory; TAX/TXA; LEN. */
static const struct sock_filter alu[] = {
	LD(ARG_LO(0)),                                 /* A = a0 = 1000 */
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 24),       /* 1024 */
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 3),        /* 128 */
	BPF_STMT(BPF_ST, 2),                           /* M[2] = 128 */
	BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0),        /* X = 64 */
	BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0),        /* 64 */
	BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 3),        /* 192 */
	BPF_STMT(BPF_LDX | BPF_IMM, 5),                /* X = 5 */
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),        /* 38 */
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x100),     /* 0x126 */
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x1f4),    /* 0x124 */
	BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),        /* 0x121 */
	BPF_STMT(BPF_LDX | BPF_MEM, 2),                /* X = 128 */
	BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),        /* 0x1a1 */
	BPF_STMT(BPF_STX, 3),                          /* M[3] = 128 */
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 4),        /* 0x1a10 */
	BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 16),       /* 0x1a1 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),               /* X = 0x1a1 */
	BPF_STMT(BPF_LD | BPF_MEM, 3),                 /* A = 128 */
	BPF_STMT(BPF_ALU | BPF_NEG, 0),                /* -128 */
	BPF_STMT(BPF_ALU | BPF_AND | BPF_X, 0),        /* 0xffffff80 & 0x1a1 = 0x180 */
	BPF_STMT(BPF_LDX | BPF_IMM, 33),               /* X = 33: shifts by 33 & 31 */
	BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),        /* 0x300 */
	BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),        /* 0x180 */
	BPF_STMT(BPF_MISC | BPF_TAX, 0),               /* X = 0x180 */
	BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),         /* A = 64 */
	BPF_STMT(BPF_MISC | BPF_TXA, 0),               /* A = 0x180 */
	BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 1, 0),  /* A > X? no */
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 0x0e),      /* 0x18e */
	BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
	RET_A,                                         /* ERRNO | 0x18e */
};
#define ALU_A0 1000
#define ALU_RESULT (SECCOMP_RET_ERRNO | 0x18e)

static void test_alu(void **state)
{
	struct seccomp_data d = data(39, AUDIT_ARCH_X86_64, 0, ALU_A0, 0, 0, 0);

	(void)state;
	assert_int_equal(ct_seccomp_run(alu, N(alu), &d), ALU_RESULT);
}

static void test_jumps(void **state)
{
	/* JA over a kill; JSET with X; JGE equal; JEQ with X */
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		RET(SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LDX | BPF_IMM, 6),
		LD(ARG_LO(1)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 3),  /* a1 & 6 */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 6, 0, 1),   /* a1 >= 6 */
		RET(SECCOMP_RET_TRACE | 1),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0),   /* a1 == 6 (never here) */
		RET(SECCOMP_RET_LOG),
		RET(SECCOMP_RET_USER_NOTIF),
	};
	struct seccomp_data d = data(0, 0, 0, 0, 6, 0, 0);

	(void)state;
	assert_int_equal(ct_seccomp_run(prog, N(prog), &d), SECCOMP_RET_TRACE | 1);
	d.args[1] = 2; /* JSET yes, JGE no, JEQ no */
	assert_int_equal(ct_seccomp_run(prog, N(prog), &d), SECCOMP_RET_LOG);
	d.args[1] = 8; /* JSET no */
	assert_int_equal(ct_seccomp_run(prog, N(prog), &d), SECCOMP_RET_LOG);
}

/* What the kernel refuses to load counts as a kill; what it runs to 0 is 0. */
static void test_invalid(void **state)
{
	static const struct sock_filter off_end[] = { LD(0) };
	static const struct sock_filter jump_out[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	static const struct sock_filter ja_out[] = { BPF_STMT(BPF_JMP | BPF_JA, 1),
						     RET(SECCOMP_RET_ALLOW) };
	static const struct sock_filter unaligned[] = { LD(2), RET(SECCOMP_RET_ALLOW) };
	static const struct sock_filter past_data[] = { LD(64), RET(SECCOMP_RET_ALLOW) };
	static const struct sock_filter byte_load[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	static const struct sock_filter bad_mem[] = { BPF_STMT(BPF_ST, 16), RET(SECCOMP_RET_ALLOW) };
	static const struct sock_filter div_zero[] = {
		BPF_STMT(BPF_LD | BPF_IMM, 7),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	struct seccomp_data d = data(0, 0, 0, 0, 0, 0, 0);

	(void)state;
	assert_int_equal(ct_seccomp_run(off_end, N(off_end), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(jump_out, N(jump_out), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(ja_out, N(ja_out), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(unaligned, N(unaligned), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(past_data, N(past_data), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(byte_load, N(byte_load), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(bad_mem, N(bad_mem), &d), SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(ct_seccomp_run(div_zero, N(div_zero), &d), SECCOMP_RET_KILL_THREAD);
	assert_int_equal(ct_seccomp_run(NULL, 0, &d), SECCOMP_RET_KILL_PROCESS);
}

/* kernel/seccomp.c seccomp_run_filters: the lowest ACTION_ONLY (signed)
 * wins, the first of equals stays; the verdict is ALLOW or LOG only. */
static void test_precedence(void **state)
{
	static const uint32_t order[] = {
		SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP | 1,
		SECCOMP_RET_ERRNO | 13,   SECCOMP_RET_USER_NOTIF,  SECCOMP_RET_TRACE | 2,
		SECCOMP_RET_LOG,          SECCOMP_RET_ALLOW,
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < N(order); i++)
		for (j = 0; j < N(order); j++)
			assert_int_equal(ct_seccomp_combine(order[i], order[j]),
					 order[i < j ? i : j]);
	assert_int_equal(ct_seccomp_combine(SECCOMP_RET_ERRNO | 1, SECCOMP_RET_ERRNO | 2),
			 SECCOMP_RET_ERRNO | 1);
	for (i = 0; i < N(order); i++)
		assert_int_equal(ct_seccomp_allows(order[i]), i >= 6);
	assert_true(ct_seccomp_allows(SECCOMP_RET_ALLOW | 0x1234));
	assert_false(ct_seccomp_allows(0x00010000)); /* no such action: a kill */
	assert_string_equal(ct_seccomp_action_name(SECCOMP_RET_ERRNO | 1), "errno");
	assert_string_equal(ct_seccomp_action_name(0x00010000), "kill");
}

/* The kernel's verdict: a child installs the program, makes a system call
 * with our data (getpid ignores its arguments, the filter sees them), and
 * exits with the errno the filter's RET ERRNO gave. */
static int kernel_errno(const struct sock_filter *insns, size_t n, uint64_t a0)
{
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = (struct sock_filter *)insns };
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(255);
		r = syscall(SYS_getpid, a0, 0, 0, 0, 0, 0);
		_exit(r < 0 ? errno & 0xff : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_against_kernel(void **state)
{
	struct seccomp_data d = data(SYS_getpid, AUDIT_ARCH_X86_64, 0, ALU_A0, 0, 0, 0);
	/* alu for getpid only: the child must still be able to exit */
	struct sock_filter prog[3 + N(alu)] = {
		LD(offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 1, 0),
		RET(SECCOMP_RET_ALLOW),
	};
	int got;

	(void)state;
	memcpy(prog + 3, alu, sizeof(alu));
	got = kernel_errno(prog, N(prog), ALU_A0);
	if (got == 255)
		skip(); /* no seccomp here */
	/* errno is the low 12 bits; exit statuses hold 8 */
	assert_int_equal(got, (int)(ct_seccomp_run(alu, N(alu), &d) & 0xff));
	assert_int_equal(got, ALU_RESULT & 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_and_arch),
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_high_words),
		cmocka_unit_test(test_alu),
		cmocka_unit_test(test_jumps),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_against_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
