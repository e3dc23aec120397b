/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The binary trace file (docs/trace-format.md): a header, then chunks that
 * each carry a length and a CRC-32C, so that a recorder killed mid-write
 * loses at most its last chunk and a reader reports, never crashes on, a
 * truncated or corrupt file.
 *
 * Writer: buffers events into a chunk of ~chunk_size payload bytes, then
 * writes the chunk (preceded by a chunk of the new strings and functions it
 * uses) with one writev() at a time.  No stdio, no allocation per event
 * once the buffers have grown.
 *
 * Reader: streams chunk by chunk through one reusable buffer (pread on a
 * regular file, read on a pipe, or straight from memory), so memory stays
 * at one chunk plus the string table whatever the file's size.  On a
 * seekable input an index of the event chunks (offset, first seq, first and
 * last timestamp, event count) allows seeking to any chunk without decoding
 * the ones before it.
 */
#ifndef CT_TRACEFILE_H
#define CT_TRACEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace/event.h"
#include "util/cxxname.h"

/* Format version written by this code; a reader refuses a newer major. */
#define CT_TRACE_VERSION_MAJOR 1
#define CT_TRACE_VERSION_MINOR 2

/* Limits from docs/trace-format.md ("Limits"). */
#define CT_TRACE_CHUNK_DEFAULT (64u << 10)   /* payload bytes per chunk */
#define CT_TRACE_CHUNK_MIN 256u              /* smallest chunk_size accepted */
#define CT_TRACE_CHUNK_LIMIT (4u << 20)      /* largest chunk_size accepted */
#define CT_TRACE_MAX_PAYLOAD (16u << 20)     /* a reader rejects larger chunks */
#define CT_TRACE_MAX_HEADER (1u << 20)       /* file header, command line included */
#define CT_TRACE_MAX_STRING 65536u           /* longer strings are cut by the writer */
#define CT_TRACE_MAX_THREADS 65536u          /* threads per chunk */
#define CT_TRACE_MAX_STACK 4096u             /* frames per thread a chunk remembers */
#define CT_TRACE_MAX_NAMED 64u               /* named values of one typed call (1.1) */
#define CT_TRACE_MAX_VALUE 4096u             /* bytes of one rendered value (1.1) */

/* Size of the buffer for a message from ct_trace_reader_open(). */
#define CT_TRACE_ERRLEN 160

/* What a file says about its recording. */
struct ct_trace_info {
	/* ISA of the recorded program: register layout and names.  Writer:
	 * required.  Reader: ct_arch_by_machine() of the file's e_machine,
	 * never the host's. */
	const struct ct_arch *arch;
	uint64_t start_realtime_ns; /* CLOCK_REALTIME when the session began */
	pid_t pid;                  /* process started or attached to */
	unsigned argc;              /* its command line (may be 0) */
	const char *const *argv;    /* argc strings; reader: argv[argc] is NULL */
	/* Writer: payload bytes per chunk, 0 for CT_TRACE_CHUNK_DEFAULT,
	 * else within [CT_TRACE_CHUNK_MIN, CT_TRACE_CHUNK_LIMIT].
	 * Reader: the value the writer used. */
	size_t chunk_size;

	/* Filled by the reader only. */
	uint16_t version_major, version_minor;
	uint16_t machine;      /* ELF e_machine */
	const char *arch_name; /* as written in the file */
};

/* ---- writer ---- */

struct ct_trace_writer;

/*
 * Start a trace on fd (at its current position; the writer never seeks)
 * and write the file header.  The caller keeps fd open until
 * ct_trace_writer_close() and closes it afterwards.  info is copied.
 * NULL with errno: EINVAL (no arch, bad chunk_size), ENOMEM, or the
 * error of write().
 */
struct ct_trace_writer *ct_trace_writer_open(int fd, const struct ct_trace_info *info);

/*
 * Append one event.  Strings (func, module, path) are copied into the
 * file's string table the first time they appear; a function's sym, if
 * not NULL, is stored with the function (1.2) when it is first defined; ev->regs, if not NULL,
 * is a snapshot in the layout of the file's arch (ev->arch must be NULL or
 * that arch).  Fields that the event's type does not carry are not stored
 * and read back as 0/NULL: call has no retval/duration_ns; return and
 * unwind no args; process and thread events none of func, module, addr,
 * depth, args, retval, duration_ns.  May write a chunk.
 * Typed events (1.1): with CT_EVF_TYPED, a call's named[] (the first
 * CT_TRACE_MAX_NAMED; a NULL name as "", a NULL value as "") and a
 * return's ret_text are stored, each value cut to CT_TRACE_MAX_VALUE
 * bytes; without the flag they are not.  src_file/src_line belong to the
 * function: stored when an event of it first carries them (again if they
 * change) and read back on all its call, return and unwind events.
 * 0, -EINVAL (bad type, nr_args > CT_MAX_ARGS, foreign arch), -ENOMEM, or
 * a write error; after a write error every call returns it again.
 */
