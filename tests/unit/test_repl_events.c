/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/repl/cmd_events.c, cmd_views.c: the event commands, called through
 * their table with a fake of the REPL (the ct_repl_* functions of
 * internal.h are defined here) that prints into a temporary file.
 *
 * The trace is repl_trace.h's with K = 3; each expected line is written
 * out by hand from it (calltrap(1) OUTPUT: "SECONDS.MICROS [PID/TID]
 * INDENT EVENT", two spaces per depth level beyond the first).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "repl/internal.h"

#define K 3
#include "repl_trace.h"

/* ---- the fake REPL ---- */

struct ct_repl {
	FILE *out;
	struct ct_store *st;
	char err[4096];
	size_t errlen;
	bool live;
	bool failed; /* ct_repl_fail_later() */
};

FILE *ct_repl_out(struct ct_repl *r)
{
	return r->out;
}

int ct_repl_error(struct ct_repl *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err + r->errlen, sizeof(r->err) - r->errlen, "calltrap: ");
	r->errlen += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(r->err + r->errlen, sizeof(r->err) - r->errlen, fmt, ap);
	va_end(ap);
	r->errlen += (size_t)n;
	n = snprintf(r->err + r->errlen, sizeof(r->err) - r->errlen, "\n");
	r->errlen += (size_t)n;
	assert_true(r->errlen < sizeof(r->err));
	return -1;
}

void ct_repl_fail_later(struct ct_repl *r)
{
	r->failed = true;
}

bool ct_repl_interactive(CT_UNUSED const struct ct_repl *r)
{
	return false;
}

enum ct_demangle ct_repl_demangle(CT_UNUSED const struct ct_repl *r)
{
	return CT_DEMANGLE_SHORT;
}

struct ct_store *ct_repl_store(struct ct_repl *r)
{
	if (!r->st)
		ct_repl_error(r, "no events");
	return r->st;
}

int ct_repl_set_store(struct ct_repl *r, struct ct_store *st)
{
	if (r->live)
		return ct_repl_error(r, "a program is being traced");
	ct_store_free(r->st);
	r->st = st;
	return 0;
}

bool ct_repl_live(const struct ct_repl *r)
{
	return r->live;
}

/* no program runs: views end at their last event */
void ct_repl_view_end(CT_UNUSED const struct ct_repl *r, CT_UNUSED struct ct_view_input *in)
{
}

/* ---- running commands ---- */

static char outbuf[1 << 16];

/* Run line (words split at spaces); its rc must be want_rc.  Returns what
 * it printed; r->err has its error lines. */
