/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The -e pattern language (see symtab.h):
 *
 *	GLOB		any module
 *	MODULE:GLOB	modules MODULE names (ct_module_name_match)
 *	!SPEC		exclusion
 *
 * The module separator is a ':' that is not part of a C++ "::", so
 * "ns::Klass::*" is a plain glob while "libfoo.so:ns::*" names a module,
 * nor part of what fnmatch reads as the glob: a bracket expression
 * ("[[:lower:]]*") or an escaped character ("a\:b").
 * Exclusions win over inclusions in any order, as in ltrace -x / uftrace -N:
 * "-e 'str*' -e '!strlen'" and "-e '!strlen' -e 'str*'" select the same set.
 * A C++ function is matched by its demangled name and by its symbol, so
 * "ns::Box<int>::*" and "_ZN2ns3BoxIiE*" (or a mix) work alike.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/symtab.h"

void ct_patterns_fini(struct ct_patterns *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].module);
		free(p->v[i].glob);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* After the '[' at s opens a "[:class:]", "[=c=]" or "[.c.]" inside a
 * bracket expression: the character after its closing "X]", or NULL when
 * it is none (glibc's fnmatch then takes the '[' as an ordinary member; a
 * class name is lower-case letters). */
static const char *bracket_item_end(const char *s)
{
	char kind = s[1];
	const char *p = s + 2;

	while (*p && !(p[0] == kind && p[1] == ']')) {
		if (kind == ':' && (*p < 'a' || *p > 'z'))
			return NULL;
		p++;
	}
	return *p ? p + 2 : NULL;
}

/* The ']' that closes the bracket expression opened by the '[' at s, or
 * NULL when there is none: then fnmatch matches that '[' literally. */
static const char *bracket_end(const char *s)
{
	const char *p = s + 1, *item;

	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')
		p++; /* a ']' first is a member */
	while (*p && *p != ']') {
		if (*p == '\\' && p[1])
			p += 2;
		else if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.') &&
			 (item = bracket_item_end(p)))
			p = item;
		else
			p++;
	}
	return *p ? p : NULL;
}

/* The module separator in spec, or NULL: the first ':' that starts a run
 * of an odd number of colons (a run of two is C++ scope), outside bracket
 * expressions ("[[:lower:]]*") and not escaped ("a\:b"), so a glob keeps
 * every ':' that fnmatch(3) reads as part of it. */
const char *ct_pattern_module_sep(const char *spec)
{
	const char *s = spec, *end;

	while (*s) {
		if (*s == '\\' && s[1]) {
			s += 2;
		} else if (*s == '[' && (end = bracket_end(s))) {
			s = end + 1;
		} else if (*s == ':') {
			size_t run = strspn(s, ":");

			if (run % 2)
				return s;
			s += run;
		} else {
			s++;
		}
	}
	return NULL;
}

int ct_patterns_add(struct ct_patterns *p, const char *spec)
{
	struct ct_pattern pat = { 0 };
	struct ct_pattern *v;
	const char *sep;

	if (!p || !spec)
		return -EINVAL;
	if (*spec == '!') {
		pat.exclude = true;
		spec++;
	}
	if (!*spec)
		return -EINVAL;
	sep = ct_pattern_module_sep(spec);
	if (sep) {
		if (sep == spec || !sep[1])
			return -EINVAL; /* ":GLOB", "MODULE:" */
		pat.module = strndup(spec, (size_t)(sep - spec));
		pat.glob = strdup(sep + 1);
	} else {
		pat.glob = strdup(spec);
	}
	if (!pat.glob || (sep && !pat.module))
		goto nomem;
	v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	p->v = v;
	p->v[p->n++] = pat;
	return 0;
nomem:
	free(pat.module);
	free(pat.glob);
	return -ENOMEM;
}

bool ct_patterns_have_include(const struct ct_patterns *p)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (!p->v[i].exclude)
			return true;
	return false;
}

/* The length of name without its version suffix: the ".so" that is
 * followed only by ".N" groups ("libsqlite3.so.0.8.6" -> "libsqlite3.so"),
 * or 0 when name has none. */
