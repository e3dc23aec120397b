/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The trace file writer's insides, shared by its parts: writer.c (chunks,
 * events, open and close), writer_tables.c (the string and function
 * tables of the SYMBOLS chunks), writer_threads.c (the per-thread decoder
 * state each EVENTS chunk implies).  See writer.c for the whole.
 */
#ifndef CT_TRACE_WRITER_IMPL_H
#define CT_TRACE_WRITER_IMPL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "trace/tracefile.h"


/* Room reserved before encoding one event, besides its register words. */
#define EV_RESERVE 256
/* Direct-mapped cache from function address to id (size: power of 2). */
#define FCACHE 1024

struct wframe {
	uint32_t fid;
	uint32_t depth;
	uint64_t ts;
};

struct wslot {
	uint64_t key;
	uint32_t depth;
	uint64_t args[CT_MAX_ARGS];
	uint64_t *regs; /* regs_words, allocated at the first snapshot, kept */
	struct wframe *stack;
	uint32_t nstack, capstack;
};

/* tid -> slot of the current chunk; entries of older chunks have an older gen */
struct wtid {
	uint64_t key;
	uint32_t slot;
	uint32_t gen;
};

struct wstr {
	uint32_t hash;
	uint32_t sid; /* 0: empty bucket */
};

struct wfunc {
	uint64_t addr;
	uint32_t msid, nsid;
	uint32_t fid; /* 0: empty bucket */
};

struct fcache {
	uint64_t addr;
	uint32_t fid;
};

struct buf {
	uint8_t *p;
	size_t len, cap;
};

struct ct_trace_writer {
	int fd;
	int err; /* sticky: first error */
	const struct ct_arch *arch;
	unsigned regs_words;
	size_t chunk_size;
	uint64_t bytes;
	uint64_t total_events, total_lost;

	/* string table: sid -> copy, and a hash of contents -> sid */
	char **strs;
	uint32_t *strlens;
	uint32_t next_sid, cap_sid;
	struct wstr *shash;
	size_t shash_cap;

	/* function table */
	uint32_t *fmsid, *fnsid; /* fid -> module sid, name sid */
	uint64_t *faddr;
	uint32_t *fsrc, *fline; /* fid -> source file sid, line (as last written) */
	uint32_t next_fid, cap_fid;
	struct wfunc *fhash;
	size_t fhash_cap;
	struct fcache fcache[FCACHE];

	/* SYMBOLS chunk being built */
	struct buf sym;
	uint32_t sym_first_sid, sym_first_fid, sym_nstr, sym_nfunc;

	/* EVENTS chunk being built, and the decoder state it implies */
	struct buf ev;
	bool c_started;
	uint64_t c_first_seq, c_first_ts, c_last_ts;
	uint64_t c_seq, c_ts; /* next seq; ts of the previous event */
	unsigned c_nargs;
	uint32_t c_events;
	uint64_t c_lost;
	bool c_has_lost;
	struct wslot *slots;
	uint32_t nslots, capslots;
	int cur; /* slot of the current thread, -1 none */
	struct wtid *tmap;
	size_t tmap_cap;
	uint32_t gen;
};

/* ---- encoding primitives ---- */

static inline unsigned varint_len(uint64_t v)
{
	return 1 + (63 - __builtin_clzll(v | 1)) / 7;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Two's complement difference seen as signed, folded so small magnitudes
 * of either sign encode short. */
static inline uint64_t zigzag(uint64_t v)
{
	return (v << 1) ^ (0 - (v >> 63));
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Room for n more bytes in b.  0 or -ENOMEM. */
int ct_tw_buf_reserve(struct buf *b, size_t n);

/* writer_tables.c */
/* The id of string s, defined in the SYMBOLS chunk if new.  0 or -ENOMEM. */
int ct_tw_intern_str(struct ct_trace_writer *w, const char *s, uint32_t *sid);
/* The id of ev's function, defined (FUNC record) if new.  0 or -ENOMEM. */
int ct_tw_intern_func(struct ct_trace_writer *w, const struct ct_event *ev, uint32_t *fid);
/* ev's source file and line for function fid, written if new.  0 or -ENOMEM. */
int ct_tw_note_srcline(struct ct_trace_writer *w, uint32_t fid, const struct ct_event *ev);

/* writer_threads.c */
/* Grow the tid map (it starts empty).  0 or -ENOMEM. */
int ct_tw_tmap_grow(struct ct_trace_writer *w);
/* Make (pid, tid) the current thread of the chunk, with a THREAD record
 * when it changes.  0 or -ENOMEM. */
int ct_tw_switch_thread(struct ct_trace_writer *w, pid_t pid, pid_t tid);
/* Push a call on a thread's stack of the chunk.  0 or -ENOMEM. */
int ct_tw_push_frame(struct wslot *s, uint32_t fid, uint32_t depth, uint64_t ts);

/* writer_typed.c */
/* What an event's typed EXT record needs: the names' ids, the values'
 * lengths, and its size. */
struct typed {
	unsigned kind; /* 0: no record */
	unsigned n;
	uint32_t sid[CT_TRACE_MAX_NAMED];
	uint32_t len[CT_TRACE_MAX_NAMED];
	const char *val[CT_TRACE_MAX_NAMED];
	size_t body, size; /* EXT body bytes; the whole record */
};
/* Plan the EXT record of ev (interning the parameter names).  0 or
 * -ENOMEM. */
int ct_tw_plan_typed(struct ct_trace_writer *w, const struct ct_event *ev, struct typed *t);
/* Write the planned record at p; the end of what was written. */
uint8_t *ct_tw_put_typed(uint8_t *p, const struct typed *t);

#endif
