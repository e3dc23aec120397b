/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * C++ names a person can read: the demangled name of a function cut down
 * to what uftrace shows, its scope and name without template arguments,
 * return type or parameter list,
 *
 *	std::_Rb_tree<std::__cxx11::basic_string<char, ...>, ...>::_M_begin()
 *	-> std::_Rb_tree::_M_begin
 *
 * and, when two functions would then read the same, the longer forms that
 * tell them apart (ct_cxx_name levels, used by labels.c).
 *
 * This works on the demangler's text (__cxa_demangle, as gdb prints it),
 * not on the mangled symbol: the trace file keeps demangled names, and a
 * view only has those.  The grammar it needs is small: nested <...>,
 * (...), [...] and {...} groups, the "operator" names whose symbol holds
 * one of those characters (operator<, operator<<, operator(), operator[],
 * operator->, operator delete[]), the return type of a function template
 * (before a space at the outer level), cv and ref qualifiers after the
 * parameter list, ABI tags ("[abi:cxx11]"), GCC's clone suffixes
 * (" [clone .cold]", kept: a clone is another function), and the
 * "non-virtual thunk to " family of prefixes (kept).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "util/cxxname.h"
#include "util/strbuf.h"

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static char closer(char c)
{
	switch (c) {
	case '<':
		return '>';
	case '(':
		return ')';
	case '[':
		return ']';
	case '{':
		return '}';
	default:
		return 0;
	}
}

/* The end (one past the closer) of the group opening at s[i], within n;
 * n when it does not close.  Inside, every bracket kind nests, except
 * '<' and '>' within parentheses (expressions: "Foo<(3>2)>"). */
static size_t group_end(const char *s, size_t i, size_t n)
{
	char stack[64];
	unsigned top = 0;

	for (; i < n; i++) {
		char c = s[i], k = closer(c);

		if (k) {
			if (c == '<' && top && stack[top - 1] == ')')
				continue;
			if (top == sizeof(stack))
				return n;
			stack[top++] = k;
		} else if (top && c == stack[top - 1]) {
			if (--top == 0)
				return i + 1;
		} else if (c == '>' && top && stack[top - 1] == ')') {
			continue;
		}
	}
	return n;
}

/* Groups nested deeper than this are copied as they are: the names come
 * from the traced program's symbol tables and from trace files, and a
 * hostile one ("f(((((...") must not take a stack frame per bracket.
 * Real names nest a few levels (a dozen for heavy template code). */
#define MAX_NESTING 64

/* s[0..n) with template argument lists nested deeper than keep removed
 * (keep 0: every "<...>" goes), and ABI tags.  For types (parameter lists,
 * lambdas), where '<' always opens a group.  depth: the groups around s. */
static void put_types(struct ct_sbuf *b, const char *s, size_t n, unsigned keep, unsigned depth)
{
	size_t i = 0;

	if (depth > MAX_NESTING) {
		ct_sbuf_put(b, s, n);
		return;
	}

	while (i < n) {
		char c = s[i], k = closer(c);
		size_t e, inner_end;

		if (!k) {
			ct_sbuf_putc(b, c);
			i++;
			continue;
		}
		e = group_end(s, i, n);
		if ((c == '<' && keep == 0) || !strncmp(s + i, "[abi:", 5)) {
			/* "basic_string<char> >": the space kept the two '>' apart */
			if (e < n && s[e] == ' ' && (e + 1 == n || s[e + 1] == '>'))
				e++;
			i = e;
			continue;
		}
		inner_end = s[e - 1] == k && e - 1 > i ? e - 1 : e;
		ct_sbuf_putc(b, c);
		put_types(b, s + i + 1, inner_end - i - 1, c == '<' ? keep - 1 : keep, depth + 1);
		if (inner_end < e)
			ct_sbuf_putc(b, k);
		i = e;
	}
}

/* Operator symbols after "operator", longest first. */
static const char *const op_syms[] = {
	"<<=", ">>=", "<=>", "->*", "<<", ">>", "<=", ">=", "->", "()", "[]", "==", "!=", "&&",
	"||",  "++",  "--",  "+=",  "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<",  ">",  "+",
	"-",   "*",   "/",   "%",   "^",  "&",  "|",  "~",  "!",  "=",  ",",
};

