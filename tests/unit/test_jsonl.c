/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON lines output.  Every expected line is written out by hand from
 * DESIGN.md "Event schema" and docs/events.md, not taken from the program.
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

/* A made-up ISA with three registers, listed out of word order so that the
 * test shows the output follows reg_desc and not the raw layout. */
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

static struct ct_event call_event(void)
{
	struct ct_event ev = {
		.seq = 7,
		.ts_ns = 1234567,
		.pid = 4242,
		.tid = 4243,
		.type = CT_EV_CALL,
		.func = "f",
		.module = "prog",
		.addr = 0x401136,
		.depth = 1,
		.nr_args = 6,
		.args = { 1, 2, 0, 0, 0, 0 },
	};
	return ev;
}

static struct ct_event proc_event(enum ct_event_type type)
{
	struct ct_event ev = {
		.seq = 1,
		.ts_ns = 50,
		.pid = 100,
		.tid = 101,
		.type = type,
	};
	return ev;
}

/* Formats ev and checks the line and the returned length. */
static void check_line(const struct ct_event *ev, const char *want)
{
	char buf[1024];
	size_t n = ct_jsonl_format(ev, buf, sizeof(buf));

	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_call(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,\"type\":\"call\","
			"\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":1,"
			"\"args\":[\"0x1\",\"0x2\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"]}");
}

/* docs/events.md: "tail":true after the arguments of a call a jump made */
static void test_call_tail(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	ev.flags = CT_EVF_TAIL;
	ev.depth = 2;
	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,\"type\":\"call\","
			"\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":2,"
			"\"args\":[\"0x1\",\"0x2\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"],\"tail\":true}");
}

static void test_call_no_args_and_clamp(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	ev.nr_args = 0;
	ev.depth = 12;
	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,\"type\":\"call\","
			"\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":12,"
			"\"args\":[]}");

	/* a bogus count must not read past args[CT_MAX_ARGS] */
	ev.nr_args = 1000;
	ev.depth = 1;
	for (unsigned i = 0; i < CT_MAX_ARGS; i++)
		ev.args[i] = 0xa0 + i;
	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,\"type\":\"call\","
			"\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":1,"
			"\"args\":[\"0xa0\",\"0xa1\",\"0xa2\",\"0xa3\",\"0xa4\",\"0xa5\",\"0xa6\","
			"\"0xa7\"]}");
}

static void test_extremes(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	ev.seq = UINT64_MAX;
	ev.ts_ns = 0;
	ev.addr = UINT64_MAX;
	ev.nr_args = 2;
	ev.args[0] = 0x8000000000000000ull;
	ev.args[1] = 0xdeadbeef;
	ev.func = NULL;
	ev.module = NULL;
	check_line(&ev, "{\"seq\":18446744073709551615,\"ts_ns\":0,\"pid\":4242,\"tid\":4243,"
			"\"type\":\"call\",\"func\":null,\"module\":null,"
			"\"addr\":\"0xffffffffffffffff\",\"depth\":1,"
			"\"args\":[\"0x8000000000000000\",\"0xdeadbeef\"]}");
}

static void test_return(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	ev.seq = 8;
	ev.ts_ns = 1240000;
	ev.type = CT_EV_RETURN;
	ev.retval = 3;
	ev.duration_ns = 5433;
	check_line(&ev, "{\"seq\":8,\"ts_ns\":1240000,\"pid\":4242,\"tid\":4243,"
			"\"type\":\"return\","
			"\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":1,"
			"\"retval\":\"0x3\",\"duration_ns\":5433}");
}

static void test_unwind(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	ev.type = CT_EV_UNWIND;
	ev.func = "_ZN3foo3barEv";
	ev.module = "libfoo.so.1";
	ev.addr = 0x7f0012345678;
	ev.depth = 3;
	ev.retval = 99; /* not part of an unwind */
	ev.duration_ns = 12000;
	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,"
			"\"type\":\"unwind\","
			"\"func\":\"_ZN3foo3barEv\",\"module\":\"libfoo.so.1\","
			"\"addr\":\"0x7f0012345678\",\"depth\":3,\"duration_ns\":12000}");
}

#define HDR(type) "{\"seq\":1,\"ts_ns\":50,\"pid\":100,\"tid\":101,\"type\":\"" type "\""

static void test_thread_events(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_THREAD_START);

	ev.parent = 100;
	check_line(&ev, HDR("thread_start") ",\"parent\":100}");

	ev = proc_event(CT_EV_THREAD_EXIT);
	ev.status = 0;
	check_line(&ev, HDR("thread_exit") ",\"status\":0}");
	ev.status = -1;
	check_line(&ev, HDR("thread_exit") ",\"status\":-1}");
}

