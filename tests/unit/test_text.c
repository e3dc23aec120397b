/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text output.  Expected lines are written by hand from the format in
 * calltrap(1) OUTPUT: "SECONDS.MICROS [PID/TID] INDENT EVENT".
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/output.h"

static const struct ct_reg_desc fake_regs[] = {
	{ "rip", 16 },
	{ "rsp", 19 },
	{ "rax", 10 },
};

static const struct ct_arch fake_arch = {
	.name = "fake",
	.reg_desc = fake_regs,
	.nr_regs = 3,
};

static struct ct_event frame_event(enum ct_event_type type, uint32_t depth)
{
	struct ct_event ev = {
		.seq = 1,
		.ts_ns = 1005433000, /* 1.005433 s */
		.pid = 4243,
		.tid = 4243,
		.type = type,
		.func = "f",
		.module = "prog",
		.addr = 0x401136,
		.depth = depth,
		.nr_args = 6,
		.args = { 1, 2, 0, 0, 0, 0 },
		.retval = 3,
		.duration_ns = 5433,
	};
	return ev;
}

static struct ct_event proc_event(enum ct_event_type type)
{
	struct ct_event ev = {
		.ts_ns = 2000000, /* 0.002000 s */
		.pid = 4242,
		.tid = 4242,
		.type = type,
	};
	return ev;
}

