// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Function signatures from DWARF (libdw through an offline libdwfl session,
 * so separate debug info is found by build-id and .gnu_debuglink like
 * `calltrap stacks` finds it).  A signature is built on demand for one
 * function address and lives, with every type it names, as long as the
 * struct ct_dwarf: they are carved from one arena freed at once.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "symtab/ctype.h"
#include "symtab/dwarf_int.h"
#include "symtab/symtab.h"
#include "util/hashmap.h"
#include "util/log.h"

#define STANDARD_DEBUGINFO_PATH ":.debug:/usr/lib/debug"
/* nested aggregates deeper than this are shown and classified as opaque */
#define MAX_TYPE_DEPTH 8
/* members or enumerators kept per type, parameters per function */
#define MAX_ITEMS 256

char *ct_debuginfo_path(const char *dirs)
{
	size_t len = sizeof(STANDARD_DEBUGINFO_PATH) + (dirs ? strlen(dirs) + 1 : 0);
	char *path = malloc(len), *out = path;
	const char *p, *end;

	if (!path)
		return NULL;
	for (p = dirs; p && *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		/* libdwfl would take a relative entry as a subdirectory of
		 * each binary's own directory, which is not what it means */
		if (*p != '/') {
			if (end > p)
				ct_dbg("%s: '%.*s' is not an absolute path, ignored", CT_DEBUG_DIR_ENV,
				       (int)(end - p), p);
			continue;
		}
		memcpy(out, p, (size_t)(end - p));
		out += end - p;
		*out++ = ':';
	}
	memcpy(out, STANDARD_DEBUGINFO_PATH, sizeof(STANDARD_DEBUGINFO_PATH));
	return path;
}

static void *arena_alloc(struct ct_dwarf *dw, size_t size)
{
	struct arena_block *b = dw->arena;
	size_t units = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t);

	if (!b || b->cap - b->used < units) {
		size_t cap = units > 256 ? units : 256;

		b = malloc(sizeof(*b) + cap * sizeof(max_align_t));
		if (!b) {
			dw->oom = true;
			return NULL;
		}
		b->next = dw->arena;
		b->used = 0;
		b->cap = cap;
		dw->arena = b;
	}
	b->used += units;
	return memset(&b->data[b->used - units], 0, units * sizeof(max_align_t));
}

static const char *arena_strdup(struct ct_dwarf *dw, const char *s)
{
	size_t n = strlen(s ? s : "") + 1;
	char *p = arena_alloc(dw, n);

	return p ? memcpy(p, s ? s : "", n) : "";
}

struct ct_dwarf *ct_dwarf_open(const char *path, const char *debug_dirs)
{
	struct ct_dwarf *dw = calloc(1, sizeof(*dw));
	Dwarf_Addr dwbias;
	GElf_Addr bias;
	int err = ENOMEM;

	if (!dw)
		return NULL;
	ct_hashmap_init(&dw->types);
	ct_hashmap_init(&dw->protos);
	dw->debuginfo_path = ct_debuginfo_path(debug_dirs);
	if (!dw->debuginfo_path)
		goto fail;
	dw->callbacks = (Dwfl_Callbacks){
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
		.debuginfo_path = &dw->debuginfo_path,
	};
	err = EIO;
	dw->dwfl = dwfl_begin(&dw->callbacks);
	if (!dw->dwfl)
		goto fail;
	dwfl_report_begin(dw->dwfl);
	dw->mod = dwfl_report_offline(dw->dwfl, path, path, -1);
	if (dwfl_report_end(dw->dwfl, NULL, NULL) != 0 || !dw->mod)
		goto fail;
	err = ENOENT;
	if (!dwfl_module_getelf(dw->mod, &bias) || !dwfl_module_getdwarf(dw->mod, &dwbias))
		goto fail;
	dw->elf_bias = bias;
	return dw;
fail:
	ct_dbg("%s: no DWARF: %s", path, err == ENOMEM ? strerror(err) : dwfl_errmsg(-1));
	ct_dwarf_free(dw);
	errno = err;
	return NULL;
}

