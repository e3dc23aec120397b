/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A self-contained interactive flame graph, drawn from the calling
 * context tree: the layout of Brendan Gregg's flamegraph.pl (root at the
 * bottom, callees above their callers, widths proportional to the time of
 * each call path, siblings in name order, frames narrower than 0.1 pixel
 * left out with their callees), but nothing taken from it: the script
 * below is our own.  No external reference of any kind: the SVG opens the
 * same from a disk, a mail attachment or a CI artifact.
 *
 * Interaction: a click zooms on a frame (its callers stretched across,
 * everything beside it hidden); "Reset Zoom", Escape or a click on "all"
 * zooms out; "Search" (or Ctrl-F, "/") highlights the frames whose name
 * matches a regular expression and shows the share of the time they
 * cover (nested matches counted once); each frame's title gives the
 * tooltip: name, time, percentage of the whole.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "view/cct.h"

#define IMG_W 1200
#define FRAME_H 16
#define FONT_SIZE 12
#define FONT_W (0.59 * FONT_SIZE)
#define XPAD 10
#define YPAD1 60 /* title, subtitle, buttons */
#define YPAD2 34 /* details line */
#define MIN_W 0.1

static const char svg_script[] =
	"\"use strict\";\n"
	"var frames, details, unzoombtn, searchbtn, matchedtxt, searching = false;\n"
	"function rect(g) { return g.getElementsByTagName(\"rect\")[0]; }\n"
	"function label(g) { return g.getElementsByTagName(\"text\")[0]; }\n"
	"function title(g) { return g.getElementsByTagName(\"title\")[0].textContent; }\n"
	"function fname(g) { return title(g).replace(/ \\([^()]*\\)$/, \"\"); }\n"
	"function num(el, a) { return parseFloat(el.getAttribute(a)); }\n"
	"function frame_of(el) {\n"
	"\twhile (el && el !== frames) {\n"
	"\t\tif (el.tagName === \"g\")\n"
	"\t\t\treturn el;\n"
	"\t\tel = el.parentNode;\n"
	"\t}\n"
	"\treturn null;\n"
	"}\n"
	"function fit(g) {\n"
	"\tvar r = rect(g), t = label(g), n = fname(g);\n"
	"\tvar max = Math.floor((num(r, \"width\") - 6) / FONT_W);\n"
	"\tt.setAttribute(\"x\", num(r, \"x\") + 3);\n"
	"\tif (max < 3)\n"
	"\t\tt.textContent = \"\";\n"
	"\telse if (n.length <= max)\n"
	"\t\tt.textContent = n;\n"
	"\telse\n"
	"\t\tt.textContent = n.substring(0, max - 2) + \"..\";\n"
	"}\n"
	"function each(fn) {\n"
	"\tvar gs = frames.getElementsByTagName(\"g\");\n"
	"\tfor (var i = 0; i < gs.length; i++)\n"
	"\t\tfn(gs[i], rect(gs[i]));\n"
	"}\n"
	"function zoom(g) {\n"
	"\tvar r = rect(g), x = num(r, \"data-x\"), w = num(r, \"data-w\"), y = num(r, \"y\");\n"
	"\tvar scale = (IMG_W - 2 * XPAD) / w, eps = 1e-4;\n"
	"\teach(function (e, er) {\n"
	"\t\tvar ex = num(er, \"data-x\"), ew = num(er, \"data-w\"), show;\n"
	"\t\tif (num(er, \"y\") > y) {\n"
	"\t\t\t/* below: a caller, if it spans the frame */\n"
	"\t\t\tshow = ex <= x + eps && ex + ew >= x + w - eps;\n"
	"\t\t\tif (show) {\n"
	"\t\t\t\ter.setAttribute(\"x\", XPAD);\n"
	"\t\t\t\ter.setAttribute(\"width\", IMG_W - 2 * XPAD);\n"
	"\t\t\t\te.classList.add(\"caller\");\n"
	"\t\t\t}\n"
	"\t\t} else {\n"
	"\t\t\tshow = ex >= x - eps && ex + ew <= x + w + eps;\n"
	"\t\t\tif (show) {\n"
	"\t\t\t\ter.setAttribute(\"x\", XPAD + (ex - x) * scale);\n"
	"\t\t\t\ter.setAttribute(\"width\", ew * scale);\n"
	"\t\t\t\te.classList.remove(\"caller\");\n"
	"\t\t\t}\n"
	"\t\t}\n"
	"\t\tif (show) {\n"
	"\t\t\te.classList.remove(\"hide\");\n"
	"\t\t\tfit(e);\n"
	"\t\t} else {\n"
	"\t\t\te.classList.add(\"hide\");\n"
	"\t\t}\n"
	"\t});\n"
	"\tif (g.id === \"root\")\n"
	"\t\tunzoombtn.classList.add(\"hide\");\n"
	"\telse\n"
	"\t\tunzoombtn.classList.remove(\"hide\");\n"
	"}\n"
	"function unzoom() {\n"
	"\teach(function (e, er) {\n"
	"\t\ter.setAttribute(\"x\", er.getAttribute(\"data-x\"));\n"
	"\t\ter.setAttribute(\"width\", er.getAttribute(\"data-w\"));\n"
	"\t\te.classList.remove(\"hide\");\n"
	"\t\te.classList.remove(\"caller\");\n"
	"\t\tfit(e);\n"
	"\t});\n"
	"\tunzoombtn.classList.add(\"hide\");\n"
	"}\n"
	"function reset_search() {\n"
	"\teach(function (e, er) { er.setAttribute(\"fill\", er.getAttribute(\"data-fill\")); });\n"
	"\tsearching = false;\n"
	"\tsearchbtn.textContent = \"Search\";\n"
	"\tmatchedtxt.textContent = \" \";\n"
	"}\n"
	"function search(term) {\n"
	"\tvar re, spans = [], all = 0, sum = 0, end = -1;\n"
	"\ttry {\n"
	"\t\tre = new RegExp(term);\n"
	"\t} catch (err) {\n"
	"\t\tmatchedtxt.textContent = \"Bad regular expression\";\n"
	"\t\treturn;\n"
	"\t}\n"
	"\teach(function (e, er) {\n"
	"\t\tvar x = num(er, \"data-x\"), w = num(er, \"data-w\");\n"
	"\t\tif (e.id === \"root\") {\n"
	"\t\t\tall = w;\n"
	"\t\t} else if (re.test(fname(e))) {\n"
	"\t\t\ter.setAttribute(\"fill\", \"rgb(230,0,230)\");\n"
	"\t\t\tspans.push([x, x + w]);\n"
	"\t\t}\n"
	"\t});\n"
	"\t/* the union of the matched spans: a match inside a match counts once */\n"
	"\tspans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
	"\tfor (var i = 0; i < spans.length; i++) {\n"
	"\t\tif (spans[i][1] <= end)\n"
	"\t\t\tcontinue;\n"
	"\t\tsum += spans[i][1] - Math.max(spans[i][0], end);\n"
	"\t\tend = spans[i][1];\n"
	"\t}\n"
	"\tsearching = true;\n"
	"\tsearchbtn.textContent = \"Reset Search\";\n"
	"\tmatchedtxt.textContent = \"Matched: \" +\n"
	"\t\t(all ? (100 * sum / all).toFixed(2) : \"0.00\") + \"%\";\n"
	"}\n"
	"function search_prompt() {\n"
	"\tif (searching) {\n"
	"\t\treset_search();\n"
	"\t\treturn;\n"
	"\t}\n"
	"\tvar term = prompt(\"Search functions (regular expression):\", \"\");\n"
	"\tif (term)\n"
	"\t\tsearch(term);\n"
	"}\n"
	"function init(evt) {\n"
	"\tframes = document.getElementById(\"frames\");\n"
	"\tdetails = document.getElementById(\"details\").firstChild;\n"
	"\tunzoombtn = document.getElementById(\"unzoom\");\n"
	"\tsearchbtn = document.getElementById(\"search\");\n"
	"\tmatchedtxt = document.getElementById(\"matched\");\n"
	"\teach(function (e, er) {\n"
	"\t\ter.setAttribute(\"data-x\", er.getAttribute(\"x\"));\n"
	"\t\ter.setAttribute(\"data-w\", er.getAttribute(\"width\"));\n"
	"\t\ter.setAttribute(\"data-fill\", er.getAttribute(\"fill\"));\n"
	"\t\tfit(e);\n"
	"\t});\n"
	"\tframes.addEventListener(\"click\", function (e) {\n"
	"\t\tvar g = frame_of(e.target);\n"
	"\t\tif (g)\n"
	"\t\t\tzoom(g);\n"
	"\t});\n"
	"\tframes.addEventListener(\"mouseover\", function (e) {\n"
	"\t\tvar g = frame_of(e.target);\n"
	"\t\tif (g)\n"
	"\t\t\tdetails.nodeValue = \"Function: \" + title(g);\n"
	"\t});\n"
	"\tframes.addEventListener(\"mouseout\", function () { details.nodeValue = \" \"; });\n"
	"\tunzoombtn.addEventListener(\"click\", unzoom);\n"
	"\tsearchbtn.addEventListener(\"click\", search_prompt);\n"
	"\twindow.addEventListener(\"keydown\", function (e) {\n"
	"\t\tif ((e.ctrlKey && (e.key === \"f\" || e.keyCode === 70)) || e.key === \"/\") {\n"
	"\t\t\te.preventDefault();\n"
	"\t\t\tsearch_prompt();\n"
	"\t\t} else if (e.key === \"Escape\") {\n"
	"\t\t\tunzoom();\n"
	"\t\t\tif (searching)\n"
	"\t\t\t\treset_search();\n"
	"\t\t}\n"
	"\t});\n"
	"}\n";

