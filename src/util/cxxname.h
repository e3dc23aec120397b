/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C++ names a person can read: the short forms of a demangled name
 * (cxxname.c) and the names of a view, overloads told apart (labels.c).
 * Pure string functions, for every layer that shows names: the session's
 * live events, the trace reader's views, stacks.
 */
#ifndef CT_CXXNAME_H
#define CT_CXXNAME_H

#include <stddef.h>

/* --demangle=short|full|no: how views name C++ functions. */
enum ct_demangle {
	CT_DEMANGLE_SHORT, /* scope and name ("std::vector::push_back"); the default */
	CT_DEMANGLE_FULL,  /* as demangled, templates and parameters included */
	CT_DEMANGLE_NO,    /* the symbol ("_ZNSt6vectorIiSaIiEE9push_backERKi") */
};
/* "short" | "full" | "no" -> *mode.  0 or -EINVAL. */
int ct_demangle_parse(const char *s, enum ct_demangle *mode);

/* The forms of a demangled name, from the shortest. */
enum ct_cxx_level {
	CT_CXX_SHORT,    /* scope and name: "ns::Box::get", "std::_Rb_tree::_M_begin" */
	CT_CXX_PARAMS,   /* and the parameters and qualifiers, their template
			  * arguments left out: "ns::Box::get(int) const" */
	CT_CXX_TEMPLATE, /* one level of template arguments, in the name and the
			  * parameters: "ns::Box<int>::get(int) const";
			  * CT_CXX_TEMPLATE + n keeps n + 1 levels */
	CT_CXX_FULL = 16, /* as it is */
};
/*
 * full (a demangled name, as __cxa_demangle gives it) in the form of level
 * into buf, snprintf-like: returns the length the whole form needs; at
 * most bufsz bytes are written, NUL-terminated when bufsz > 0.  No
 * allocation.  A name that is no C++ function's (a C name) comes out as
 * it is; GCC's clone suffixes (" [clone .cold]") and the thunk prefixes
 * ("non-virtual thunk to ") stay at every level.
 */
size_t ct_cxx_name(const char *full, enum ct_cxx_level level, char *buf, size_t bufsz);

/*
 * The names of a view (labels.c): each name's short form, or a longer
 * form where two names of the view would read the same.  Add the names a
 * view may show, then ask for labels; a label never changes once given
 * (see labels.c).  A name that is not demangled (a C name, or a symbol
 * recorded with --demangle=no) is its own label.
 */
struct ct_labels;
struct ct_labels *ct_labels_new(void); /* NULL with errno */
void ct_labels_free(struct ct_labels *l);
/* 0, -EINVAL (NULL name) or -ENOMEM.  Adding a name twice is harmless. */
int ct_labels_add(struct ct_labels *l, const char *name);
/* name's label (added now if it was not), valid until ct_labels_free;
 * NULL on ENOMEM (or a NULL l or name). */
const char *ct_labels_get(struct ct_labels *l, const char *name);

#endif