static const char *run(struct ct_repl *r, const char *line, int want_rc)
{
	char copy[512], *argv[16], *save = NULL, *w;
	const struct ct_repl_cmd *c;
	int argc = 0, rc;
	long n;

	snprintf(copy, sizeof(copy), "%s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 15; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	for (c = ct_repl_event_cmds; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			break;
	if (!c->name)
		fail_msg("no command '%s'", argv[0]);
	r->errlen = 0;
	r->err[0] = '\0';
	assert_int_equal(ftruncate(fileno(r->out), 0), 0);
	rewind(r->out);
	rc = c->fn(r, argc, argv);
	fflush(r->out);
	if (rc != want_rc)
		fail_msg("'%s' returned %d, not %d; stderr: %s", line, rc, want_rc, r->err);
	n = ftell(r->out);
	assert_true(n >= 0 && (size_t)n < sizeof(outbuf));
	rewind(r->out);
	assert_int_equal(fread(outbuf, 1, (size_t)n, r->out), (size_t)n);
	outbuf[n] = '\0';
	return outbuf;
}

#define OK(r, line, want) assert_string_equal(run(r, line, 0), want)
/* fails, printing nothing and one error line */
#define ERR(r, line, msg)                                                                          \
	do {                                                                                       \
		assert_string_equal(run(r, line, -1), "");                                         \
		assert_string_equal((r)->err, "calltrap: " msg "\n");                              \
	} while (0)

static unsigned lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static struct ct_event trace[N_EVENTS];

static int setup(void **state)
{
	struct ct_repl *r = calloc(1, sizeof(*r));
	int fd;

	assert_non_null(r);
	r->out = tmpfile();
	assert_non_null(r->out);
	make_trace(trace);
	fd = write_events(trace, N_EVENTS, CT_TRACE_CHUNK_MIN, NULL);
	r->st = open_store(fd, false);
	close(fd);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct ct_repl *r = *state;

	ct_store_free(r->st);
	fclose(r->out);
	free(r);
	return 0;
}

/* ---- the lines of the trace ---- */

#define L1000 "#1000 0.000001 [100] main(0x1, 0x77) {\n"
#define L1001 "#1001 0.000001 [100]   a(0x3, 0x77) {\n"
#define L1002 "#1002 0.000001 [100]     b(0x5, 0x77) {\n"
#define L1003 "#1003 0.000001 [100]     } b = 0x7 <300 ns>\n"
#define L1004 "#1004 0.000002 [100]   } a = 0x8 <900 ns>\n"
#define L1005 "#1005 0.000002 [100/101] +++ thread 101 started by 100\n"
#define L1006 "#1006 0.000002 [100/101] worker(0x0, 0x77) {\n"
#define L1007 "#1007 0.000002 [100]   c(0x0, 0x77) {\n"
#define L1008 "#1008 0.000002 [100/101]   b(0x0, 0x77) {\n"
#define L1009 "#1009 0.000002 [100/101]   } b <unwind> <200 ns>\n"
#define L1010 "#1010 0.000003 [100/101] } worker = 0x0 <800 ns>\n"
#define L1011 "#1011 0.000003 [100/101] +++ thread exited with 0\n"
#define L1012 "#1012 0.000004 [100]   } c = 0x9 <1.700 us>\n"
#define L1013 "#1013 0.000005 [100] } main = 0x0 <4.000 us>\n"
#define L1014 "#1014 0.000005 [100/103] x(0x0, 0x77) {\n"
#define L1015 "#1015 0.000005 [100/103]   y(0x0, 0x77) {\n"
#define L1016 "#1016 0.000005 [100/103] } x = 0x0 <300 ns>\n"
#define L1017 "#1017 0.000010 [100/102] leaf(0x0, 0x77) {\n"
#define L1018 "#1018 0.000010 [100/102] } leaf = 0x1 <50 ns>\n"
#define L1019 "#1019 0.000010 [100/102] leaf(0x1, 0x77) {\n"
#define L1021 "#1021 0.000010 [100/102] leaf(0x2, 0x77) {\n"
#define L1023 "#1023 0.000010 [100/102] open(0x0, 0x77) {\n"

static void test_events(void **state)
{
	struct ct_repl *r = *state;
	const char *out;

	OK(r, "events 3", L1000 L1001 L1002);
	OK(r, "events 2", L1003 L1004); /* goes on */
	OK(r, "goto 1010", L1010);
	OK(r, "events 2", L1010 L1011); /* from the cursor */
	OK(r, "events 1", "#1012 0.000004 [100]   } c = 0x9 <1.700 us>\n");
	out = run(r, "events all", 0);
	assert_int_equal(lines(out), N_EVENTS);
	assert_true(!strncmp(out, L1000, strlen(L1000)));
	assert_non_null(strstr(out, L1016 L1017 L1018 L1019));
	assert_non_null(strstr(out, L1023));
	OK(r, "goto last", L1023);
	OK(r, "events", L1023);
	OK(r, "events", "no more events\n");
	ERR(r, "events 0", "events: invalid count '0' (a number >= 1, or all)");
	ERR(r, "events x", "events: invalid count 'x' (a number >= 1, or all)");
	ERR(r, "events 1 2", "usage: events [N | all]");
}

static void test_filter(void **state)
{
	struct ct_repl *r = *state;

	OK(r, "filter", "no filter: 24 events\n");
	OK(r, "filter func=b", "filter func=b: 4 of 24 events\n");
	OK(r, "events", L1002 L1003 L1008 L1009);
	OK(r, "filter tid=101", "filter func=b tid=101: 2 of 24 events\n");
	/* bad words change nothing */
	ERR(r, "filter bogus=1",
	    "filter: 'bogus=1' is not KEY=VALUE with KEY func, tid, depth<=, dur>=, since or "
	    "until");
	ERR(r, "filter depth=3", "filter: 'depth=3': depth takes <=N");
	ERR(r, "filter dur=3us", "filter: 'dur=3us': dur takes >=TIME");
	ERR(r, "filter dur>=abc",
	    "filter: invalid --min-duration 'abc' (a time with a unit: ns, us, ms, s)");
	ERR(r, "filter tid=1 depth<=0", "filter: invalid --max-depth '0' (a number >= 1)");
	ERR(r, "filter clear bogus",
	    "filter: cannot clear 'bogus' (func, tid, depth, dur, since or until)");
	OK(r, "filter", "filter func=b tid=101: 2 of 24 events\n");
	OK(r, "filter clear tid", "filter func=b: 4 of 24 events\n");
	OK(r, "filter clear", "no filter: 24 events\n");
	/* depth 1 from ts 10 us: 3 leaves (6 events) and open */
	OK(r, "filter depth<=1 since=10us", "filter depth<=1 since=10us: 7 of 24 events\n");
	OK(r, "filter clear", "no filter: 24 events\n");
	/* the replay spellings; depth 1 and 1 us or more: main and the thread events */
	OK(r, "filter max-depth=1 min-duration=1us", "filter depth<=1 dur>=1us: 4 of 24 events\n");
	OK(r, "events", L1000 L1005 L1011 L1013);
	OK(r, "filter clear", "no filter: 24 events\n");
	/* ts 1200..2000: b's call and return; a's return without its call is not shown */
	OK(r, "filter until<=2us since>=1200ns",
	   "filter since=1200ns until=2us: 2 of 24 events\n");
	OK(r, "events", L1002 L1003);
	OK(r, "filter clear", "no filter: 24 events\n");
}

static void test_moves(void **state)
{
	struct ct_repl *r = *state;

	ERR(r, "finish", "finish: no current event: 'goto N', 'next' or 'find FUNC' first");
	ERR(r, "regs", "regs: no current event: 'goto N', 'next' or 'find FUNC' first");
	OK(r, "next", L1000); /* no cursor: the first event */
	OK(r, "next", L1001);
	OK(r, "next 3", L1004);
	OK(r, "prev 2", L1002);
	OK(r, "goto #1003", L1003);
	OK(r, "goto first", L1000);
	OK(r, "next call worker", L1006);
	OK(r, "next call b", L1008);
	OK(r, "next call l*", L1017);
	ERR(r, "next call nomatch", "next: no call of 'nomatch' after #1017");
	ERR(r, "goto 99999", "goto: no event #99999 in the trace");
	ERR(r, "goto 1x", "goto: invalid event number '1x'");
	ERR(r, "goto", "usage: goto N | first | last");
	OK(r, "goto last", L1023);
	ERR(r, "next", "next: no event after #1023");
	ERR(r, "next 0", "next: invalid count '0' (a number >= 1)");
	OK(r, "goto 1000", L1000);
	ERR(r, "prev", "prev: no event before #1000");

	/* through a filter */
	OK(r, "filter tid=101", "filter tid=101: 6 of 24 events\n");
	OK(r, "next", L1005);
	OK(r, "next 2", L1008);
	ERR(r, "goto 1007", "goto: event #1007 is hidden by the filter ('filter' shows it)");
	OK(r, "filter func=zzz", "filter func=zzz tid=101: 0 of 24 events\n");
	ERR(r, "next", "next: no events pass the filter");
	OK(r, "filter clear", "no filter: 24 events\n");
}

static void test_finish_cmd(void **state)
{
	struct ct_repl *r = *state;

	OK(r, "goto 1001", L1001);
	OK(r, "finish", L1004);
	OK(r, "finish", L1013); /* from a return: the enclosing frame's */
	ERR(r, "finish", "finish: no traced frame encloses #1013");
	OK(r, "goto 1008", L1008);
	OK(r, "finish", L1009);
	OK(r, "goto 1015", L1015);
	ERR(r, "finish", "finish: the frame ended unseen (events lost): #1016 shows it");
	OK(r, "goto 1023", L1023);
	ERR(r, "finish", "finish: the frame is still open at the end of the trace");
	/* the end is there but filtered out */
	OK(r, "filter until=4500ns", "filter until=4500ns: 13 of 24 events\n");
	OK(r, "goto 1000", L1000);
	ERR(r, "finish", "finish: the frame ends at #1013, hidden by the filter");
	OK(r, "filter clear", "no filter: 24 events\n");
}

static void test_find(void **state)
{
	struct ct_repl *r = *state;

	OK(r, "goto 1005", L1005);
	OK(r, "find b", L1002 L1008 "2 calls of 'b'; at #1008\n" L1008);
	OK(r, "find b", L1002 L1008 "2 calls of 'b'; at #1002 (wrapped around)\n" L1002);
	OK(r, "find leaf 1",
	   L1017 "... (2 more: 'find leaf all')\n3 calls of 'leaf'; at #1017\n" L1017);
	OK(r, "find leaf all", L1017 L1019 L1021 "3 calls of 'leaf'; at #1019\n" L1019);
	ERR(r, "find zzz", "find: no call of 'zzz'");
	OK(r, "filter tid=100", "filter tid=100: 8 of 24 events\n");
	ERR(r, "find leaf", "find: no call of 'leaf' passes the filter");
	OK(r, "find ?", L1001 L1002 L1007 "3 calls of '?'; at #1001 (wrapped around)\n" L1001);
	OK(r, "filter clear", "no filter: 24 events\n");
	ERR(r, "find", "usage: find FUNC [N | all]");
}

static void test_regs(void **state)
{
	struct ct_repl *r = *state;
	struct ct_regs want = regs_k(1);
	char expect[2048];
	size_t len, i;

	OK(r, "goto 1000", L1000);
	ERR(r, "regs", "no register snapshot in event #1000 (record with --regs)");
	OK(r, "goto 1001", L1001);
	/* the event line, then every register, under the event text: "#1001 " and
	 * "0.000001 [100]   " are 23 columns, plus 2 */
	len = (size_t)snprintf(expect, sizeof(expect), "%s%25s", L1001, "");
	for (i = 0; i < ARCH->nr_regs; i++)
		len += (size_t)snprintf(expect + len, sizeof(expect) - len, "%s%s=0x%llx",
					i ? " " : "", ARCH->reg_desc[i].name,
					(unsigned long long)want.w[ARCH->reg_desc[i].word]);
	snprintf(expect + len, sizeof(expect) - len, "\n");
	OK(r, "regs", expect);
	assert_non_null(strstr(expect, " rip=0x"));
}

static void test_replay(void **state)
{
	struct ct_repl *r = *state;
	char full[8192];
	const char *out;
	size_t n;

	out = run(r, "replay", 0);
	snprintf(full, sizeof(full), "%s", out);
	assert_true(lines(full) > 10);
	assert_non_null(strstr(full, "main("));
	assert_non_null(strstr(full, "worker("));
	/* the first 3 lines of it, and only they */
	out = run(r, "replay 3", 0);
	assert_int_equal(lines(out), 3);
	n = strlen(out);
	assert_true(!strncmp(full, out, n));
	/* one frame: a and b inside it, nothing else */
	OK(r, "goto 1001", L1001);
	out = run(r, "replay frame", 0);
	/* the header, a's call, b as a leaf (300 ns), a's end (900 ns); no main */
	assert_int_equal(lines(out), 4);
	assert_true(out[0] == '#');
	assert_non_null(strstr(out, "| a(0x3, 0x77) {\n"));
	assert_non_null(strstr(out, "300 ns [   100] |   b(0x5, 0x77) = 0x7;\n"));
	assert_non_null(strstr(out, "900 ns [   100] | } = 0x8; /* a */\n"));
	assert_null(strstr(out, "main"));
	assert_null(strstr(out, "worker"));
	/* from its return: the same tree */
	snprintf(full, sizeof(full), "%s", out);
	OK(r, "goto 1004", L1004);
	assert_string_equal(run(r, "replay frame", 0), full);
	OK(r, "goto 1005", L1005);
	ERR(r, "replay frame", "replay frame: event #1005 is not a call, return or unwind");
	ERR(r, "replay 2 3", "replay: unexpected '3' (usage: replay [frame] [N] [--no-args] "
			     "[--per-thread] [--srcline])");
	/* through the filter */
	OK(r, "filter func=worker", "filter func=worker: 4 of 24 events\n");
	out = run(r, "replay", 0);
	assert_null(strstr(out, "main"));
	assert_non_null(strstr(out, "worker("));
	OK(r, "filter clear", "no filter: 24 events\n");
}

static void test_report_dump(void **state)
{
	char dir[] = "/tmp/ct-events-XXXXXX", path[64], buf[4096], cmd[128];
	struct ct_repl *r = *state;
	const char *out, *leaf, *mainp;
	FILE *f;
	size_t n;

	out = run(r, "report --sort=calls", 0);
	leaf = strstr(out, "leaf");
	mainp = strstr(out, "main");
	/* leaf has 3 calls, main 1 */
	assert_non_null(leaf);
	assert_non_null(mainp);
	assert_true(leaf < mainp);
	out = run(r, "report --sort name", 0);
	assert_true(strstr(out, " a") < strstr(out, "leaf"));
	ERR(r, "report --sort=bogus",
	    "report: invalid --sort 'bogus' (calls, total, self, avg, min, max or name)");
	ERR(r, "report --sort", "report: option '--sort' needs a value");

	OK(r, "filter func=a", "filter func=a: 4 of 24 events\n");
	out = run(r, "dump --format=jsonl", 0);
	assert_int_equal(lines(out), 4);
	assert_true(!strncmp(out, "{\"seq\":1001,", 12));
	assert_non_null(strstr(out, "\"regs\":{"));
	out = run(r, "dump --format jsonl --no-regs", 0);
	assert_null(strstr(out, "\"regs\""));
	OK(r, "filter clear", "no filter: 24 events\n");

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.folded", dir);
	snprintf(cmd, sizeof(cmd), "dump --format=folded -o %s", path);
	OK(r, cmd, "");
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	/* self times: b under a under main 300 ns, a 900 - 300 */
	assert_non_null(strstr(buf, "main;a;b 300\n"));
	assert_non_null(strstr(buf, "main;a 600\n"));
	unlink(path);
	rmdir(dir);
	ERR(r, "dump", "dump: which format? (usage: dump --format=jsonl|chrome|perfetto|folded|svg "
		       "[-o FILE] [--no-regs] [--per-thread])");
	ERR(r, "dump --format=xml",
	    "dump: unknown format 'xml' (jsonl, chrome, perfetto, folded or svg)");
	ERR(r, "dump --format=svg -o /nonexistent/dir/x.svg",
	    "dump: cannot open '/nonexistent/dir/x.svg': No such file or directory");
}

static void test_save_load(void **state)
{
	char dir[] = "/tmp/ct-events-XXXXXX", path[64], bad[64], line[160], want[160];
	struct ct_repl *r = *state;
	struct ct_store *before;
	struct stat sb;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.trace", dir);
	snprintf(bad, sizeof(bad), "%s/bad.trace", dir);

	OK(r, "filter func=a", "filter func=a: 4 of 24 events\n");
	snprintf(line, sizeof(line), "save %s", path);
	snprintf(want, sizeof(want), "saved 24 events to %s\n", path);
	OK(r, line, want);

	snprintf(line, sizeof(line), "load %s", path);
	snprintf(want, sizeof(want), "%s: 24 events, x86_64, process 4242 (./prog)\n", path);
	OK(r, line, want);
	OK(r, "filter", "no filter: 24 events\n"); /* a new store, no filter */
	OK(r, "goto 1002", L1002);

	/* errors leave the store as it was */
	before = r->st;
	assert_string_equal(run(r, "load /nonexistent.trace", -1), "");
	assert_string_equal(r->err, "calltrap: load: cannot open '/nonexistent.trace': No such "
				    "file or directory\n");
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a trace, not a trace, not a trace, not a trace!!", 52), 52);
	close(fd);
	snprintf(line, sizeof(line), "load %s", bad);
	assert_string_equal(run(r, line, -1), "");
	snprintf(want, sizeof(want), "calltrap: load: %s: not a calltrap trace (bad magic)\n", bad);
	assert_string_equal(r->err, want);
	/* while live: refused, and the store opened for it freed (ASan) */
	r->live = true;
	snprintf(line, sizeof(line), "load %s", path);
	assert_string_equal(run(r, line, -1), "");
	assert_string_equal(r->err, "calltrap: a program is being traced\n");
	r->live = false;
	assert_ptr_equal(r->st, before);
	OK(r, "events 1", L1002);
	ERR(r, "save", "usage: save FILE");
	ERR(r, "save /nonexistent/dir/x", "save: /nonexistent/dir/x: No such file or directory");
	assert_false(r->failed);
	/* cut inside its last chunk: loaded as far as it is intact, the
	 * command succeeds, and the session will end with a failure */
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(truncate(path, sb.st_size - 56 - 10), 0); /* END is 56 bytes */
	snprintf(line, sizeof(line), "load %s", path);
	assert_non_null(strstr(run(r, line, 0), " events, x86_64, process 4242 (./prog)\n"));
	snprintf(want, sizeof(want), "calltrap: %s: truncated chunk at offset ", path);
	assert_memory_equal(r->err, want, strlen(want));
	assert_non_null(strstr(r->err, " bytes present, "));
	assert_true(r->failed);
	r->failed = false;
	unlink(path);
	unlink(bad);
	rmdir(dir);
}

/* Without events every command fails with the REPL's reason. */
static void test_no_store(void **state)
{
	static const char *const cmds[] = {
		"events", "filter", "filter func=a", "replay", "report", "dump --format=jsonl",
		"goto 1", "next", "prev", "next call f", "finish", "find f", "regs", "save x",
	};
	struct ct_repl *r = *state;
	struct ct_store *st = r->st;
	size_t i;

	r->st = NULL;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		ERR(r, cmds[i], "no events");
	r->st = st;
}

/* The table: usage, summary and help for each, help ending in '\n'. */
static void test_table(void **state)
{
	static const char *const names[] = { "events", "filter", "replay", "report", "dump",
					     "goto",   "next",   "prev",   "finish", "find",
					     "print",  "regs",   "save",   "load" };
	const struct ct_repl_cmd *c;
	size_t i, n = 0;

	(void)state;
	for (c = ct_repl_event_cmds; c->name; c++, n++) {
		assert_non_null(c->fn);
		assert_true(!strncmp(c->usage, c->name, strlen(c->name)));
		assert_true(c->summary[0] != '\0');
		assert_true(c->help[strlen(c->help) - 1] == '\n');
		assert_non_null(strstr(c->help, "Examples:\n"));
	}
	assert_int_equal(n, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < n; i++)
		assert_string_equal(ct_repl_event_cmds[i].name, names[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_cmd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_store, setup, teardown),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
