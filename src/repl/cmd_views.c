/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay, report and dump over the store's events through its filter (the
 * view consumers of src/view, fed by ct_store_input), and the files: save
 * and load.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl/cmd_events.h"
#include "repl/store.h"
#include "util/outfile.h"
#include "view/view.h"

/*
 * An option with a value: "--name=VALUE", "--name VALUE" or, when short
 * is given, "-o VALUE".  1 and *val (with *i moved past it), 0 when
 * argv[*i] is another word, -1 when the value is missing (error printed).
 */
static int opt_value(struct ct_repl *r, int argc, char **argv, int *i, const char *name,
		     const char *shrt, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (!strncmp(a, name, n) && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (strcmp(a, name) && !(shrt && !strcmp(a, shrt)))
		return 0;
	if (*i + 1 >= argc)
		return ct_repl_error(r, "%s: option '%s' needs a value", argv[0], a);
	*val = argv[++*i];
	return 1;
}

static int unknown_word(struct ct_repl *r, char **argv, int i, const char *usage)
{
	return ct_repl_error(r, "%s: unexpected '%s' (usage: %s)", argv[0], argv[i], usage);
}

/* A view failed (reading the file, or writing its output): one line. */
static int view_result(struct ct_repl *r, const char *cmd, int rc)
{
	if (!rc)
		return 0;
	return ct_repl_error(r, "%s: %s", cmd, strerror(rc < 0 ? -rc : EIO));
}

/* ---- replay ---- */

/* A FILE that lets the first `left` lines through to out, then fails, so
 * that the replay stops early. */
struct head {
	FILE *out;
	uint64_t left;
	bool full;
};

static ssize_t head_write(void *cookie, const char *buf, size_t size)
{
	struct head *h = cookie;
	size_t i = 0;

	while (i < size && h->left) {
		const char *nl = memchr(buf + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) + 1 : size - i;

		if (fwrite(buf + i, 1, len, h->out) != len)
			return -1;
		i += len;
		if (nl)
			h->left--;
	}
	if (i < size) {
		h->full = true;
		errno = ECANCELED;
		return -1;
	}
	return (ssize_t)size;
}

/*
 * The filter of `replay frame`: the thread and time span of the frame at
 * the cursor, func= and tid= dropped (the frame is the root).
 */
static int frame_filter(struct ct_repl *r, struct ct_store *st, struct ct_view_filter *f)
{
	const struct ct_event *ev;
	uint64_t cur, end, from, to = UINT64_MAX;
	pid_t tid;
	int rc;

	if (!ct_store_cursor(st, &cur))
		return ct_repl_error(r, "replay: no current event: 'goto N', 'next' or 'find FUNC' "
					"first");
	rc = ct_store_event(st, cur, &ev);
	if (rc)
		return ct_repl_error(r, "replay: event #%llu: %s", (unsigned long long)cur,
				     strerror(-rc));
	tid = ev->tid;
	switch (ev->type) {
	case CT_EV_CALL:
		from = ev->ts_ns;
		rc = ct_store_frame_end(st, cur, &end);
		if ((rc == 0 || rc == -ENOENT) && end != UINT64_MAX) {
			rc = ct_store_event(st, end, &ev);
			if (!rc)
				to = ev->ts_ns;
		} else if (rc != -ENOENT) {
			return ct_repl_error(r, "replay: %s", strerror(-rc));
		}
		break;
	case CT_EV_RETURN:
	case CT_EV_UNWIND:
		to = ev->ts_ns;
		from = ev->ts_ns > ev->duration_ns ? ev->ts_ns - ev->duration_ns : 0;
		break;
	default:
		return ct_repl_error(r, "replay frame: event #%llu is not a call, return or unwind",
				     (unsigned long long)cur);
	}
	f->nr_funcs = 0;
	f->nr_tids = 1;
	f->tids[0] = tid;
	if (from > f->since_ns)
		f->since_ns = from;
	if (to < f->until_ns)
		f->until_ns = to;
	return 0;
}

#define REPLAY_USAGE "replay [frame] [N] [--no-args] [--per-thread] [--srcline]"

int ct_repl_cmd_replay(struct ct_repl *r, int argc, char **argv)
{
	struct ct_replay_opts ro = { 0 };
	struct head h = { .left = UINT64_MAX };
	struct ct_view_input *in;
	struct ct_view_filter f;
	struct ct_store *st;
	bool frame = false, limit = false;
	FILE *fp;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "frame") && i == 1)
			frame = true;
		else if (!strcmp(argv[i], "--no-args"))
			ro.no_args = true;
		else if (!strcmp(argv[i], "--per-thread"))
			ro.per_thread = true;
		else if (!strcmp(argv[i], "--srcline"))
			ro.srcline = true;
		else if (!limit && ct_repl_parse_u64(argv[i], false, &h.left) && h.left)
			limit = true;
		else
			return unknown_word(r, argv, i, REPLAY_USAGE);
	}
	st = ct_repl_store(r);
	if (!st)
		return -1;
	f = *ct_store_filter(st);
	if (frame && frame_filter(r, st, &f))
		return -1;
	h.out = ct_repl_out(r);
	fp = h.out;
	if (limit) {
		fp = fopencookie(&h, "w", (cookie_io_functions_t){ .write = head_write });
		if (!fp)
			return ct_repl_error(r, "replay: %s", strerror(errno));
	}
	in = ct_store_input(st, f.since_ns, f.until_ns, CT_VIEW_LOOKAHEAD);
	ct_repl_view_end(r, in);
	if (!in) {
		rc = -errno;
	} else {
		rc = ct_replay(in, &f, &ro, fp);
		ct_view_input_free(in);
	}
	if (limit) {
		if (fclose(fp) && !rc)
			rc = -EIO;
		if (h.full)
			rc = 0;
	} else if (fflush(fp) && !rc) {
		rc = -EIO;
	}
	return view_result(r, "replay", rc);
}