/* A warm color from the name, the same for the same function everywhere. */
static void color_of(const char *name, unsigned rgb[3])
{
	const unsigned char *s = (const unsigned char *)(name ? name : "");
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ *s) * 16777619u;
	rgb[0] = 205 + h % 50;
	rgb[1] = (h >> 8) % 230;
	rgb[2] = (h >> 16) % 55;
}

/* The label as shown in a frame w pixels wide (the script refits it). */
static void put_label(const struct ct_cct *c, uint32_t i, double w, struct ct_vbuf *raw,
		      struct ct_vbuf *b)
{
	long max = (long)((w - 6) / FONT_W);
	size_t n;

	raw->len = 0;
	if (i == 0) {
		ct_vbuf_puts(raw, "all");
	} else if (c->nodes[i].thread) {
		ct_vbuf_puts(raw, "[tid ");
		ct_vbuf_s64(raw, c->nodes[i].tid);
		ct_vbuf_putc(raw, ']');
	} else {
		ct_vbuf_puts(raw, c->nodes[i].name ? c->nodes[i].name : "?");
	}
	if (max < 3 || raw->err)
		return;
	n = raw->len;
	if (n > (size_t)max) {
		n = (size_t)max - 2;
		/* do not cut a UTF-8 sequence */
		while (n && ((unsigned char)raw->p[n] & 0xc0) == 0x80)
			n--;
		raw->len = n;
		ct_vbuf_put(raw, "..", 2);
	}
	ct_vbuf_putc(raw, '\0');
	if (!raw->err)
		ct_vbuf_xml(b, raw->p);
}