/* The length of the operator symbol at s (within n), 0 if none. */
static size_t op_symbol(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(op_syms) / sizeof(op_syms[0]); i++) {
		size_t l = strlen(op_syms[i]);

		if (l <= n && !memcmp(s, op_syms[i], l))
			return l;
	}
	return 0;
}

/* Is s[i..n) the word "operator" standing alone (not "my_operator")? */
static bool at_operator(const char *s, size_t i, size_t n)
{
	return n - i >= 8 && !memcmp(s + i, "operator", 8) && (i == 0 || !is_ident(s[i - 1])) &&
	       (i + 8 == n || !is_ident(s[i + 8]));
}

/*
 * The qualified name of a function, without its parameter list: s[0..n)
 * is everything before it ("long ns::twice<long>", "ns::Vec::operator+=",
 * "bool operator< <int>", "outer(int)::Local::get").  A space at the outer
 * level ends a return type, which is dropped; template argument lists go
 * (keep 0) or keep one level (keep 1); the parameter lists of enclosing
 * functions (a local class's scope) go, "(anonymous namespace)" stays.
 */
static void put_name(struct ct_sbuf *b, const char *s, size_t n, unsigned keep)
{
	size_t start = b->len, i = 0;

	while (i < n) {
		char c = s[i];
		size_t e;

		if (at_operator(s, i, n)) {
			size_t l;

			ct_sbuf_put(b, "operator", 8);
			i += 8;
			l = op_symbol(s + i, n - i);
			if (l) {
				ct_sbuf_put(b, s + i, l);
				i += l;
				/* "operator< <int>": the space keeps the
				 * symbol and the template list apart */
				if (i + 1 < n && s[i] == ' ' && s[i + 1] == '<')
					i++;
				continue;
			}
			/* operator new, operator delete[], operator""_x,
			 * operator unsigned long, operator std::string: the
			 * rest of the name is the operator's */
			put_types(b, s + i, n - i, keep, 0);
			return;
		}
		if (c == ' ') {
			/* what came before was the return type */
			b->len = start;
			i++;
			continue;
		}
		if (c == '<' || c == '(' || c == '[' || c == '{') {
			e = group_end(s, i, n);
			if (c == '(' && i && (is_ident(s[i - 1]) || s[i - 1] == '>')) {
				/* an enclosing function's parameters, and its
				 * qualifiers up to the next "::" */
				while (e < n && strncmp(s + e, "::", 2))
					e++;
				i = e;
				continue;
			}
			if (c == '<' && keep == 0) {
				i = e;
				continue;
			}
			if (c == '[' && !strncmp(s + i, "[abi:", 5)) {
				i = e;
				continue;
			}
			if (c == '(' || c == '[') {
				/* "(anonymous namespace)" */
				ct_sbuf_put(b, s + i, e - i);
			} else {
				/* "{lambda(int)#1}", or one level of template
				 * arguments */
				put_types(b, s + i, e - i, c == '<' ? keep : 0, 0);
			}
			i = e;
			continue;
		}
		ct_sbuf_putc(b, c);
		i++;
	}
}

/* Prefixes the demangler puts before a function's own name. */
static const char *const special_prefixes[] = {
	"non-virtual thunk to ",
	"virtual thunk to ",
	"covariant return thunk to ",
	"transaction clone for ",
	"TLS init function for ",
	"TLS wrapper function for ",
};

/* The length of s's clone suffixes (" [clone .cold]", repeated, and the
 * " [cold]" of `calltrap stacks`) at its end. */
static size_t clone_suffix(const char *s, size_t n)
{
	size_t end = n;

	while (end >= 7 && s[end - 1] == ']') {
		size_t i = end - 1;

		while (i > 0 && s[i] != '[')
			i--;
		if (i < 1 || s[i - 1] != ' ' ||
		    (strncmp(s + i, "[clone ", 7) && strncmp(s + i, "[cold]", 6)))
			break;
		end = i - 1;
	}
	return n - end;
}

/* Trailing cv and ref qualifiers of a member function, after its ')'. */
static size_t qualifiers(const char *s, size_t n)
{
	static const char *const quals[] = { " const", " volatile", " &&", " &", " restrict",
					     " noexcept", " transaction_safe" };
	size_t end = n, i;
	bool more = true;

	while (more) {
		more = false;
		for (i = 0; i < sizeof(quals) / sizeof(quals[0]); i++) {
			size_t l = strlen(quals[i]);

			if (end >= l && !memcmp(s + end - l, quals[i], l)) {
				end -= l;
				more = true;
			}
		}
	}
	return n - end;
}

