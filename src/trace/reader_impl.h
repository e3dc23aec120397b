/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to src/trace/reader*.c: the reader's state, the little decoders
 * every part uses, and what each part offers the others.
 *
 *   reader.c         the reader object: input (memory, pread, a pipe), the
 *                    file header, open and close, the accessors
 *   reader_chunks.c  chunk framing: headers and checksums, damage and
 *                    resynchronisation, streaming and the index
 *   reader_tables.c  what lives until close: strings and functions (SYMBOLS
 *                    chunks), typed values (EXT records of EVENTS chunks),
 *                    and the arena that keeps them
 *   reader_events.c  decoding the records of an EVENTS chunk
 */
#ifndef CT_TRACE_READER_IMPL_H
#define CT_TRACE_READER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/tracefile.h"
#include "util/cxxname.h"

/*
 * A fuzzing build (tests/fuzz/run.sh) computes every checksum but ignores
 * mismatches, so that mutated inputs get past them to the decoders; the
 * macro is libFuzzer's convention (also honoured by libpng, zlib, ...).
 */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define crc_ok(computed, stored) ((void)(computed), (void)(stored), true)
#else
#define crc_ok(computed, stored) ((computed) == (stored))
#endif

enum src_kind { SRC_MEM, SRC_FILE, SRC_PIPE };

struct rframe {
	uint32_t fid;
	uint32_t depth;
	uint64_t ts;
};

struct rslot {
	pid_t pid, tid;
	uint32_t depth;
	uint64_t args[CT_MAX_ARGS];
	uint64_t *regs; /* regs_words, allocated at the first snapshot, kept */
	struct rframe *stack;
	uint32_t nstack, capstack;
};

struct rfunc {
	const char *name, *module;
	const char *label; /* with labels: the name events show, once asked */
	const char *sym;   /* 1.2 SYMBOL record: the symbol behind a demangled name, or NULL */
	uint64_t addr;
	const char *src_file; /* 1.1 SRCLINE record, else NULL and 0 */
	uint32_t src_line;
};

/* Interned copies: each distinct byte string once, in the arena. */
struct ientry_str {
	uint64_t hash;
	const void *p; /* NULL: empty bucket */
	size_t len;
};

struct itab {
	struct ientry_str *e;
	size_t cap, n;
};

/* A chunk header as read, fields named after the EVENTS meaning. */
struct chdr {
	uint16_t type, hdr_len;
	uint32_t plen, count;
	uint64_t a, b, c, lost;
	uint32_t pcrc;
};

/* An index entry with what is needed to load it again. */
struct ientry {
	struct ct_trace_chunk pub;
	uint16_t hdr_len;
	uint32_t plen;
	uint32_t pcrc;
	bool bad; /* found undecodable: counted once */
};

struct ablock {
	struct ablock *next;
	size_t used, cap;
	char data[];
};

struct ct_trace_reader {
	enum src_kind kind;
	int fd;
	const uint8_t *mem;
	uint64_t size;     /* bytes in the input; UINT64_MAX for a pipe */
	uint64_t pipe_pos; /* pipe: bytes consumed */

	struct ct_trace_info info;
	unsigned regs_words;
	uint32_t header_len;

	char err[CT_TRACE_ERRLEN];
	int fatal; /* sticky -errno */
	bool done; /* streaming: nothing more to read */

	/* strings and functions; id 0 is "none", lost ids hold NULL */
	struct ablock *arena;
	const char **strs;
	uint32_t nstrs, capstrs;
	struct rfunc *funcs;
	uint32_t nfuncs, capfuncs;
	struct ct_labels *labels; /* ct_trace_reader_set_names(short): every name */
	bool symbols;             /* ct_trace_reader_set_names(no): labels are symbols */
	uint64_t sym_hwm;     /* end of the last SYMBOLS chunk loaded */
	uint64_t gap_budget;  /* damaged bytes seen, bounding id gaps */
	uint64_t damage_hwm;  /* damage below this offset is already in gap_budget */

	/* typed values (1.1): interned values and (name, value) lists */
	struct itab ivals, ilists;
	struct ct_named_value scratch[CT_TRACE_MAX_NAMED];

	/* the chunk buffer (file, pipe) */
	uint8_t *buf;
	size_t bufcap;

	/* streaming position */
	uint64_t next_off;