int ct_trace_writer_event(struct ct_trace_writer *w, const struct ct_event *ev);

/* Record that n events of thread tid (of process pid) were dropped here
 * (e.g. a ring overflowed).  Readers report it in order.  0 or as above. */
int ct_trace_writer_lost(struct ct_trace_writer *w, pid_t pid, pid_t tid, uint64_t n);

/*
 * End the current chunk and write it now, whole (after the chunk of new
 * strings it needs), looping over short writes.  A recorder calls this
 * periodically: killed with SIGKILL it leaves complete chunks plus at most
 * one partial one.  0 (also when there is nothing to write) or -errno.
 */
int ct_trace_writer_flush(struct ct_trace_writer *w);

/* Flush, write the END chunk, free.  Does not close the fd.  0 or the
 * first error met by this writer (the writer is freed either way). */
int ct_trace_writer_close(struct ct_trace_writer *w);

/* Bytes written to fd so far (header and chunks), for statistics. */
uint64_t ct_trace_writer_bytes(const struct ct_trace_writer *w);

/* ---- reader ---- */

struct ct_trace_reader;

/*
 * Open a trace on fd, reading from its current position if it is a pipe,
 * from offset 0 otherwise (pread; the fd's offset is not used).  The caller
 * keeps fd open until ct_trace_reader_close().  On failure NULL, errno set
 * and a one-line message (no trailing newline, no file name) in err if err
 * is not NULL:
 *   ENODATA          "empty file", "truncated header (N of M bytes)"
 *   EINVAL           "not a calltrap trace (bad magic)"
 *   EPROTONOSUPPORT  "unsupported trace format version M.m (this calltrap reads 1.x)"
 *   EBADMSG          "corrupt header: ..."
 *   ENOTSUP          "unsupported architecture: e_machine N (NAME)"
 *   EIO etc.         "read error: <strerror>"
 *   ENOMEM
 */
struct ct_trace_reader *ct_trace_reader_open(int fd, char *err, size_t errlen);

/* The same over len bytes at buf, which must stay valid and unchanged
 * until ct_trace_reader_close() (nothing is copied but strings). */
struct ct_trace_reader *ct_trace_reader_open_mem(const void *buf, size_t len, char *err,
						  size_t errlen);

void ct_trace_reader_close(struct ct_trace_reader *r);

/*
 * How events name C++ functions from now on: with CT_DEMANGLE_SHORT, the
 * call, return and unwind events carry a label (ct_event.label), each
 * function's short name, longer only where two functions of the file would
 * read the same (util/cxxname.h ct_labels); func keeps the name as
 * recorded.  All the functions of a regular file (or memory) are told
 * apart together (a second reader scans it; this one's position, damage
 * reports and index are left as they are); a pipe's as they come.  With
 * CT_DEMANGLE_NO, the label is the function's symbol when the file has it
 * (1.2 SYMBOL records of demangled names).  CT_DEMANGLE_FULL: no label.
 * 0 or -ENOMEM.
 */
int ct_trace_reader_set_names(struct ct_trace_reader *r, enum ct_demangle mode);

/* The header.  Valid until close. */
const struct ct_trace_info *ct_trace_reader_info(const struct ct_trace_reader *r);

/* ct_trace_reader_read() results besides 0 (end) and -errno. */
#define CT_TRACE_EVENT 1
#define CT_TRACE_LOST 2

/* The tracer dropped `count` events of (pid, tid) at this point. */
struct ct_trace_lost {
	pid_t pid, tid;
	uint64_t count;
};