static size_t so_stem_len(const char *name)
{
	const char *so = NULL, *p;

	for (p = strstr(name, ".so"); p; p = strstr(p + 1, ".so"))
		so = p;
	if (!so)
		return 0;
	for (p = so + 3; *p; ) {
		if (p[0] != '.' || p[1] < '0' || p[1] > '9')
			return 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	return (size_t)(so + 3 - name);
}

/* glob against name, name up to ".so" and name up to that ".so" itself. */
static bool name_or_stem_match(const char *glob, const char *name)
{
	size_t stem = so_stem_len(name);
	char buf[256];

	if (!fnmatch(glob, name, 0))
		return true;
	if (!stem || stem >= sizeof(buf))
		return false;
	memcpy(buf, name, stem);
	buf[stem] = '\0';
	if (!fnmatch(glob, buf, 0))
		return true;
	buf[stem - 3] = '\0'; /* without ".so": "libsqlite3" */
	return stem > 3 && !fnmatch(glob, buf, 0);
}

bool ct_module_name_match(const char *glob, const struct ct_modnames *mod)
{
	if (!mod || !mod->file)
		return false;
	return name_or_stem_match(glob, mod->file) ||
	       (mod->soname && name_or_stem_match(glob, mod->soname));
}

static bool pattern_matches(const struct ct_pattern *pat, const struct ct_modnames *mod,
			    const char *func, const char *sym)
{
	if (pat->module && !ct_module_name_match(pat->module, mod))
		return false;
	return !fnmatch(pat->glob, func, 0) || (sym && !fnmatch(pat->glob, sym, 0));
}

/* What the toolchain adds to every executable (crt1.o, crti.o,
 * crtbegin.o): not the program's own functions, left out of the default
 * selection as uftrace does.  An explicit pattern still selects them. */
static bool toolchain_func(const char *func)
{
	static const char *const names[] = {
		"_start", "_init", "_fini", "frame_dummy", "register_tm_clones",
		"deregister_tm_clones", "__do_global_dtors_aux", "_dl_relocate_static_pie",
		"call_weak_fn", /* aarch64 crti.o */
	};
	size_t i;

	if (!strncmp(func, "__libc_csu_", 11))
		return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(func, names[i]))
			return true;
	return false;
}

void ct_patterns_see_module(struct ct_patterns *p, const struct ct_modnames *mod)
{
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (p->v[i].module && ct_module_name_match(p->v[i].module, mod))
			p->v[i].modules++;
}

void ct_patterns_reset_counts(struct ct_patterns *p)
{
	size_t i;

	for (i = 0; p && i < p->n; i++) {
		p->v[i].matched = 0;
		p->v[i].modules = 0;
	}
}

const char *ct_pattern_text(const struct ct_pattern *pat, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s%s", pat->exclude ? "!" : "", pat->module ? pat->module : "",
		 pat->module ? ":" : "", pat->glob);
	return buf;
}

bool ct_patterns_match_sym(struct ct_patterns *p, const struct ct_modnames *mod, bool is_main,
			   const char *func, const char *sym)
{
	bool included = false, have_include = false;
	size_t i;

	if (!func)
		return false;
	if (sym && (sym == func || !strcmp(sym, func)))
		sym = NULL;
	/* every matching include counts, so each pattern learns it matched something */
	for (i = 0; p && i < p->n; i++) {
		struct ct_pattern *pat = &p->v[i];

		if (pat->exclude)
			continue;
		have_include = true;
		if (pattern_matches(pat, mod, func, sym)) {
			pat->matched++;
			included = true;
		}
	}
	if (!have_include)
		included = is_main && !toolchain_func(func);
	if (!included)
		return false;
	for (i = 0; p && i < p->n; i++) {
		struct ct_pattern *pat = &p->v[i];

		if (pat->exclude && pattern_matches(pat, mod, func, sym)) {
			pat->matched++;
			included = false;
		}
	}
	return included;
}

bool ct_patterns_match(struct ct_patterns *p, const char *module, bool is_main, const char *func)
{
	const struct ct_modnames mod = { .file = module };

	return ct_patterns_match_sym(p, &mod, is_main, func, NULL);
}