	/* the EVENTS chunk being decoded */
	bool active;
	const uint8_t *p, *end, *payload;
	uint64_t c_off;
	uint32_t c_count, c_events;
	uint64_t c_last_ts, c_lost, c_lost_seen;
	long c_ientry; /* index entry of the chunk, or -1 */
	uint64_t seq, ts;
	unsigned nargs;
	struct rslot *slots;
	uint32_t nslots, capslots;
	struct rslot *cur;
	bool regs_pending;
	struct ct_regs regs;
	/* typed values of the next event, from an EXT record before it */
	bool args_pending, ret_pending;
	const struct ct_named_value *pend_named;
	unsigned pend_nr;
	const char *pend_ret;

	/* index */
	bool indexed;
	struct ientry *idx;
	size_t nidx, capidx, idx_pos;

	struct ct_trace_stats stats;
};

/* ---- little decoders ---- */

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static inline uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* LEB128, at most 10 bytes and 64 bits.  0, or -1 when cut short or too long. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	unsigned shift;

	if (p < end && *p < 0x80) {
		*v = *p;
		*pp = p + 1;
		return 0;
	}
	for (shift = 0;; shift += 7) {
		uint8_t b;

		if (p >= end)
			return -1;
		b = *p++;
		if (shift == 63 && b > 1)
			return -1;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		if (shift == 63)
			return -1;
	}
	*v = x;
	*pp = p;
	return 0;
}

static inline uint64_t unzigzag(uint64_t u)
{
	return (u >> 1) ^ (0 - (u & 1));
}

/* ---- reader.c ---- */

/* The message ct_trace_reader_error() returns. */
void ct_rd_seterr(struct ct_trace_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Up to len bytes at off into dst; *got < len only at end of input. */
int ct_rd_src_read(struct ct_trace_reader *r, uint64_t off, void *dst, size_t len, size_t *got);

/* len bytes at off: a pointer into memory, or into buf (grown to len, which
 * the caller has bounded).  *got < len only at end of input. */
int ct_rd_src_map(struct ct_trace_reader *r, uint64_t off, size_t len, uint8_t **buf,
		  size_t *cap, const uint8_t **out, size_t *got);

/* A read error (or ENOMEM) at off: the message, and err made sticky. */
int ct_rd_io_error(struct ct_trace_reader *r, uint64_t off, int err);

/* ---- reader_tables.c ---- */

/* n bytes that live until close, aligned to align (a power of 2 <= 16). */
void *ct_rd_arena_alloc(struct ct_trace_reader *r, size_t n, size_t align);

/* A NUL-terminated copy of n bytes that lives until close. */
char *ct_rd_arena_str(struct ct_trace_reader *r, const uint8_t *s, size_t n);

/* The arena copy of the n bytes at s, the same pointer for the same bytes. */
const void *ct_rd_intern(struct ct_trace_reader *r, struct itab *t, const void *s, size_t n,
			 bool str);

/* Make ids up to (excluding) nstr, nfunc exist, as unknown. */
int ct_rd_pad_ids(struct ct_trace_reader *r, uint64_t nstr, uint64_t nfunc);

/* The records of a SYMBOLS chunk (payload_ok: its checksum was right).
 * 0, -EBADMSG with *why, or -ENOMEM. */
int ct_rd_load_symbols(struct ct_trace_reader *r, const struct chdr *h, const uint8_t *p,
		       bool payload_ok, const char **why);

/* The body [p, end) of an EXT record of an EVENTS chunk: typed values
 * (ARGS, RETVAL) become pending for the next event; an empty body or
 * another kind is skipped.  0, -EBADMSG with *why, or -ENOMEM. */
int ct_rd_events_ext(struct ct_trace_reader *r, const uint8_t *p, const uint8_t *end,
		     const char **why);

/* ---- reader_events.c ---- */

/* Make the EVENTS chunk at off, with header h and payload, the one decoded
 * (ientry: its index entry, or -1). */
void ct_rd_start_chunk(struct ct_trace_reader *r, uint64_t off, const struct chdr *h,
		       const uint8_t *payload, long ientry);

/* Decode records of the active chunk up to the next event (or lost record
 * when lost is not NULL).  CT_TRACE_EVENT, CT_TRACE_LOST, 0 at the end of
 * the chunk, -EBADMSG (chunk dropped) or -ENOMEM. */
int ct_rd_decode(struct ct_trace_reader *r, struct ct_event *ev, struct ct_trace_lost *lost);

#endif