/*
 * The next record, in file order:
 *   CT_TRACE_EVENT  *ev filled.  ev->func/module/path point into the
 *                   reader's string table and stay valid until close; the
 *                   reader gives one pointer per distinct string, so they
 *                   may be compared and hashed as pointers.  So do
 *                   ev->src_file and the names of ev->named[]; the values
 *                   of ev->named[], the array itself and ev->ret_text also
 *                   stay valid until close (the reader keeps one copy of
 *                   each distinct value and list: memory grows with the
 *                   distinct typed values read, never with re-reads).
 *                   A typed call's names and values are never NULL.
 *                   ev->regs (or
 *                   NULL) stays valid until the next read/next/seek call.
 *                   ev->arch is the file's arch, never NULL.
 *   CT_TRACE_LOST   *lost filled (lost may be NULL to skip these records).
 *   0               end of the trace.
 *   -EBADMSG        a damaged chunk was skipped (ct_trace_reader_error()
 *                   says where and how many events went with it); calling
 *                   again continues after it.
 *   -ENODATA        the file ends inside a chunk (a recorder killed
 *                   mid-write): everything before it has been returned,
 *                   the next call returns 0.  ct_trace_reader_stats() says
 *                   where (ct_trace_truncation_message()).
 *   other -errno    I/O error or ENOMEM; every later call returns it.
 * Damage is reported this way while reading without an index; once
 * ct_trace_reader_build_index() has run, damaged chunks are left out of the
 * index, counted in the stats, and reading just skips them.
 */
int ct_trace_reader_read(struct ct_trace_reader *r, struct ct_event *ev,
			 struct ct_trace_lost *lost);

/* ct_trace_reader_read() without lost-event records: 1 event, 0, -errno. */
int ct_trace_reader_next(struct ct_trace_reader *r, struct ct_event *ev);

/* The message of the last error (open, read, index), "" if none yet.
 * One line, no trailing newline, no file name. */
const char *ct_trace_reader_error(const struct ct_trace_reader *r);

/* What the reader learnt about the file so far: everything it has read,
 * or, once the index is built, the whole file. */
struct ct_trace_stats {
	uint64_t events;          /* events in intact chunks (per chunk headers) */
	uint64_t chunks;          /* intact event chunks */
	uint64_t lost_events;     /* dropped by the recorder (LOST records) */
	uint64_t bad_chunks;      /* chunks skipped: bad checksum, bad header, undecodable */
	uint64_t bad_bytes;       /* bytes skipped because of them */
	uint64_t bad_events;      /* events their headers claimed (a lower bound) */
	bool truncated;           /* the file ends inside a chunk */
	uint64_t truncated_offset; /* where that incomplete chunk starts */
	uint64_t truncated_bytes; /* of it present in the file */
	uint64_t truncated_size;  /* its whole size (header and payload), 0 if its
				   * header is incomplete too */
	uint64_t truncated_events; /* its event count, 0 if unknown or not EVENTS */
	bool complete;            /* the END chunk was seen: the writer closed normally */
	bool rest_unread;         /* a pipe: the input after a corrupt chunk header
				   * was not read (whether it ends with END is unknown) */
	uint64_t trailing_offset; /* the END chunk ends there, and */
	uint64_t trailing_bytes;  /* this many bytes follow it (ignored; a regular
				   * file or memory only: a pipe is not read on) */
};
const struct ct_trace_stats *ct_trace_reader_stats(const struct ct_trace_reader *r);

/* The line that says where and how st's file ends inside a chunk (no file
 * name, no newline), e.g. "truncated chunk at offset 580: 96 of its 320
 * bytes present, 12 events lost"; "" when it does not. */
void ct_trace_truncation_message(const struct ct_trace_stats *st, char *buf, size_t size);

/* One event chunk of the index. */
struct ct_trace_chunk {
	uint64_t offset;    /* of the chunk header in the file */
	uint64_t first_seq; /* seq of its first event */
	uint64_t first_ts;  /* ts_ns of its first event */
	uint64_t last_ts;   /* ts_ns of its last event */
	uint32_t nr_events;
	uint64_t lost;      /* events dropped by the recorder, reported in it */
};

/*
 * Scan the whole file once (chunk headers, checksums, and the string and
 * function tables; no event is decoded) and keep an index of its intact
 * event chunks.  The read position is kept.  Needs a regular file or
 * memory: -ESPIPE on a pipe.  Idempotent.  0 or -errno; damage is not an
 * error here, it is counted in the stats (with the first message in
 * ct_trace_reader_error()).
 */
int ct_trace_reader_build_index(struct ct_trace_reader *r);

/* Index entries (build_index first; 0 and NULL before). */
size_t ct_trace_reader_nr_chunks(const struct ct_trace_reader *r);
const struct ct_trace_chunk *ct_trace_reader_chunk(const struct ct_trace_reader *r, size_t i);

/* Position before the first event of index entry i (builds the index if
 * needed).  0, -ERANGE (i >= nr_chunks) or -errno. */
int ct_trace_reader_seek_chunk(struct ct_trace_reader *r, size_t i);