/* ---- report ---- */

#define REPORT_USAGE "report [--sort=KEY] [--per-thread] [--ns] [--srcline]"

int ct_repl_cmd_report(struct ct_repl *r, int argc, char **argv)
{
	struct ct_report_opts ro = { .sort = CT_SORT_TOTAL };
	const struct ct_view_filter *f;
	struct ct_view_input *in;
	struct ct_report *rp;
	struct ct_store *st;
	const char *val;
	int i, rc;

	for (i = 1; i < argc; i++) {
		rc = opt_value(r, argc, argv, &i, "--sort", NULL, &val);
		if (rc < 0)
			return -1;
		if (rc) {
			if (ct_report_sort_parse(val, &ro.sort) < 0)
				return ct_repl_error(r, "report: invalid --sort '%s' (calls, "
							"total, self, avg, min, max or name)",
						     val);
		} else if (!strcmp(argv[i], "--per-thread")) {
			ro.per_thread = true;
		} else if (!strcmp(argv[i], "--ns")) {
			ro.ns = true;
		} else if (!strcmp(argv[i], "--srcline")) {
			ro.srcline = true;
		} else {
			return unknown_word(r, argv, i, REPORT_USAGE);
		}
	}
	st = ct_repl_store(r);
	if (!st)
		return -1;
	f = ct_store_filter(st);
	rp = ct_report_new(&ro);
	if (!rp)
		return ct_repl_error(r, "report: %s", strerror(errno));
	in = ct_store_input(st, f->since_ns, f->until_ns, 0);
	ct_repl_view_end(r, in);
	if (!in) {
		rc = -errno;
	} else {
		rc = ct_report_collect(rp, in, f);
		ct_view_input_free(in);
		if (!rc)
			rc = ct_report_print(rp, ct_repl_out(r));
	}
	ct_report_free(rp);
	if (!rc && fflush(ct_repl_out(r)))
		rc = -EIO;
	return view_result(r, "report", rc);
}

/* ---- dump ---- */

#define DUMP_USAGE \
	"dump --format=jsonl|chrome|perfetto|folded|svg [-o FILE] [--no-regs] [--per-thread]"