static void test_fork(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_FORK);

	ev.child = 4251;
	check_line(&ev, HDR("fork") ",\"child\":4251,\"vfork\":false,\"followed\":false}");
	ev.flags = CT_EVF_VFORK;
	check_line(&ev, HDR("fork") ",\"child\":4251,\"vfork\":true,\"followed\":false}");
	ev.flags = CT_EVF_FOLLOWED;
	check_line(&ev, HDR("fork") ",\"child\":4251,\"vfork\":false,\"followed\":true}");
	ev.flags = CT_EVF_VFORK | CT_EVF_FOLLOWED;
	check_line(&ev, HDR("fork") ",\"child\":4251,\"vfork\":true,\"followed\":true}");
}

static void test_exec(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_EXEC);

	ev.path = "/bin/true";
	check_line(&ev, HDR("exec") ",\"path\":\"/bin/true\"}");
	ev.path = NULL;
	check_line(&ev, HDR("exec") ",\"path\":null}");
}

static void test_signal(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_SIGNAL);

	ev.signo = 10;
	check_line(&ev, HDR("signal") ",\"signo\":10,\"signame\":\"SIGUSR1\"}");
	ev.signo = 1;
	check_line(&ev, HDR("signal") ",\"signo\":1,\"signame\":\"SIGHUP\"}");
	ev.signo = 31;
	check_line(&ev, HDR("signal") ",\"signo\":31,\"signame\":\"SIGSYS\"}");
	ev.signo = 32;
	check_line(&ev, HDR("signal") ",\"signo\":32,\"signame\":\"SIGRT_0\"}");
	ev.signo = 35;
	check_line(&ev, HDR("signal") ",\"signo\":35,\"signame\":\"SIGRT_3\"}");
	ev.signo = 64;
	check_line(&ev, HDR("signal") ",\"signo\":64,\"signame\":\"SIGRT_32\"}");
	ev.signo = 65;
	check_line(&ev, HDR("signal") ",\"signo\":65,\"signame\":\"SIG65\"}");
	ev.signo = 0;
	check_line(&ev, HDR("signal") ",\"signo\":0,\"signame\":\"SIG0\"}");
}

static void test_exit(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_EXIT);

	ev.status = 3;
	check_line(&ev, HDR("exit") ",\"status\":3}");

	ev.status = 0;
	ev.signo = 11;
	ev.flags = CT_EVF_CORE;
	check_line(&ev, HDR("exit") ",\"signo\":11,\"signame\":\"SIGSEGV\",\"core\":true}");
	ev.signo = 9;
	ev.flags = 0;
	check_line(&ev, HDR("exit") ",\"signo\":9,\"signame\":\"SIGKILL\",\"core\":false}");
}

static void test_type_names(void **state CT_UNUSED)
{
	static const char *const want[CT_EV_NR_TYPES] = {
		"call", "return", "unwind", "thread_start", "thread_exit",
		"fork", "exec", "signal", "exit",
	};

	for (unsigned t = 0; t < CT_EV_NR_TYPES; t++)
		assert_string_equal(ct_event_type_name(t), want[t]);
	assert_string_equal(ct_event_type_name(CT_EV_NR_TYPES), "unknown");
	assert_string_equal(ct_event_type_name((enum ct_event_type)-1), "unknown");

	/* a damaged type still yields a well-formed object */
	struct ct_event ev = proc_event((enum ct_event_type)77);
	check_line(&ev, HDR("unknown") "}");
}

static void test_regs(void **state CT_UNUSED)
{
	struct ct_regs regs = { { 0 } };
	struct ct_event ev = call_event();
	const char *base = "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,"
			   "\"type\":\"call\","
			   "\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":1,"
			   "\"args\":[\"0x1\",\"0x2\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"]";
	char want[1024], buf[1024];
	size_t n;

	regs.w[16] = 0x401136;
	regs.w[19] = 0x7ffc12345678;
	regs.w[10] = 0;
	regs.w[0] = 0x1111; /* not described: never printed */
	ev.arch = &fake_arch;
	ev.regs = &regs;

	snprintf(want, sizeof(want), "%s%s", base,
		 ",\"regs\":{\"rip\":\"0x401136\",\"rsp\":\"0x7ffc12345678\",\"rax\":\"0x0\"}}");
	check_line(&ev, want);
	n = ct_jsonl_format_flags(&ev, CT_OUT_REGS, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));

	/* without the flag, or without a snapshot, no "regs" */
	snprintf(want, sizeof(want), "%s}", base);
	n = ct_jsonl_format_flags(&ev, 0, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	ev.regs = NULL;
	check_line(&ev, want);

	/* regs on a process event go last too */
	ev = proc_event(CT_EV_SIGNAL);
	ev.signo = 10;
	ev.arch = &fake_arch;
	ev.regs = &regs;
	check_line(&ev, HDR("signal") ",\"signo\":10,\"signame\":\"SIGUSR1\","
				      "\"regs\":{\"rip\":\"0x401136\",\"rsp\":\"0x7ffc12345678\","
				      "\"rax\":\"0x0\"}}");
}