static void check_line_flags(const struct ct_event *ev, unsigned flags, const char *want)
{
	char buf[1024];
	size_t n = ct_text_format(ev, flags, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void check_line(const struct ct_event *ev, const char *want)
{
	check_line_flags(ev, 0, want);
}

static void test_call_return(void **state CT_UNUSED)
{
	struct ct_event ev = frame_event(CT_EV_CALL, 1);

	check_line(&ev, "1.005433 [4243] f(0x1, 0x2, 0x0, 0x0, 0x0, 0x0) {");
	ev.type = CT_EV_RETURN;
	check_line(&ev, "1.005433 [4243] } f = 0x3 <5.433 us>");
	ev.type = CT_EV_UNWIND;
	ev.duration_ns = 12000;
	check_line(&ev, "1.005433 [4243] } f <unwind> <12.000 us>");

	ev = frame_event(CT_EV_CALL, 1);
	ev.nr_args = 0;
	check_line(&ev, "1.005433 [4243] f() {");
	ev.nr_args = 2;
	ev.args[0] = 0xffffffffffffffffull;
	ev.args[1] = 0x7ffe0000abcd;
	check_line(&ev, "1.005433 [4243] f(0xffffffffffffffff, 0x7ffe0000abcd) {");
	ev.nr_args = 99; /* clamped to CT_MAX_ARGS */
	for (unsigned i = 0; i < CT_MAX_ARGS; i++)
		ev.args[i] = i;
	check_line(&ev, "1.005433 [4243] f(0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7) {");
}

static void test_indent(void **state CT_UNUSED)
{
	struct ct_event ev = frame_event(CT_EV_CALL, 2);

	ev.nr_args = 1;
	check_line(&ev, "1.005433 [4243]   f(0x1) {");
	ev.depth = 4;
	check_line(&ev, "1.005433 [4243]       f(0x1) {");
	ev.type = CT_EV_RETURN;
	check_line(&ev, "1.005433 [4243]       } f = 0x3 <5.433 us>");
	ev.type = CT_EV_UNWIND;
	ev.depth = 3;
	check_line(&ev, "1.005433 [4243]     } f <unwind> <5.433 us>");
	/* depth 0 should not happen; it must not underflow into a huge indent */
	ev.depth = 0;
	check_line(&ev, "1.005433 [4243] } f <unwind> <5.433 us>");
}

/* Indentation stops at depth 64 (126 spaces); deeper lines say their depth. */
static void test_indent_cap(void **state CT_UNUSED)
{
	struct ct_event ev = frame_event(CT_EV_CALL, 64);
	char want[512], spaces[127];

	memset(spaces, ' ', 126);
	spaces[126] = '\0';
	ev.nr_args = 1;
	snprintf(want, sizeof(want), "1.005433 [4243] %sf(0x1) {", spaces);
	check_line(&ev, want);
	ev.depth = 65;
	snprintf(want, sizeof(want), "1.005433 [4243] %s[depth 65] f(0x1) {", spaces);
	check_line(&ev, want);
	ev.type = CT_EV_RETURN;
	ev.depth = 100000;
	snprintf(want, sizeof(want), "1.005433 [4243] %s[depth 100000] } f = 0x3 <5.433 us>",
		 spaces);
	check_line(&ev, want);
	/* the longest indentation fits CT_INDENT_MAX */
	ev.depth = UINT32_MAX;
	snprintf(want, sizeof(want), "1.005433 [4243] %s[depth 4294967295] } f = 0x3 <5.433 us>",
		 spaces);
	check_line(&ev, want);
	assert_int_equal(ct_text_indent(UINT32_MAX, want), CT_INDENT_MAX);
	assert_int_equal(ct_text_indent(1, want), 0);
	assert_int_equal(ct_text_indent(0, want), 0);
}

static void test_pid_tid(void **state CT_UNUSED)
{
	struct ct_event ev = frame_event(CT_EV_RETURN, 1);

	ev.pid = 4242;
	check_line(&ev, "1.005433 [4242/4243] } f = 0x3 <5.433 us>");
}

static void test_timestamp(void **state CT_UNUSED)
{
	struct ct_event ev = frame_event(CT_EV_CALL, 1);

	ev.nr_args = 0;
	ev.ts_ns = 0;
	check_line(&ev, "0.000000 [4243] f() {");
	ev.ts_ns = 999; /* under a microsecond: truncated */
	check_line(&ev, "0.000000 [4243] f() {");
	ev.ts_ns = 1000;
	check_line(&ev, "0.000001 [4243] f() {");
	ev.ts_ns = 999999999;
	check_line(&ev, "0.999999 [4243] f() {");
	ev.ts_ns = 12345678901234;
	check_line(&ev, "12345.678901 [4243] f() {");
}

static void check_duration(uint64_t ns, const char *want_suffix)
{
	struct ct_event ev = frame_event(CT_EV_RETURN, 1);
	char want[128];

	ev.duration_ns = ns;
	snprintf(want, sizeof(want), "1.005433 [4243] } f = 0x3 %s", want_suffix);
	check_line(&ev, want);
}

static void test_duration_units(void **state CT_UNUSED)
{
	check_duration(0, "<0 ns>");
	check_duration(1, "<1 ns>");
	check_duration(999, "<999 ns>");
	check_duration(1000, "<1.000 us>");
	check_duration(1001, "<1.001 us>");
	check_duration(5433, "<5.433 us>");
	check_duration(999999, "<999.999 us>");
	check_duration(1000000, "<1.000 ms>");
	check_duration(1999999, "<1.999 ms>");
	check_duration(999999999, "<999.999 ms>");
	check_duration(1000000000, "<1.000 s>");
	check_duration(61234567890, "<61.234 s>");
	check_duration(18446744073709551615ull, "<18446744073.709 s>");
}

static void test_process_events(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_THREAD_START);

	ev.tid = 4250;
	ev.parent = 4243;
	check_line(&ev, "0.002000 [4242/4250] +++ thread 4250 started by 4243");

	ev = proc_event(CT_EV_THREAD_EXIT);
	ev.tid = 4250;
	check_line(&ev, "0.002000 [4242/4250] +++ thread exited with 0");
	ev.status = 7;
	check_line(&ev, "0.002000 [4242/4250] +++ thread exited with 7");

	ev = proc_event(CT_EV_FORK);
	ev.child = 4251;
	check_line(&ev, "0.002000 [4242] +++ fork child 4251");
	ev.flags = CT_EVF_FOLLOWED;
	check_line(&ev, "0.002000 [4242] +++ fork child 4251");
	ev.flags = CT_EVF_VFORK;
	check_line(&ev, "0.002000 [4242] +++ vfork child 4251");

	ev = proc_event(CT_EV_EXEC);
	ev.path = "/bin/true";
	check_line(&ev, "0.002000 [4242] +++ exec /bin/true");

	ev = proc_event(CT_EV_SIGNAL);
	ev.signo = 10;
	check_line(&ev, "0.002000 [4242] --- SIGUSR1 (signal 10) ---");
	ev.signo = 36;
	check_line(&ev, "0.002000 [4242] --- SIGRT_4 (signal 36) ---");

	ev = proc_event(CT_EV_EXIT);
	ev.status = 3;
	check_line(&ev, "0.002000 [4242] +++ exited with 3 +++");
	ev.status = 0;
	check_line(&ev, "0.002000 [4242] +++ exited with 0 +++");
	ev.signo = 11;
	ev.flags = CT_EVF_CORE;
	check_line(&ev, "0.002000 [4242] +++ killed by SIGSEGV (core dumped) +++");
	ev.signo = 15;
	ev.flags = 0;
	check_line(&ev, "0.002000 [4242] +++ killed by SIGTERM +++");

	/* process events are not indented, whatever depth holds */
	ev = proc_event(CT_EV_EXIT);
	ev.depth = 5;
	check_line(&ev, "0.002000 [4242] +++ exited with 0 +++");
}

static void test_escape(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_EXEC);

	/* a newline must not break the one-line-per-event rule */
	ev.path = "/tmp/a\nb\\c\x7f\x1b[0m/\xc3\xa9";
	check_line(&ev, "0.002000 [4242] +++ exec /tmp/a\\x0ab\\\\c\\x7f\\x1b[0m/\xc3\xa9");
	ev.path = NULL;
	check_line(&ev, "0.002000 [4242] +++ exec ?");

	ev = frame_event(CT_EV_CALL, 1);
	ev.nr_args = 0;
	ev.func = "operator new(unsigned long)";
	check_line(&ev, "1.005433 [4243] operator new(unsigned long)() {");
	ev.func = NULL;
	check_line(&ev, "1.005433 [4243] ?() {");
}

