/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dump --format=perfetto (perfetto.c), called by ct_dump(). */
#ifndef CT_VIEW_PERFETTO_H
#define CT_VIEW_PERFETTO_H

#include <stdio.h>

#include "view/view.h"

/* Interned strings kept before the tables are emptied (and the sequence's
 * incremental state cleared): far more than the distinct functions of
 * most traces, a few MiB at most. */
#define CT_PERFETTO_MAX_INTERNED 100000u

/* The events of in through f as a Perfetto protobuf trace on fp.  0 or
 * -errno (the input's, or ENOMEM, or EIO/ENOSPC writing). */
int ct_dump_perfetto(struct ct_view_input *in, const struct ct_view_filter *f,
		     const struct ct_dump_opts *o, FILE *fp);

#endif