/* Where the parameter list that ends at s[close] (a ')') opens, or n. */
static size_t params_open(const char *s, size_t close, size_t n)
{
	size_t i = close + 1;
	int depth = 0;

	while (i-- > 0) {
		if (s[i] == ')')
			depth++;
		else if (s[i] == '(' && --depth == 0)
			return i;
	}
	return n;
}

/*
 * Is full[0..open) "RET (*NAME(PARAMS))", the part of a function returning
 * a function pointer before that pointer's parameters?  Then *name is
 * where NAME starts.  Not "operator()" nor "operator void (X::*)()".
 */
static bool fnptr_return(const char *full, size_t open, size_t *name)
{
	size_t inner, i;

	if (full[open - 1] != ')' || (open >= 10 && !memcmp(full + open - 10, "operator()", 10)))
		return false;
	inner = params_open(full, open - 1, open);
	if (inner == open || (inner && full[inner - 1] != ' '))
		return false;
	for (i = inner + 1; i < open - 1 && (full[i] == '*' || full[i] == '&'); i++)
		;
	if (i == inner + 1 || i >= open - 2 || full[open - 2] != ')')
		return false;
	*name = i;
	return true;
}

/* A function's name and, from level CT_CXX_PARAMS, its parameter list
 * and qualifiers: s[0..n) ends with them. */
static void put_function(struct ct_sbuf *b, const char *s, size_t n, enum ct_cxx_level level,
			 unsigned keep)
{
	size_t q = qualifiers(s, n), open;

	open = n > q && s[n - q - 1] == ')' ? params_open(s, n - q - 1, n) : n;
	if (open == n || open == 0) {
		put_name(b, s, n, keep);
		return;
	}
	put_name(b, s, open, keep);
	if (level >= CT_CXX_PARAMS) {
		put_types(b, s + open, n - q - open, keep, 0);
		ct_sbuf_put(b, s + n - q, q);
	}
}

size_t ct_cxx_name(const char *full, enum ct_cxx_level level, char *buf, size_t bufsz)
{
	struct ct_sbuf b;
	size_t n = strlen(full), sfx, q, body, open, i;
	unsigned keep = level >= CT_CXX_TEMPLATE ? (unsigned)(level - CT_CXX_TEMPLATE) + 1 : 0;

	ct_sbuf_init(&b, buf, bufsz);
	if (level >= CT_CXX_FULL || !strpbrk(full, "<( ")) {
		ct_sbuf_put(&b, full, n);
		return ct_sbuf_finish(&b);
	}
	for (i = 0; i < sizeof(special_prefixes) / sizeof(special_prefixes[0]); i++) {
		size_t l = strlen(special_prefixes[i]);

		if (!strncmp(full, special_prefixes[i], l)) {
			ct_sbuf_put(&b, full, l);
			full += l;
			n -= l;
			break;
		}
	}
	sfx = clone_suffix(full, n);
	body = n - sfx;
	q = qualifiers(full, body);
	open = body > q && full[body - q - 1] == ')' ? params_open(full, body - q - 1, n) : n;
	if (open == n || open == 0) {
		/* not a function's name: its templates alone go */
		put_name(&b, full, body, keep);
	} else if (fnptr_return(full, open, &i)) {
		/* a function returning a function pointer,
		 * "void (*ns::handler(int))(int)": the name is inside */
		put_function(&b, full + i, open - 1 - i, level, keep);
	} else {
		put_function(&b, full, body, level, keep);
	}
	ct_sbuf_put(&b, full + body, sfx);
	return ct_sbuf_finish(&b);
}

int ct_demangle_parse(const char *s, enum ct_demangle *mode)
{
	if (!strcmp(s, "short"))
		*mode = CT_DEMANGLE_SHORT;
	else if (!strcmp(s, "full"))
		*mode = CT_DEMANGLE_FULL;
	else if (!strcmp(s, "no"))
		*mode = CT_DEMANGLE_NO;
	else
		return -EINVAL;
	return 0;
}