/* v with `decimals` (1 or 2) decimals */
static void put_num(struct ct_vbuf *b, unsigned decimals, double v)
{
	char tmp[64];
	int n = decimals == 1 ? snprintf(tmp, sizeof(tmp), "%.1f", v)
			      : snprintf(tmp, sizeof(tmp), "%.2f", v);

	if (n > 0)
		ct_vbuf_put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* "12.345 ms" */
static void put_dur(struct ct_vbuf *b, uint64_t ns)
{
	char tmp[CT_VIEW_DURLEN], *p = ct_view_format_duration(ns, tmp);

	while (*p == ' ')
		p++;
	ct_vbuf_puts(b, p);
}

static void put_frame(const struct ct_cct *c, uint32_t i, double x, double w, double y,
		      uint64_t all, struct ct_vbuf *raw, struct ct_vbuf *b)
{
	const struct ct_cct_node *nd = &c->nodes[i];
	unsigned rgb[3];

	ct_vbuf_puts(b, i == 0 ? "<g id=\"root\"><title>" : "<g><title>");
	ct_cct_label(c, i, b, true);
	ct_vbuf_puts(b, " (");
	put_dur(b, nd->total_ns);
	ct_vbuf_puts(b, ", ");
	put_num(b, 2, all ? 100.0 * (double)nd->total_ns / (double)all : 100.0);
	ct_vbuf_puts(b, "%)</title><rect x=\"");
	put_num(b, 2, x);
	ct_vbuf_puts(b, "\" y=\"");
	put_num(b, 1, y);
	ct_vbuf_puts(b, "\" width=\"");
	put_num(b, 2, w);
	ct_vbuf_puts(b, "\" height=\"");
	put_num(b, 1, FRAME_H - 1.0);
	if (i == 0 || nd->thread) {
		rgb[0] = 220, rgb[1] = 220, rgb[2] = 220;
	} else {
		color_of(nd->name, rgb);
	}
	ct_vbuf_puts(b, "\" fill=\"rgb(");
	ct_vbuf_u64(b, rgb[0]);
	ct_vbuf_putc(b, ',');
	ct_vbuf_u64(b, rgb[1]);
	ct_vbuf_putc(b, ',');
	ct_vbuf_u64(b, rgb[2]);
	ct_vbuf_puts(b, ")\" rx=\"2\" ry=\"2\"/><text x=\"");
	put_num(b, 2, x + 3);
	ct_vbuf_puts(b, "\" y=\"");
	put_num(b, 1, y + 10.5);
	ct_vbuf_puts(b, "\">");
	put_label(c, i, w, raw, b);
	ct_vbuf_puts(b, "</text></g>\n");
}

int ct_cct_svg(const struct ct_cct *c, const char *title, const char *subtitle, FILE *out)
{
	const double span = IMG_W - 2 * XPAD;
	uint64_t all = c->nodes[0].total_ns, *xns;
	double scale = all ? span / (double)all : 0;
	struct ct_vbuf b, raw;
	uint32_t i, ch, maxd = 0;
	unsigned height;
	int rc = 0;

	xns = calloc(c->n, sizeof(*xns));
	if (!xns)
		return -ENOMEM;
	/* parents come before their children in node order */
	for (i = 0; i < c->n; i++) {
		uint64_t x = xns[i];

		for (ch = c->nodes[i].first_child; ch != CT_CCT_NONE;
		     ch = c->nodes[ch].next_sibling) {
			const struct ct_cct_node *nd = &c->nodes[ch];

			xns[ch] = x;
			x += nd->total_ns;
			if ((double)nd->total_ns * scale >= MIN_W && nd->depth > maxd)
				maxd = nd->depth;
		}
	}
	height = (maxd + 1) * FRAME_H + YPAD1 + YPAD2;

	ct_vbuf_init(&b);
	ct_vbuf_init(&raw);
	ct_vbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
			 "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"");
	ct_vbuf_u64(&b, IMG_W);
	ct_vbuf_puts(&b, "\" height=\"");
	ct_vbuf_u64(&b, height);
	ct_vbuf_puts(&b, "\" viewBox=\"0 0 ");
	ct_vbuf_u64(&b, IMG_W);
	ct_vbuf_putc(&b, ' ');
	ct_vbuf_u64(&b, height);
	ct_vbuf_puts(&b, "\" onload=\"init(evt)\">\n"
			 "<style type=\"text/css\">\n"
			 "text { font-family: monospace; font-size: 12px; fill: rgb(0,0,0); }\n"
			 "#title { text-anchor: middle; font-size: 17px; }\n"
			 "#subtitle { text-anchor: middle; fill: rgb(100,100,100); }\n"
			 "#unzoom, #search { cursor: pointer; fill: rgb(0,0,160); }\n"
			 "#frames g:hover rect { stroke: rgb(0,0,0); stroke-width: 0.5; "
			 "cursor: pointer; }\n"
			 "#frames g.caller rect { fill-opacity: 0.6; }\n"
			 ".hide { display: none; }\n"
			 "</style>\n"
			 "<script type=\"text/ecmascript\"><![CDATA[\n"
			 "var IMG_W = ");
	ct_vbuf_u64(&b, IMG_W);
	ct_vbuf_puts(&b, ", XPAD = ");
	ct_vbuf_u64(&b, XPAD);
	ct_vbuf_puts(&b, ", FONT_W = ");
	put_num(&b, 2, FONT_W);
	ct_vbuf_puts(&b, ";\n");
	ct_vbuf_puts(&b, svg_script);
	ct_vbuf_puts(&b, "]]></script>\n"
			 "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" "
			 "fill=\"rgb(248,248,240)\"/>\n"
			 "<text id=\"title\" x=\"");
	ct_vbuf_u64(&b, IMG_W / 2);
	ct_vbuf_puts(&b, "\" y=\"24\">");
	ct_vbuf_xml(&b, title);
	ct_vbuf_puts(&b, "</text>\n<text id=\"subtitle\" x=\"");
	ct_vbuf_u64(&b, IMG_W / 2);
	ct_vbuf_puts(&b, "\" y=\"44\">");
	ct_vbuf_xml(&b, subtitle ? subtitle : "");
	ct_vbuf_puts(&b, "</text>\n<text id=\"unzoom\" class=\"hide\" x=\"");
	ct_vbuf_u64(&b, XPAD);
	ct_vbuf_puts(&b, "\" y=\"24\">Reset Zoom</text>\n<text id=\"search\" x=\"");
	ct_vbuf_u64(&b, IMG_W - XPAD - 100);
	ct_vbuf_puts(&b, "\" y=\"24\">Search</text>\n<text id=\"matched\" x=\"");
	ct_vbuf_u64(&b, IMG_W - XPAD - 200);
	ct_vbuf_puts(&b, "\" y=\"");
	ct_vbuf_u64(&b, height - 17);
	ct_vbuf_puts(&b, "\"> </text>\n<text id=\"details\" x=\"");
	ct_vbuf_u64(&b, XPAD);
	ct_vbuf_puts(&b, "\" y=\"");
	ct_vbuf_u64(&b, height - 17);
	ct_vbuf_puts(&b, "\"> </text>\n<g id=\"frames\">\n");

	/* the root spans everything, even an empty graph */
	put_frame(c, 0, XPAD, span, height - YPAD2 - FRAME_H, all, &raw, &b);
	for (i = all ? c->nodes[0].first_child : CT_CCT_NONE; i != CT_CCT_NONE && !rc;) {
		double w = (double)c->nodes[i].total_ns * scale;
		bool drawn = w >= MIN_W;

		if (drawn) {
			double y = height - YPAD2 - (c->nodes[i].depth + 1.0) * FRAME_H;

			put_frame(c, i, XPAD + (double)xns[i] * scale, w, y, all, &raw, &b);
			rc = ct_vbuf_maybe_flush(&b, out);
		}
		/* a frame too narrow to draw has only narrower callees */
		i = ct_cct_preorder_next(c, i, drawn);
	}
	ct_vbuf_puts(&b, "</g>\n</svg>\n");
	if (!rc)
		rc = ct_vbuf_flush(&b, out);
	if (!rc && raw.err)
		rc = raw.err;
	ct_vbuf_fini(&b);
	ct_vbuf_fini(&raw);
	free(xns);
	return rc;
}