struct ct_dwarf *ct_elf_dwarf(struct ct_elf *elf, const char *path, const char *debug_dirs)
{
	if (!elf->dw_tried) {
		elf->dw_tried = true;
		elf->dw = ct_dwarf_open(path ? path : elf->path, debug_dirs);
	}
	return elf->dw;
}

void ct_dwarf_free(struct ct_dwarf *dw)
{
	struct arena_block *b, *next;

	if (!dw)
		return;
	if (dw->dwfl)
		dwfl_end(dw->dwfl);
	for (b = dw->arena; b; b = next) {
		next = b->next;
		free(b);
	}
	ct_hashmap_fini(&dw->types);
	ct_hashmap_fini(&dw->protos);
	free(dw->debuginfo_path);
	free(dw);
}

static bool attr_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *v)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, name, &a) && dwarf_formudata(&a, v) == 0;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *s = dwarf_attr_integrate(die, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;

	return s ? s : "";
}

static const struct ct_type *build_type(struct ct_dwarf *dw, Dwarf_Die *die, unsigned depth);

/* The type an entity's DW_AT_type names, or void when it has none. */
static const struct ct_type *type_of(struct ct_dwarf *dw, Dwarf_Die *die, unsigned depth)
{
	static const struct ct_type void_type = { .kind = CT_TK_VOID };
	Dwarf_Attribute a;
	Dwarf_Die t;

	if (!dwarf_attr_integrate(die, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
		return &void_type;
	return build_type(dw, &t, depth);
}

static bool is_char_type(Dwarf_Die *t)
{
	Dwarf_Word enc, size;

	return dwarf_tag(t) == DW_TAG_base_type && attr_udata(t, DW_AT_encoding, &enc) &&
	       (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) &&
	       attr_udata(t, DW_AT_byte_size, &size) && size == 1;
}

static void fill_base(Dwarf_Die *t, struct ct_type *ty)
{
	Dwarf_Word enc = 0;

	attr_udata(t, DW_AT_encoding, &enc);
	switch (enc) {
	case DW_ATE_boolean:
		ty->kind = CT_TK_BOOL;
		break;
	case DW_ATE_float:
		ty->kind = CT_TK_FLOAT;
		ty->is_signed = true;
		ty->long_double = strcmp(die_name(t), "long double") == 0;
		break;
	case DW_ATE_signed:
	case DW_ATE_signed_char:
		ty->kind = CT_TK_INT;
		ty->is_signed = true;
		break;
	case DW_ATE_unsigned:
	case DW_ATE_unsigned_char:
	case DW_ATE_UTF:
		ty->kind = CT_TK_INT;
		break;
	default:
		ty->kind = CT_TK_OTHER; /* complex, decimal float ... */
		break;
	}
	/* plain char is shown as a character whichever its signedness */
	if ((enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char) &&
	    strcmp(die_name(t), "char") == 0) {
		ty->kind = CT_TK_CHAR;
		ty->is_signed = enc == DW_ATE_signed_char;
	}
	if (ty->kind == CT_TK_INT && ty->size > 16)
		ty->kind = CT_TK_OTHER;
}

static void fill_enum(struct ct_dwarf *dw, Dwarf_Die *t, struct ct_type *ty)
{
	struct ct_enumerator *e;
	Dwarf_Die child;
	unsigned n = 0;

	ty->kind = CT_TK_ENUM;
	/* the underlying type's signedness (DWARF 3+), else gcc's default */
	ty->is_signed = type_of(dw, t, MAX_TYPE_DEPTH)->is_signed;
	if (dwarf_child(t, &child) != 0)
		return;
	do
		n += dwarf_tag(&child) == DW_TAG_enumerator;
	while (dwarf_siblingof(&child, &child) == 0 && n < MAX_ITEMS);
	e = arena_alloc(dw, n * sizeof(*e));
	if (!e || dwarf_child(t, &child) != 0)
		return;
	ty->enums = e;
	do {
		Dwarf_Attribute a;
		Dwarf_Sword sv;

		if (dwarf_tag(&child) != DW_TAG_enumerator || ty->nr >= n)
			continue;
		if (!dwarf_attr(&child, DW_AT_const_value, &a) || dwarf_formsdata(&a, &sv) != 0)
			continue;
		e[ty->nr].name = arena_strdup(dw, die_name(&child));
		e[ty->nr].value = sv;
		ty->nr++;
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void fill_aggregate(struct ct_dwarf *dw, Dwarf_Die *t, struct ct_type *ty, unsigned depth)
{
	struct ct_member *m;
	Dwarf_Die child;
	Dwarf_Word cc;
	unsigned n = 0, align = 1;

	ty->kind = dwarf_tag(t) == DW_TAG_union_type ? CT_TK_UNION : CT_TK_STRUCT;
	if (attr_udata(t, DW_AT_calling_convention, &cc) && cc == DW_CC_pass_by_reference)
		ty->by_reference = true;
	if (dwarf_hasattr(t, DW_AT_declaration) || ty->size == 0) {
		ty->kind = CT_TK_OTHER; /* incomplete */
		return;
	}
	if (dwarf_child(t, &child) != 0)
		return;
	do
		n += dwarf_tag(&child) == DW_TAG_member && !dwarf_hasattr(&child, DW_AT_external);
	while (dwarf_siblingof(&child, &child) == 0 && n < MAX_ITEMS);
	m = arena_alloc(dw, n * sizeof(*m));
	if (!m || dwarf_child(t, &child) != 0)
		return;
	ty->members = m;
	do {
		struct ct_member *mm = &m[ty->nr];
		Dwarf_Word off = 0;

		/* C++ static data members are DW_TAG_member + external (DWARF 4) */
		if (dwarf_tag(&child) != DW_TAG_member || dwarf_hasattr(&child, DW_AT_external) ||
		    ty->nr >= n)
			continue;
		if (!attr_udata(&child, DW_AT_data_member_location, &off) &&
		    dwarf_hasattr(&child, DW_AT_data_member_location)) {
			ty->kind = CT_TK_OTHER; /* a location expression: virtual base */
			return;
		}
		mm->name = arena_strdup(dw, die_name(&child));
		mm->type = type_of(dw, &child, depth + 1);
		mm->bitfield = dwarf_hasattr(&child, DW_AT_bit_size);
		if (mm->bitfield && dwarf_hasattr(&child, DW_AT_data_bit_offset)) {
			Dwarf_Word bit = 0;

			attr_udata(&child, DW_AT_data_bit_offset, &bit);
			off = bit / 8;
		}
		mm->offset = (uint32_t)off;
		if (mm->type->align > align)
			align = mm->type->align;
		ty->nr++;
	} while (dwarf_siblingof(&child, &child) == 0);
	ty->align = align;
}

static void fill_array(struct ct_dwarf *dw, Dwarf_Die *t, struct ct_type *ty, unsigned depth)
{
	ty->kind = CT_TK_ARRAY;
	ty->elem = type_of(dw, t, depth + 1);
	ty->align = ty->elem->align ? ty->elem->align : 1;
	ty->nr = ty->elem->size ? ty->size / ty->elem->size : 0;
	if (!ty->elem->size || ty->elem->kind == CT_TK_VOID)
		ty->kind = CT_TK_OTHER;
}

static const struct ct_type *build_type(struct ct_dwarf *dw, Dwarf_Die *die, unsigned depth)
{
	static const struct ct_type opaque = { .kind = CT_TK_OTHER };
	struct ct_type *ty;
	Dwarf_Die t, pointee;
	Dwarf_Word size = 0;
	uint64_t key;

	if (dwarf_peel_type(die, &t) != 0)
		return &opaque;
	key = dwarf_dieoffset(&t) + 1;
	ty = ct_hashmap_get(&dw->types, key);
	if (ty)
		return ty;
	if (depth > MAX_TYPE_DEPTH)
		return &opaque;
	ty = arena_alloc(dw, sizeof(*ty));
	if (!ty)
		return &opaque;
	if (dwarf_aggregate_size(&t, &size) == 0 && size <= UINT32_MAX)
		ty->size = (uint32_t)size;
	ty->align = ty->size && ty->size <= 16 ? ty->size : 8;
	ty->kind = CT_TK_OTHER;
	/* in the map before the members are built: a struct reached again
	 * through its own members (only via a pointer, a leaf) is this one */
	if (ct_hashmap_put(&dw->types, key, ty) < 0) {
		dw->oom = true;
		return &opaque;
	}
	switch (dwarf_tag(&t)) {
	case DW_TAG_base_type:
		fill_base(&t, ty);
		break;
	case DW_TAG_enumeration_type:
		fill_enum(dw, &t, ty);
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_ptr_to_member_type:
		ty->kind = CT_TK_PTR;
		if (ty->size == 0)
			ty->size = ty->align = 8;
		if (dwarf_tag(&t) == DW_TAG_pointer_type) {
			Dwarf_Attribute a;

			if (dwarf_attr(&t, DW_AT_type, &a) && dwarf_formref_die(&a, &pointee) &&
			    dwarf_peel_type(&pointee, &pointee) == 0 && is_char_type(&pointee))
				ty->kind = CT_TK_STR;
		}
		if (dwarf_tag(&t) == DW_TAG_ptr_to_member_type && ty->size != 8)
			ty->kind = CT_TK_OTHER; /* a member function pointer: two words */
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		fill_aggregate(dw, &t, ty, depth);
		break;
	case DW_TAG_array_type:
		fill_array(dw, &t, ty, depth);
		break;
	case DW_TAG_unspecified_type: /* decltype(nullptr) */
		ty->kind = ty->size == 8 ? CT_TK_PTR : CT_TK_OTHER;
		break;
	default:
		break;
	}
	return ty;
}

/* The out-of-line subprogram whose code starts at dwarf address pc, as a
 * compiler described it. */
static bool find_subprogram(struct ct_dwarf *dw, uint64_t dwfl_addr, Dwarf_Die *out)
{
	Dwarf_Addr bias;
	Dwarf_Die *cu = dwfl_module_addrdie(dw->mod, dwfl_addr, &bias), *scopes = NULL;
	int n, i;
	bool found = false;

	if (!cu || ct_dwarf_is_asm_cu(cu))
		return false;
	n = dwarf_getscopes(cu, dwfl_addr - bias, &scopes);
	for (i = 0; i < n; i++) {
		if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
			*out = scopes[i];
			found = true;
			break;
		}
	}
	free(scopes);
	return found;
}

/*
 * The parameters a concrete instance of a function lists (their abstract
 * origins) into passed[]: their number, or -1 when it lists none.  GCC
 * describes a C++ constructor or destructor once, abstractly, with every
 * parameter any of its variants takes, and each variant (C1/C2, D0/D1/D2)
 * as a concrete instance that lists the ones it receives: the complete-
 * object variants receive neither __in_chrg nor __vtt_parm, a base-object
 * one only __vtt_parm (gdb reads the concrete instance's list the same way).
 */
static int passed_params(Dwarf_Die *fn, Dwarf_Off *passed)
{
	Dwarf_Die child, origin;
	Dwarf_Attribute a;
	int n = 0;

	if (dwarf_child(fn, &child) != 0)
		return -1;
	do {
		if (dwarf_tag(&child) != DW_TAG_formal_parameter)
			continue;
		if (n == MAX_ITEMS)
			return -1;
		if (dwarf_attr(&child, DW_AT_abstract_origin, &a) &&
		    dwarf_formref_die(&a, &origin))
			passed[n++] = dwarf_dieoffset(&origin);
	} while (dwarf_siblingof(&child, &child) == 0);
	return n ? n : -1;
}

/* Does a variant receive the declared parameter p?  Only an artificial
 * parameter that the concrete instance leaves out is not received: an
 * ordinary one keeps its place in the calling convention whatever the
 * concrete instance lists. */
static bool is_passed(Dwarf_Die *p, const Dwarf_Off *passed, int nr_passed)
{
	Dwarf_Attribute a;
	bool artificial = false;
	Dwarf_Off off;
	int i;

	if (nr_passed < 0)
		return true;
	if (dwarf_attr(p, DW_AT_artificial, &a))
		(void)dwarf_formflag(&a, &artificial);
	if (!artificial)
		return true;
	off = dwarf_dieoffset(p);
	for (i = 0; i < nr_passed; i++)
		if (passed[i] == off)
			return true;
	return false;
}

/* The signature a subprogram DIE (a definition or a declaration) gives. */
static const struct ct_sig *sig_of(struct ct_dwarf *dw, Dwarf_Die *fnp)
{
	struct ct_param params[MAX_ITEMS];
	struct ct_sig *sig;
	Dwarf_Die fn = *fnp, origin, *decl = &fn, child;
	Dwarf_Attribute a;
	Dwarf_Word cc;
	const char *file;
	int line;
	unsigned n = 0;
	Dwarf_Off passed[MAX_ITEMS];
	int nr_passed = -1;

	/* an out-of-line copy of an inline function, or a C++ definition
	 * whose declaration is in its class: the parameters as declared are
	 * listed where the abstract origin says, in order */
	if (dwarf_attr(&fn, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &origin)) {
		decl = &origin;
		nr_passed = passed_params(&fn, passed);
	}
	if (dwarf_child(decl, &child) == 0) {
		do {
			int tag = dwarf_tag(&child);

			if (tag == DW_TAG_unspecified_parameters)
				break;
			if (tag != DW_TAG_formal_parameter)
				continue;
			if (!is_passed(&child, passed, nr_passed))
				continue;
			if (n == MAX_ITEMS)
				return NULL;
			params[n].name = arena_strdup(dw, die_name(&child));
			params[n].type = type_of(dw, &child, 0);
			n++;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	sig = arena_alloc(dw, sizeof(*sig));
	if (!sig)
		return NULL;
	sig->params = n ? arena_alloc(dw, n * sizeof(*params)) : NULL;
	if (n && !sig->params)
		return NULL;
	if (n)
		memcpy((void *)sig->params, params, n * sizeof(*params));
	sig->nr_params = n;
	sig->ret = type_of(dw, &fn, 0);
	sig->variadic = false;
	/* gcc marks a function whose calling convention it changed (IPA-SRA,
	 * constant propagation) DW_CC_nocall: its registers are not its
	 * declared parameters */
	sig->nocall = attr_udata(&fn, DW_AT_calling_convention, &cc) && cc == DW_CC_nocall;
	if (dwarf_child(decl, &child) == 0) {
		do
			if (dwarf_tag(&child) == DW_TAG_unspecified_parameters)
				sig->variadic = true;
		while (dwarf_siblingof(&child, &child) == 0);
	}
	file = dwarf_decl_file(&fn);
	if (file && dwarf_decl_line(&fn, &line) == 0 && line > 0) {
		sig->decl_file = arena_strdup(dw, file);
		sig->decl_line = (uint32_t)line;
	}
	return dw->oom ? NULL : sig;
}

const struct ct_sig *ct_dwarf_sig(struct ct_dwarf *dw, uint64_t link_addr, const char *name)
{
	Dwarf_Die fn;

	if (!dw)
		return NULL;
	if (find_subprogram(dw, link_addr + dw->elf_bias, &fn))
		return sig_of(dw, &fn);
	if (name && *name && ct_dwarf_find_proto(dw, name, &fn))
		return sig_of(dw, &fn);
	return NULL;
}