/* Index entry holding seq: the last one whose first_seq <= seq (0 when
 * seq precedes all), or nr_chunks when the index is empty.  Assumes seq
 * increases through the file, as the recorder writes it. */
size_t ct_trace_reader_find_seq(const struct ct_trace_reader *r, uint64_t seq);

/*
 * ---- on-disk constants, shared by writer.c and reader*.c ----
 * The names follow docs/trace-format.md, which is the authority; tests
 * spell the bytes out themselves rather than using these.
 */
#define CT_TF_MAGIC "\x89" "CTR\r\n\x1a\n" /* file magic, 8 bytes */
#define CT_TF_MAGIC_LEN 8
#define CT_TF_FILE_FIXED 40      /* fixed part of the file header */
#define CT_TF_CHUNK_MAGIC "CTCK" /* chunk magic, 4 bytes */
#define CT_TF_CHUNK_HDR 56       /* chunk header length written by 1.0 */
#define CT_TF_CHUNK_HDR_MAX 4096 /* longest chunk header a reader accepts */

/* Chunk types */
#define CT_TF_EVENTS 1
#define CT_TF_SYMBOLS 2
#define CT_TF_END 3

/* Chunk header field offsets */
#define CT_TF_CH_TYPE 4
#define CT_TF_CH_HDRLEN 6
#define CT_TF_CH_PAYLEN 8
#define CT_TF_CH_COUNT 12
#define CT_TF_CH_A 16    /* EVENTS first_seq | SYMBOLS first string id | END events */
#define CT_TF_CH_B 24    /* EVENTS first_ts | SYMBOLS first function id */
#define CT_TF_CH_C 32    /* EVENTS last_ts | SYMBOLS function records */
#define CT_TF_CH_LOST 40 /* EVENTS lost events | END lost events */
#define CT_TF_CH_PCRC 48 /* payload CRC-32C; the header CRC is the last 4 bytes */

/* EVENTS records: the tag's low nibble */
#define CT_TF_R_CALL 1
#define CT_TF_R_RETURN 2
#define CT_TF_R_UNWIND 3
#define CT_TF_R_THREAD_START 4
#define CT_TF_R_THREAD_EXIT 5
#define CT_TF_R_FORK 6
#define CT_TF_R_EXEC 7
#define CT_TF_R_SIGNAL 8
#define CT_TF_R_EXIT 9
#define CT_TF_R_THREAD 10
#define CT_TF_R_REGS 11
#define CT_TF_R_LOST 12
#define CT_TF_R_SEQ 13
#define CT_TF_R_EXT 15

/* The tag's high nibble */
#define CT_TF_TSNEG 0x10        /* every event record: ts = previous - dt */
#define CT_TF_CALL_DEPTH 0x20   /* call: depth adjustment present */
#define CT_TF_CALL_NARGS 0x40   /* call: argument count present */
#define CT_TF_CALL_FLAGS 0x80   /* call: flags present */
#define CT_TF_RET_EXPLICIT 0x20 /* return/unwind: function, depth, duration given */
#define CT_TF_RET_MORE 0x40     /* return/unwind: a varint of CT_TF_MORE_* bits follows */
#define CT_TF_RET_PLAIN 0x80    /* return/unwind: retval as plain varint, not zigzag */
#define CT_TF_PROC_FLAGS 0x80   /* process and thread events: flags present */

/* The "more" varint of return/unwind */
#define CT_TF_MORE_FLAGS 0x1 /* flags present */
#define CT_TF_MORE_ADJ 0x2   /* implicit form: duration adjustment present (else 0) */

/* SYMBOLS records */
#define CT_TF_S_STRING 1
#define CT_TF_S_FUNC 2

/* 1.1: the kind (first varint) of an EXT record's body; other kinds are skipped */
#define CT_TF_X_ARGS 1    /* EVENTS: names and rendered values of the next (typed) call */
#define CT_TF_X_RETVAL 2  /* EVENTS: rendered return value of the next (typed) return */
#define CT_TF_X_SRCLINE 1 /* SYMBOLS: a function's source file and line */
#define CT_TF_X_SYMBOL 2  /* SYMBOLS (1.2): a function's symbol, its name being demangled */

/* Per-value selectors of argument and register lists (2 bits each) */
#define CT_TF_SEL_SAME 0   /* as the thread's previous value: no bytes */
#define CT_TF_SEL_PLAIN 1  /* varint */
#define CT_TF_SEL_ZIGZAG 2 /* zigzag varint of the value */
#define CT_TF_SEL_DELTA 3  /* zigzag varint of value - previous value */

#endif
