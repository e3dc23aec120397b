/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Functions that only a separate debug file names, and signatures only a
 * prototype gives (tests/integration/debugsyms.sh).  tests/targets/dbgsyms.mk
 * links these objects twice with one build-id: dbgsyms-ON with its symbols
 * and DWARF, and dbgsyms-stripped-ON with neither (ld -s); the first one is
 * the debug file of the second.  Linked without -rdynamic, so none of the
 * dbg_* functions is in .dynsym: the stripped program names none.
 *
 *  dbg_same     static, in this file and in dbgsyms2.c: two functions of
 *               one name, each with its own DWARF
 *  dbg_plain    global, with its own DWARF
 *  dbg_asm_answer  written in assembly (dbgsyms_asm.S): its only DWARF is
 *               the assembler's, which says nothing of its arguments; the
 *               prototype below (a declaration in this unit's DWARF) says
 *               it takes none, as glibc's getpid
 *  dbg_twice    an IFUNC (dbgsyms2.c) whose chosen implementation is
 *               assembly too: it is typed by the prototype below, as
 *               glibc's strrchr (an unnamed parameter: "arg0" in jsonl)
 *
 * Each call is printed as "truth call FUNC ARGS RET", ARGS the JSON object
 * calltrap's jsonl output must show.
 */
#include <stdio.h>
#include <unistd.h>

#define TRACED __attribute__((noipa, used))

int dbg_asm_answer(void);
long dbg_twice(long);
int dbg_same_other(int n);

TRACED static int dbg_same(int n)
{
	return n + 1;
}

TRACED int dbg_plain(int a, int b)
{
	return a * b;
}

int main(void)
{
	int same = dbg_same(10), other = dbg_same_other(20), plain = dbg_plain(6, 7);
	int answer = dbg_asm_answer();
	long twice = dbg_twice(21);

	printf("truth pid=%d role=main\n", (int)getpid());
	printf("truth call dbg_same {\"n\": 10} %d\n", same);
	printf("truth call dbg_same_other {\"n\": 20} %d\n", other);
	printf("truth call dbg_same {\"n\": 20} %d\n", other + 1);
	printf("truth call dbg_plain {\"a\": 6, \"b\": 7} %d\n", plain);
	printf("truth call dbg_asm_answer {} %d\n", answer);
	printf("truth call dbg_twice {\"arg0\": 21} %ld\n", twice);
	printf("check dbgsyms %s\n",
	       same == 11 && other == 119 && plain == 42 && answer == 42 && twice == 42 ? "ok" :
														  "FAIL");
	return 0;
}