static void test_regs(void **state CT_UNUSED)
{
	struct ct_regs regs = { { 0 } };
	struct ct_event ev = frame_event(CT_EV_CALL, 2);

	regs.w[16] = 0x401136;
	regs.w[19] = 0x7ffc12345678;
	regs.w[10] = 0;
	ev.nr_args = 1;
	ev.arch = &fake_arch;
	ev.regs = &regs;
	/* second line: event column (16 + 2 indent = 18) plus 2 = 20 spaces */
	check_line_flags(&ev, CT_OUT_REGS,
			 "1.005433 [4243]   f(0x1) {\n"
			 "                    rip=0x401136 rsp=0x7ffc12345678 rax=0x0");
	check_line_flags(&ev, 0, "1.005433 [4243]   f(0x1) {");
	ev.regs = NULL;
	check_line_flags(&ev, CT_OUT_REGS, "1.005433 [4243]   f(0x1) {");

	ev = proc_event(CT_EV_SIGNAL);
	ev.signo = 2;
	ev.arch = &fake_arch;
	ev.regs = &regs;
	check_line_flags(&ev, CT_OUT_REGS,
			 "0.002000 [4242] --- SIGINT (signal 2) ---\n"
			 "                  rip=0x401136 rsp=0x7ffc12345678 rax=0x0");
}

static void test_snprintf_contract(void **state CT_UNUSED)
{
	struct ct_event ev = frame_event(CT_EV_RETURN, 1);
	const char *full = "1.005433 [4243] } f = 0x3 <5.433 us>";
	size_t len = strlen(full);
	char buf[128];

	assert_int_equal(ct_text_format(&ev, 0, NULL, 0), len);
	for (size_t sz = 1; sz <= len + 1; sz++) {
		size_t keep = sz - 1;

		memset(buf, '#', sizeof(buf));
		assert_int_equal(ct_text_format(&ev, 0, buf, sz), len);
		assert_memory_equal(buf, full, keep);
		assert_int_equal(buf[keep], '\0');
		assert_int_equal(buf[sz], '#');
	}
}

/* Through ct_output: whole lines, newline-terminated, in order. */
static void test_output_stream(void **state CT_UNUSED)
{
	char *mem = NULL;
	size_t memsz = 0;
	FILE *fp = open_memstream(&mem, &memsz);
	struct ct_output *o;
	struct ct_regs regs = { { 0 } };
	struct ct_event ev;
	enum ct_format fmt = CT_FMT_JSONL;

	assert_int_equal(ct_format_parse("text", &fmt), 0);
	assert_int_equal(fmt, CT_FMT_TEXT);
	assert_non_null(fp);
	o = ct_output_new(CT_FMT_TEXT, fp, CT_OUT_REGS);
	assert_non_null(o);

	ev = frame_event(CT_EV_CALL, 1);
	ev.nr_args = 2;
	assert_int_equal(ct_output_event(o, &ev), 0);
	ev = frame_event(CT_EV_CALL, 2);
	ev.func = "g";
	ev.nr_args = 0;
	ev.ts_ns += 1000;
	ev.arch = &fake_arch;
	ev.regs = &regs;
	regs.w[16] = 0x10;
	assert_int_equal(ct_output_event(o, &ev), 0);
	ev = frame_event(CT_EV_RETURN, 1);
	ev.ts_ns += 5433;
	assert_int_equal(ct_output_event(o, &ev), 0);
	assert_int_equal(ct_output_end(o), 0);
	ct_output_free(o);
	fclose(fp);

	const char *want = "1.005433 [4243] f(0x1, 0x2) {\n"
			   "1.005434 [4243]   g() {\n"
			   "                    rip=0x10 rsp=0x0 rax=0x0\n"
			   "1.005438 [4243] } f = 0x3 <5.433 us>\n";
	assert_int_equal(memsz, strlen(want));
	assert_memory_equal(mem, want, memsz);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_return),
		cmocka_unit_test(test_indent),
		cmocka_unit_test(test_indent_cap),
		cmocka_unit_test(test_pid_tid),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_process_events),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_snprintf_contract),
		cmocka_unit_test(test_output_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