static void test_escape_func(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();

	ev.nr_args = 0;
	ev.func = "a\"b\\c\nd\x01" "e\x7f" "f\x1f";
	ev.module = "my\tlib.so";
	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,\"type\":\"call\","
			"\"func\":\"a\\\"b\\\\c\\u000ad\\u0001e\\u007ff\\u001f\","
			"\"module\":\"my\\u0009lib.so\",\"addr\":\"0x401136\",\"depth\":1,"
			"\"args\":[]}");

	/* C++ names keep their punctuation */
	ev.func = "std::vector<int, std::allocator<int> >::push_back(int const&)";
	ev.module = "prog";
	check_line(&ev, "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,\"type\":\"call\","
			"\"func\":\"std::vector<int, std::allocator<int> >"
			"::push_back(int const&)\","
			"\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":1,\"args\":[]}");
}

static void test_escape_utf8(void **state CT_UNUSED)
{
	struct ct_event ev = proc_event(CT_EV_EXEC);

	/* valid: U+00E9, U+20AC, U+1F600, U+D7FF (last before the surrogates),
	 * U+10FFFF (the last code point): copied unchanged */
	ev.path = "/tmp/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xed\x9f\xbf\xf4\x8f\xbf\xbf";
	check_line(&ev, HDR("exec") ",\"path\":\"/tmp/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
				    "\xed\x9f\xbf\xf4\x8f\xbf\xbf\"}");

	/* invalid: each byte that does not start a valid sequence is escaped
	 * alone, and scanning resumes at the next byte */
	ev.path = "|\xff|\xc3" "x|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe2\x82";
	check_line(&ev, HDR("exec") ",\"path\":\"|\\u00ff|\\u00c3x|\\u00c0\\u00af|"
				    "\\u00ed\\u00a0\\u0080|\\u00f4\\u0090\\u0080\\u0080|"
				    "\\u0080|\\u00e2\\u0082\"}");

	/* overlong 3-byte form and a 4-byte lead with a short tail */
	ev.path = "\xe0\x80\xaf\xf0\x9f\x98";
	check_line(&ev, HDR("exec") ",\"path\":\"\\u00e0\\u0080\\u00af"
				    "\\u00f0\\u009f\\u0098\"}");
	/* overlong 4-byte form of U+FFFF */
	ev.path = "\xf0\x8f\xbf\xbf";
	check_line(&ev, HDR("exec") ",\"path\":\"\\u00f0\\u008f\\u00bf\\u00bf\"}");
	ev.path = "";
	check_line(&ev, HDR("exec") ",\"path\":\"\"}");
}

static void test_snprintf_contract(void **state CT_UNUSED)
{
	struct ct_event ev = call_event();
	const char *full = "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,"
			   "\"type\":\"call\","
			   "\"func\":\"f\",\"module\":\"prog\",\"addr\":\"0x401136\",\"depth\":1,"
			   "\"args\":[\"0x1\",\"0x2\",\"0x0\",\"0x0\",\"0x0\",\"0x0\"]}";
	size_t len = strlen(full);
	char buf[512];
	size_t sizes[] = { 1, 2, 10, 20, 57, 58, len - 1, len, len + 1 };

	assert_int_equal(ct_jsonl_format(&ev, NULL, 0), len);
	memset(buf, '#', sizeof(buf));
	assert_int_equal(ct_jsonl_format(&ev, buf, 0), len);
	assert_int_equal(buf[0], '#');

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t sz = sizes[i];
		size_t keep = sz - 1 < len ? sz - 1 : len;

		memset(buf, '#', sizeof(buf));
		assert_int_equal(ct_jsonl_format(&ev, buf, sz), len);
		assert_memory_equal(buf, full, keep);
		assert_int_equal(buf[keep], '\0');
		/* nothing written past bufsz */
		for (size_t j = sz; j < sizeof(buf); j++)
			assert_int_equal(buf[j], '#');
	}

	/* cut in the middle of an escape: the prefix is exact, nothing overruns */
	const char *esc = "{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,"
			  "\"type\":\"call\",\"func\":\"\\u0001\\u0002\\u0003\",";
	size_t cut = strlen("{\"seq\":7,\"ts_ns\":1234567,\"pid\":4242,\"tid\":4243,"
			    "\"type\":\"call\",\"func\":\"\\u00");

	ev.func = "\x01\x02\x03";
	memset(buf, '#', sizeof(buf));
	assert_int_equal(ct_jsonl_format(&ev, buf, cut + 1), len - 1 + 3 * 6);
	assert_memory_equal(buf, esc, cut);
	assert_int_equal(buf[cut], '\0');
	assert_int_equal(buf[cut + 1], '#');
}

