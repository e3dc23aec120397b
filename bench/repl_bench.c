/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repl_bench: time the REPL's event store (src/repl/store.h) on a trace
 * file, for bench/repl.sh.  Usage: repl_bench FILE [FUNC]
 *
 * One line per measurement, "name value unit [note]", then the peak RSS of
 * this process (getrusage ru_maxrss): opening and indexing the file, the
 * goto to the middle and the end (a chunk decoded each, cold), 1000 `next`
 * and 1000 `prev` from the middle, then 100000 `prev` (per step), the filters (func=FUNC,
 * default fn_07; tid; dur>=; clear), steps through the func filter, a scan
 * of every visible call (what `find` does) and the names for completion.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "repl/store.h"

#define STEPS 1000

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "repl_bench: %s: %s\n", what, strerror(err));
	exit(1);
}

static void set_filter(struct ct_store *st, const char *name, const char *value, const char *label)
{
	struct ct_view_filter f;
	char why[200];
	double t;
	int rc;

	ct_view_filter_init(&f);
	if (name && ct_view_filter_set(&f, name, value, why, sizeof(why))) {
		fprintf(stderr, "repl_bench: %s\n", why);
		exit(1);
	}
	t = now();
	rc = ct_store_set_filter(st, &f);
	t = now() - t;
	if (rc)
		die(label, -rc);
	printf("%s %.3f s %llu visible\n", label, t, (unsigned long long)ct_store_nr_visible(st));
}

/* goto seq, timed (the chunk is decoded: not in the cache yet) */
static void time_goto(struct ct_store *st, uint64_t seq, const char *label)
{
	const struct ct_event *ev;
	double t = now();
	int rc = ct_store_goto(st, seq);

	if (!rc)
		rc = ct_store_event(st, seq, &ev);
	t = now() - t;
	if (rc)
		die(label, -rc);
	printf("%s %.1f us #%llu\n", label, t * 1e6, (unsigned long long)seq);
}

/* n single steps, each followed by reading the event, as `next` shows it */
static void time_steps(struct ct_store *st, bool forward, uint64_t n, const char *label)
{
	const struct ct_event *ev;
	uint64_t seq, i;
	double t = now();

	for (i = 0; i < n; i++) {
		if ((forward ? ct_store_next(st, 1) : ct_store_prev(st, 1)) != 1)
			break;
		if (!ct_store_cursor(st, &seq) || ct_store_event(st, seq, &ev))
			die(label, EIO);
	}
	t = now() - t;
	printf("%s %.2f us per step (%llu steps)\n", label, i ? t * 1e6 / (double)i : 0.0,
	       (unsigned long long)i);
}

static int count_call(void *ctx, const struct ct_event *ev)
{
	if (ev->type == CT_EV_CALL)
		(*(uint64_t *)ctx)++;
	return 0;
}

static void count_name(void *ctx, const char *name)
{
	(void)name;
	(*(unsigned *)ctx)++;
}

int main(int argc, char **argv)
{
	const char *func = argc > 2 ? argv[2] : "fn_07";
	char err[256], label[64];
	struct ct_store *st;
	struct rusage ru;
	uint64_t first = 0, last = 0, mid, seq, calls = 0;
	unsigned names = 0;
	double t;
	int fd, rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: repl_bench FILE [FUNC]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(argv[1], errno);
	t = now();
	st = ct_store_open(fd, argv[1], false, err, sizeof(err));
	t = now() - t;
	if (!st) {
		fprintf(stderr, "repl_bench: %s: %s\n", argv[1], err);
		return 1;
	}
	close(fd);
	printf("events %llu\n", (unsigned long long)ct_store_nr_events(st));
	printf("open+index %.3f s\n", t);
	if (!ct_store_next_visible(st, 0, &first) || !ct_store_prev_visible(st, UINT64_MAX, &last))
		die("empty trace", ENODATA);

	/* cold: nothing decoded yet */
	mid = first + (last - first) / 2;
	time_goto(st, mid, "goto_middle");
	time_goto(st, last, "goto_end");
	time_goto(st, mid + 1, "goto_middle+1");
	ct_store_goto(st, mid);
	time_steps(st, true, STEPS, "next");
	time_steps(st, false, STEPS, "prev");
	/* on backwards across many chunks, each entered from its end */
	time_steps(st, false, 100 * STEPS, "prev_far");

	snprintf(label, sizeof(label), "filter_func=%s", func);
	set_filter(st, "func", func, label);
	/* through the filter, from the middle */
	if (ct_store_next_visible(st, mid, &seq) && !ct_store_goto(st, seq)) {
		time_steps(st, true, STEPS, "next_filtered");
		time_steps(st, false, STEPS, "prev_filtered");
	}
	t = now();
	rc = ct_store_scan(st, 0, true, count_call, &calls);
	t = now() - t;
	if (rc < 0)
		die("scan", -rc);
	printf("find_scan %.3f s %llu calls\n", t, (unsigned long long)calls);
	set_filter(st, NULL, NULL, "filter_clear");
	set_filter(st, "tid", "1002", "filter_tid");
	set_filter(st, "min-duration", "50us", "filter_dur");
	set_filter(st, NULL, NULL, "filter_clear");

	t = now();
	ct_store_names(st, count_name, &names);
	t = now() - t;
	printf("names %.3f s %u names\n", t, names);

	ct_store_free(st);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss %.1f MiB\n", (double)ru.ru_maxrss / 1024);
	return 0;
}
