/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line: subcommands and their options. */
#ifndef CT_CLI_H
#define CT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "output/output.h"
#include "symtab/symtab.h"
#include "view/view.h"

/* Exit codes of calltrap itself (a traced program's status is passed on). */
#define CT_EXIT_ERROR 1
#define CT_EXIT_USAGE 2

struct ct_trace_opts {
	struct ct_patterns patterns;
	const char *output;     /* NULL: stderr */
	enum ct_format format;
	bool regs;
	bool follow_forks;
	bool stats;
	bool summary;           /* -c: the report table at the end, no events */
	struct ct_report_opts summary_opts; /* its --sort */
	enum ct_demangle demangle; /* how C++ functions are named (--demangle) */
	bool raw_args;          /* registers even where DWARF types the arguments */
	unsigned string_limit;  /* 0: the session's default */
	uint64_t duration_ns;   /* 0: none */
	unsigned max_depth;     /* 0: unlimited */
	bool fast;              /* --engine=fast */
	pid_t pid;              /* 0: spawn argv */
	char **argv;            /* PROGRAM [ARGS...] */
	int verbose;
};

#define CT_RECORD_DEFAULT_FILE "calltrap.trace"

/* Parse `calltrap trace` or `calltrap record` options (argv[0] says which:
 * record takes no --format and writes CT_RECORD_DEFAULT_FILE without -o).
 * 0; 1 when help was printed; -EINVAL after printing one usage error line. */
int ct_trace_parse(int argc, char **argv, struct ct_trace_opts *o);
void ct_trace_opts_fini(struct ct_trace_opts *o);

/* Run the session o describes (spawn or attach, trace until the end or a
 * stop signal), events into out, which it ends (ct_output_end) but does not
 * free.  of: the -o file out writes to (NULL: stderr), which takes its name
 * only once the program runs and is closed here (committed, or discarded if
 * the program never ran).  Prints its errors; returns calltrap's exit
 * status. */
struct ct_outfile;
int ct_cli_run(const struct ct_trace_opts *o, struct ct_output *out, struct ct_outfile *of);

/* Subcommands: argv[0] is the subcommand's name; each returns the exit
 * status.  Each has a help function printing its --help text. */
int ct_cmd_trace(int argc, char **argv);
int ct_cmd_record(int argc, char **argv);
int ct_cmd_replay(int argc, char **argv);
int ct_cmd_report(int argc, char **argv);
int ct_cmd_dump(int argc, char **argv);
int ct_cmd_stacks(int argc, char **argv);
int ct_cmd_repl(int argc, char **argv);

/* One usage error line, "calltrap: MSG (see 'calltrap CMD --help')", on
 * stderr.  Returns CT_EXIT_USAGE. */
int ct_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The filter options of replay, report and dump (getopt_long codes and
 * table entries), and the name ct_view_filter_set() takes for each code;
 * NULL for other codes. */
enum {
	CT_OPT_FUNC = 1000,
	CT_OPT_TID,
	CT_OPT_MAX_DEPTH,
	CT_OPT_MIN_DURATION,
	CT_OPT_SINCE,
	CT_OPT_UNTIL,
};
#define CT_CLI_FILTER_LONGOPTS                                            \
	{ "func", required_argument, NULL, CT_OPT_FUNC },                   \
	{ "tid", required_argument, NULL, CT_OPT_TID },                     \
	{ "max-depth", required_argument, NULL, CT_OPT_MAX_DEPTH },         \
	{ "min-duration", required_argument, NULL, CT_OPT_MIN_DURATION },   \
	{ "since", required_argument, NULL, CT_OPT_SINCE },                 \
	{ "until", required_argument, NULL, CT_OPT_UNTIL }
const char *ct_cli_filter_name(int opt);

/* --demangle and --no-demangle of replay, report and dump, and what they
 * do to the reader r of path (ct_trace_reader_set_names).  0, or the exit
 * status after an error line. */
enum {
	CT_OPT_DEMANGLE = 1100,
	CT_OPT_NO_DEMANGLE,
};
#define CT_CLI_NAMES_LONGOPTS                                             \
	{ "demangle", required_argument, NULL, CT_OPT_DEMANGLE },           \
	{ "no-demangle", no_argument, NULL, CT_OPT_NO_DEMANGLE }
struct ct_trace_reader;
int ct_cli_view_names(const char *path, struct ct_trace_reader *r, enum ct_demangle mode);

/* The end of replay, report and dump over the trace file `path`: one
 * stderr line for a damaged file (error; it says that output, if not NULL,
 * is not written), a failed write (rc < 0) or truncation and lost events
 * (warning).  Returns the exit status. */
struct ct_view_problems;
int ct_cli_view_verdict(const char *path, const char *output, const struct ct_view_problems *pb,
			int rc);

/* After getopt_long: the trace file operand (CT_RECORD_DEFAULT_FILE when
 * none) and the checks every trace command makes.  0, or CT_EXIT_USAGE
 * after a usage error line. */
struct ct_view_filter;
int ct_cli_trace_operand(const char *cmd, int argc, char **argv, int optind_now,
			 const struct ct_view_filter *f, const char **path);
/* Open the trace at path and, unless output is NULL (stdout), the output
 * file (ct_cli_open_output).  0, or CT_EXIT_ERROR after one error line
 * (nothing left open). */
struct ct_trace_reader;
struct ct_outfile;
int ct_cli_open_trace(const char *path, const char *output, int *fd,
		      struct ct_trace_reader **r, struct ct_outfile *of, FILE **out);
/* The -o FILE of a command that writes it in one go (util/outfile.h): *out
 * writes to a temporary that ct_cli_close_output() puts in place if the
 * command succeeded.  0, or CT_EXIT_ERROR after one error line. */
int ct_cli_open_output(const char *output, struct ct_outfile *of, FILE **out);
/* code 0: the output takes FILE's place (or an error line, and
 * CT_EXIT_ERROR); else it is dropped and FILE is left as it was.  Nothing
 * to do when output is NULL.  Returns the exit status. */
int ct_cli_close_output(const char *output, struct ct_outfile *of, int code);

/* A decimal number in [min, max], digits only.  0 or -EINVAL. */
/* --demangle=short|full|no into *d: 0, or -EINVAL after the usage error
 * line of cmd. */
int ct_cli_parse_demangle(const char *cmd, const char *arg, enum ct_demangle *d);
int ct_cli_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* A process or thread id: a decimal number in [1, INT_MAX].  0 or -EINVAL. */
int ct_cli_parse_id(const char *s, pid_t *out);


#define CT_CLI_MAX_DEBUG_DIRS 16
/* --debug-dir DIR...: put them, made absolute, first in CALLTRAP_DEBUG_DIR,
 * where the DWARF readers look.  0, or -EINVAL after a usage error line. */
int ct_cli_export_debug_dirs(const char *cmd, const char *const *dirs, unsigned n);

void ct_help_main(FILE *fp);
void ct_help_trace(FILE *fp);
void ct_help_record(FILE *fp);
void ct_help_replay(FILE *fp);
void ct_help_report(FILE *fp);
void ct_help_dump(FILE *fp);
void ct_help_stacks(FILE *fp);
void ct_help_repl(FILE *fp);

#endif