int ct_repl_cmd_dump(struct ct_repl *r, int argc, char **argv)
{
	struct ct_dump_opts dopt = { .format = CT_DUMP_JSONL };
	const struct ct_view_filter *f;
	const char *val, *path = NULL;
	struct ct_view_input *in;
	struct ct_store *st;
	struct ct_outfile of = CT_OUTFILE_INIT;
	bool have_format = false;
	FILE *fp;
	int i, rc;

	for (i = 1; i < argc; i++) {
		rc = opt_value(r, argc, argv, &i, "--format", NULL, &val);
		if (rc < 0)
			return -1;
		if (rc) {
			if (ct_dump_format_parse(val, &dopt.format) < 0)
				return ct_repl_error(r, "dump: unknown format '%s' (jsonl, chrome, "
							"perfetto, folded or svg)",
						     val);
			have_format = true;
			continue;
		}
		rc = opt_value(r, argc, argv, &i, "--output", "-o", &val);
		if (rc < 0)
			return -1;
		if (rc)
			path = val;
		else if (!strcmp(argv[i], "--no-regs"))
			dopt.no_regs = true;
		else if (!strcmp(argv[i], "--per-thread"))
			dopt.per_thread = true;
		else
			return unknown_word(r, argv, i, DUMP_USAGE);
	}
	if (!have_format)
		return ct_repl_error(r, "dump: which format? (usage: %s)", DUMP_USAGE);
	if (!path && ct_dump_binary(dopt.format) && isatty(fileno(ct_repl_out(r))))
		return ct_repl_error(r, "dump: --format=perfetto writes binary: give -o FILE");
	st = ct_repl_store(r);
	if (!st)
		return -1;
	f = ct_store_filter(st);
	dopt.info = ct_store_info(st);
	fp = ct_repl_out(r);
	if (path) {
		/* a temporary, in place only if the dump is complete */
		rc = ct_outfile_open(&of, path, 0);
		fp = rc < 0 ? NULL : ct_outfile_stream(&of);
		if (!fp) {
			ct_outfile_discard(&of);
			return ct_repl_error(r, "dump: cannot open '%s': %s", path,
					     strerror(rc < 0 ? -rc : errno));
		}
	}
	/* events are written as they are read: only --min-duration looks ahead */
	in = ct_store_input(st, f->since_ns, f->until_ns, ct_dump_window(&dopt, f));
	ct_repl_view_end(r, in);
	if (!in) {
		rc = -errno;
	} else {
		rc = ct_dump(in, f, &dopt, fp);
		ct_view_input_free(in);
	}
	if (!path) {
		if (fflush(fp) && !rc)
			rc = -EIO;
	} else if (rc) {
		ct_outfile_discard(&of);
	} else {
		rc = ct_outfile_commit(&of);
	}
	if (rc && path)
		return ct_repl_error(r, "dump: writing '%s': %s", path, strerror(-rc));
	return view_result(r, "dump", rc);
}

/* ---- save, load ---- */

int ct_repl_cmd_save(struct ct_repl *r, int argc, char **argv)
{
	struct ct_store *st;
	uint64_t n;

	if (argc != 2)
		return ct_repl_error(r, "usage: save FILE");
	st = ct_repl_store(r);
	if (!st)
		return -1;
	if (ct_store_save(st, argv[1], &n))
		return ct_repl_error(r, "save: %s: %s", argv[1], ct_store_error(st));
	fprintf(ct_repl_out(r), "saved %llu event%s to %s\n", (unsigned long long)n,
		n == 1 ? "" : "s", argv[1]);
	return 0;
}

int ct_repl_cmd_load(struct ct_repl *r, int argc, char **argv)
{
	const struct ct_trace_info *info;
	char err[CT_TRACE_ERRLEN + 64], line[512];
	struct ct_store *st;
	bool error;
	int fd;

	if (argc != 2)
		return ct_repl_error(r, "usage: load FILE");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ct_repl_error(r, "load: cannot open '%s': %s", argv[1], strerror(errno));
	st = ct_store_open_as(fd, argv[1], false, ct_repl_demangle(r), err,
			      sizeof(err));
	close(fd);
	if (!st)
		return ct_repl_error(r, "load: %s: %s", argv[1], err);
	if (ct_repl_set_store(r, st) < 0) {
		ct_store_free(st);
		return -1;
	}
	info = ct_store_info(st);
	fprintf(ct_repl_out(r), "%s: %llu events", argv[1],
		(unsigned long long)ct_store_nr_events(st));
	if (info && info->arch_name)
		fprintf(ct_repl_out(r), ", %s", info->arch_name);
	if (info && info->pid)
		fprintf(ct_repl_out(r), ", process %d", (int)info->pid);
	if (info && info->argc && info->argv[0])
		fprintf(ct_repl_out(r), " (%s)", info->argv[0]);
	fputc('\n', ct_repl_out(r));
	/* the intact part is loaded; what was lost is worth a line, and, as
	 * for replay, an exit status of 1 at the end of a script (which goes
	 * on: the intact part is there to be seen) */
	if (ct_store_problems(st, line, sizeof(line), &error)) {
		ct_repl_error(r, "%s%s: %s", error ? "" : "warning: ", argv[1], line);
		if (error)
			ct_repl_fail_later(r);
	}
	return 0;
}