/* ct_output: one line per event, newline-terminated, through a FILE. */
static void test_output_stream(void **state CT_UNUSED)
{
	char *mem = NULL;
	size_t memsz = 0;
	FILE *fp = open_memstream(&mem, &memsz);
	struct ct_output *o;
	struct ct_event ev = proc_event(CT_EV_EXIT);
	struct ct_regs regs = { { 0 } };
	enum ct_format fmt = CT_FMT_TEXT;
	static char longname[10000];

	assert_non_null(fp);
	assert_int_equal(ct_format_parse("jsonl", &fmt), 0);
	assert_int_equal(fmt, CT_FMT_JSONL);
	assert_int_equal(ct_format_parse("json", &fmt), -EINVAL);
	assert_int_equal(ct_format_parse(NULL, &fmt), -EINVAL);
	assert_int_equal(fmt, CT_FMT_JSONL);

	/* without CT_OUT_REGS the snapshot is left out */
	o = ct_output_new(CT_FMT_JSONL, fp, 0);
	assert_non_null(o);
	ev.status = 3;
	ev.arch = &fake_arch;
	ev.regs = &regs;
	assert_int_equal(ct_output_event(o, &ev), 0);

	/* a line longer than the initial buffer */
	memset(longname, 'n', sizeof(longname) - 1);
	ev = proc_event(CT_EV_EXEC);
	ev.seq = 2;
	ev.path = longname;
	assert_int_equal(ct_output_event(o, &ev), 0);
	assert_int_equal(ct_output_end(o), 0);
	ct_output_free(o);
	fclose(fp);

	const char *l1 = HDR("exit") ",\"status\":3}\n";
	const char *p2 = "{\"seq\":2,\"ts_ns\":50,\"pid\":100,\"tid\":101,"
			 "\"type\":\"exec\",\"path\":\"";
	size_t n1 = strlen(l1), n2 = strlen(p2);

	assert_int_equal(memsz, n1 + n2 + 9999 + 3);
	assert_memory_equal(mem, l1, n1);
	assert_memory_equal(mem + n1, p2, n2);
	for (size_t i = 0; i < 9999; i++)
		assert_int_equal(mem[n1 + n2 + i], 'n');
	assert_memory_equal(mem + n1 + n2 + 9999, "\"}\n", 3);
	free(mem);

	errno = 0;
	assert_null(ct_output_new((enum ct_format)9, stderr, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(ct_output_new(CT_FMT_TEXT, NULL, 0));
	assert_int_equal(ct_output_event(NULL, &ev), -EINVAL);
	ct_output_free(NULL);
}

/* A write error surfaces as a negative errno, not silently. */
static void test_output_error(void **state CT_UNUSED)
{
	FILE *fp = fopen("/dev/full", "w");
	struct ct_output *o;
	struct ct_event ev = proc_event(CT_EV_EXIT);
	int err;

	if (!fp)
		skip();
	o = ct_output_new(CT_FMT_JSONL, fp, 0);
	assert_non_null(o);
	setvbuf(fp, NULL, _IONBF, 0);
	err = ct_output_event(o, &ev);
	assert_int_equal(err, -ENOSPC);
	ct_output_free(o);
	fclose(fp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_call_tail),
		cmocka_unit_test(test_call_no_args_and_clamp),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_return),
		cmocka_unit_test(test_unwind),
		cmocka_unit_test(test_thread_events),
		cmocka_unit_test(test_fork),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_escape_func),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_snprintf_contract),
		cmocka_unit_test(test_output_stream),
		cmocka_unit_test(test_output_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
