/* SPDX-License-Identifier: MIT */
/* The slide renderer: md4c's callbacks build a tree, comments are applied, HTML out. */
#include "tools/deck/mdrender.h"

#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/deck/math.h"

enum nkind { N_ELEM, N_TEXT, N_RAW };

struct attr {
	char *name;
	char *val; /* unescaped; NULL for a bare attribute */
};

struct node {
	enum nkind kind;
	const char *tag;
	bool is_void;
	struct attr *attrs;
	size_t n_attrs;
	struct sbuf text; /* N_TEXT: escaped HTML; N_RAW: as written */
	struct node *parent, *first, *last, *next, *prev;
};

/* What each open md4c block or span pushed, so that a leave pops exactly what
 * its enter pushed: md4c can report a span's leave without its enter on some
 * malformed input (found by fuzzing), and such a leave must change nothing. */
#define MAX_OPEN 256

struct open {
	int kind;   /* 1 + block type, or -(1 + span type) */
	int pushed; /* nodes it made current: 0, 1, or 2 for <pre><code> */
};

struct ctx {
	struct node *root, *cur;
	struct open open[MAX_OPEN];
	int depth, overflow;
	struct sbuf alt; /* an image's alt text, collected while inside it */
	int in_img;
	bool has_code;
};

static struct node *node_new(struct ctx *c, enum nkind kind, const char *tag)
{
	struct node *n = calloc(1, sizeof *n);

	/* Every node but the root (made by md_render) hangs under c->cur, which
	 * owns it from here on. */
	if (!n || !c->cur)
		abort();
	n->kind = kind;
	n->tag = tag;
	n->parent = c->cur;
	n->prev = c->cur->last;
	if (c->cur->last)
		c->cur->last->next = n;
	else
		c->cur->first = n;
	c->cur->last = n;
	return n;
}

static void opened(struct ctx *c, int kind, struct node *before)
{
	struct node *n;
	int pushed = 0;

	for (n = c->cur; n && n != before; n = n->parent)
		pushed++;
	if (c->depth == MAX_OPEN) {
		c->overflow++;
		return;
	}
	c->open[c->depth].kind = kind;
	c->open[c->depth].pushed = pushed;
	c->depth++;
}

static void closed(struct ctx *c, int kind)
{
	int k;

	if (c->overflow) {
		c->overflow--;
		return;
	}
	if (c->depth == 0 || c->open[c->depth - 1].kind != kind)
		return; /* a leave whose enter we never saw: nothing to undo */
	c->depth--;
	for (k = 0; k < c->open[c->depth].pushed && c->cur != c->root; k++)
		c->cur = c->cur->parent;
}

static void node_free(struct node *n)
{
	while (n) {
		struct node *next = n->next;
		size_t i;
		node_free(n->first);
		for (i = 0; i < n->n_attrs; i++) {
			free(n->attrs[i].name);
			free(n->attrs[i].val);
		}
		free(n->attrs);
		sb_free(&n->text);
		free(n);
		n = next;
	}
}

/* Set (name) to (val); "class" appends to an existing class. */
static void set_attr(struct node *n, const char *name, const char *val, size_t vlen)
{
	size_t i;

	for (i = 0; i < n->n_attrs; i++) {
		struct attr *a = &n->attrs[i];
		if (strcmp(a->name, name) != 0)
			continue;
		if (strcmp(name, "class") == 0 && a->val && val) {
			size_t old = strlen(a->val);
			a->val = realloc(a->val, old + vlen + 2);
			a->val[old] = ' ';
			memcpy(a->val + old + 1, val, vlen);
			a->val[old + 1 + vlen] = 0;
		} else {
			free(a->val);
			a->val = val ? strndup(val, vlen) : NULL;
		}
		return;
	}
	n->attrs = realloc(n->attrs, (n->n_attrs + 1) * sizeof *n->attrs);
	if (!n->attrs)
		abort();
	n->attrs[n->n_attrs].name = strdup(name);
	n->attrs[n->n_attrs].val = val ? strndup(val, vlen) : NULL;
	n->n_attrs++;
}

/* An md4c attribute as plain text: entities are decoded only for the common
 * named ones and numeric forms; others are kept literally. */
static void md_attr_text(const MD_ATTRIBUTE *a, struct sbuf *out)
{
	unsigned i;

	for (i = 0; a->substr_offsets[i] < a->size; i++) {
		const char *s = a->text + a->substr_offsets[i];
		size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];
		if (a->substr_types[i] == MD_TEXT_NULLCHAR)
			sb_str(out, "\xef\xbf\xbd");
		else if (a->substr_types[i] == MD_TEXT_ENTITY && n == 5 && !memcmp(s, "&amp;", 5))
			sb_str(out, "&");
		else if (a->substr_types[i] == MD_TEXT_ENTITY && n == 6 && !memcmp(s, "&quot;", 6))
			sb_str(out, "\"");
		else
			sb_put(out, s, n);
	}
}

static void set_md_attr(struct node *n, const char *name, const MD_ATTRIBUTE *a)
{
	struct sbuf v = {0};

	if (!a->text || a->size == 0)
		return;
	md_attr_text(a, &v);
	set_attr(n, name, v.p ? v.p : "", v.len);
	sb_free(&v);
}

static const char *const heading[] = {"h1", "h2", "h3", "h4", "h5", "h6"};

/* Fenced code: class="language-X", and "[1-2|3]" in the info string. */
static void code_block(struct ctx *c, const MD_BLOCK_CODE_DETAIL *d)
{
	struct node *pre = node_new(c, N_ELEM, "pre"), *code;
	struct sbuf lang = {0}, info = {0};
	char *lb, *rb;

	c->cur = pre;
	code = node_new(c, N_ELEM, "code");
	c->cur = code;
	c->has_code = true;
	md_attr_text(&d->lang, &lang);
	md_attr_text(&d->info, &info);
	if (lang.len) {
		struct sbuf cls = {0};
		sb_str(&cls, "language-");
		sb_put(&cls, lang.p, lang.len);
		set_attr(code, "class", cls.p, cls.len);
		sb_free(&cls);
	}
	set_attr(code, "data-trim", NULL, 0);
	lb = info.p ? strchr(info.p, '[') : NULL;
	rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb)
		set_attr(code, "data-line-numbers", lb + 1, (size_t)(rb - lb - 1));
	sb_free(&lang);
	sb_free(&info);
}

static void block_nodes(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct ctx *c = userdata;
	struct node *n = NULL;

	switch (type) {
	case MD_BLOCK_DOC:
	case MD_BLOCK_HTML:
		return;
	case MD_BLOCK_QUOTE:
		n = node_new(c, N_ELEM, "blockquote");
		break;
	case MD_BLOCK_UL:
		n = node_new(c, N_ELEM, "ul");
		break;
	case MD_BLOCK_OL: {
		const MD_BLOCK_OL_DETAIL *d = detail;
		n = node_new(c, N_ELEM, "ol");
		if (d->start != 1) {
			char num[16];
			snprintf(num, sizeof num, "%u", d->start);
			set_attr(n, "start", num, strlen(num));
		}
		break;
	}
	case MD_BLOCK_LI: {
		const MD_BLOCK_LI_DETAIL *d = detail;
		n = node_new(c, N_ELEM, "li");
		c->cur = n;
		if (d->is_task) {
			struct node *box = node_new(c, N_ELEM, "input");
			box->is_void = true;
			set_attr(n, "class", "task-list-item", 14);
			set_attr(box, "type", "checkbox", 8);
			set_attr(box, "disabled", NULL, 0);
			if (d->task_mark != ' ')
				set_attr(box, "checked", NULL, 0);
		}
		return;
	}
	case MD_BLOCK_HR:
		n = node_new(c, N_ELEM, "hr");
		n->is_void = true;
		return;
	case MD_BLOCK_H:
		n = node_new(c, N_ELEM, heading[((MD_BLOCK_H_DETAIL *)detail)->level - 1]);
		break;
	case MD_BLOCK_CODE:
		code_block(c, detail);
		return;
	case MD_BLOCK_P:
		n = node_new(c, N_ELEM, "p");
		break;
	case MD_BLOCK_TABLE:
		n = node_new(c, N_ELEM, "table");
		break;
	case MD_BLOCK_THEAD:
		n = node_new(c, N_ELEM, "thead");
		break;
	case MD_BLOCK_TBODY:
		n = node_new(c, N_ELEM, "tbody");
		break;
	case MD_BLOCK_TR:
		n = node_new(c, N_ELEM, "tr");
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: {
		const MD_BLOCK_TD_DETAIL *d = detail;
		static const char *const al[] = {NULL, "left", "center", "right"};
		n = node_new(c, N_ELEM, type == MD_BLOCK_TH ? "th" : "td");
		if (d->align > 0 && d->align <= 3)
			set_attr(n, "align", al[d->align], strlen(al[d->align]));
		break;
	}
	}
	if (n)
		c->cur = n;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct ctx *c = userdata;
	struct node *before = c->cur;

	block_nodes(type, detail, userdata);
	opened(c, 1 + (int)type, before);
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	(void)detail;
	closed(userdata, 1 + (int)type);
	return 0;
}

static struct node *span_node(struct ctx *c, MD_SPANTYPE type, void *detail)
{
	struct node *n;

	switch (type) {
	case MD_SPAN_EM:
		return node_new(c, N_ELEM, "em");
	case MD_SPAN_STRONG:
		return node_new(c, N_ELEM, "strong");
	case MD_SPAN_U:
		return node_new(c, N_ELEM, "u");
	case MD_SPAN_DEL:
		return node_new(c, N_ELEM, "del");
	case MD_SPAN_CODE:
		return node_new(c, N_ELEM, "code");
	case MD_SPAN_LATEXMATH: /* KaTeX takes these at build time (tools/deck/math.h) */
		n = node_new(c, N_ELEM, "span");
		set_attr(n, "class", "unideck-math", 12);
		return n;
	case MD_SPAN_LATEXMATH_DISPLAY:
		n = node_new(c, N_ELEM, "span");
		set_attr(n, "class", "unideck-math-display", 20);
		return n;
	case MD_SPAN_A: {
		const MD_SPAN_A_DETAIL *d = detail;
		n = node_new(c, N_ELEM, "a");
		set_md_attr(n, "href", &d->href);
		set_md_attr(n, "title", &d->title);
		return n;
	}
	case MD_SPAN_IMG: {
		const MD_SPAN_IMG_DETAIL *d = detail;
		n = node_new(c, N_ELEM, "img");
		n->is_void = true;
		set_md_attr(n, "src", &d->src);
		set_md_attr(n, "title", &d->title);
		return n;
	}
	default:
		return node_new(c, N_ELEM, "span");
	}
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct ctx *c = userdata;
	struct node *before = c->cur;

	/* Inside an image, spans only add to its alt text. */
	if (!c->in_img) {
		c->cur = span_node(c, type, detail);
		if (type == MD_SPAN_IMG) {
			c->in_img = 1;
			sb_free(&c->alt);
		}
	} else if (type == MD_SPAN_IMG) {
		c->in_img++;
	}
	opened(c, -1 - (int)type, before);
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct ctx *c = userdata;
	bool matched =
	        c->overflow || (c->depth > 0 && c->open[c->depth - 1].kind == -1 - (int)type);

	(void)detail;
	if (matched && type == MD_SPAN_IMG && c->in_img && --c->in_img == 0)
		set_attr(c->cur, "alt", c->alt.p ? c->alt.p : "", c->alt.len);
	closed(c, -1 - (int)type);
	return 0;
}

static struct node *text_node(struct ctx *c, enum nkind kind)
{
	if (c->cur->last && c->cur->last->kind == kind && kind == N_TEXT)
		return c->cur->last;
	return node_new(c, kind, NULL);
}

static int text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *userdata)
{
	struct ctx *c = userdata;

	if (c->in_img) {
		if (type != MD_TEXT_HTML)
			sb_put(&c->alt, s, n);
		return 0;
	}
	switch (type) {
	case MD_TEXT_HTML:
		sb_put(&text_node(c, N_RAW)->text, s, n);
		break;
	case MD_TEXT_ENTITY:
		sb_put(&text_node(c, N_TEXT)->text, s, n);
		break;
	case MD_TEXT_NULLCHAR:
		sb_str(&text_node(c, N_TEXT)->text, "\xef\xbf\xbd");
		break;
	case MD_TEXT_BR:
		node_new(c, N_ELEM, "br")->is_void = true;
		break;
	case MD_TEXT_SOFTBR:
		sb_str(&text_node(c, N_TEXT)->text, "\n");
		break;
	default:
		sb_html(&text_node(c, N_TEXT)->text, s, n);
		break;
	}
	return 0;
}

/* ---- attribute comments ---- */

/* Parse "a=\"1\" b='2' c=3 d" and call (fn) for each pair (val NULL for a bare
 * name). Returns -1 when the text is not an attribute list. */
static int parse_attrs(const char *s, size_t n,
                       void (*fn)(void *arg, const char *name, size_t nlen, const char *val,
                                  size_t vlen),
                       void *arg)
{
	size_t i = 0;

	while (i < n) {
		size_t ns, ne, vs = 0, ve = 0;
		bool has_val = false;

		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
			i++;
		if (i == n)
			break;
		ns = i;
		while (i < n && (s[i] == '-' || s[i] == '_' || s[i] == ':' || s[i] == '.' ||
		                 (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		                 (s[i] >= '0' && s[i] <= '9')))
			i++;
		ne = i;
		if (ne == ns)
			return -1;
		if (i < n && s[i] == '=') {
			has_val = true;
			i++;
			if (i < n && (s[i] == '"' || s[i] == '\'')) {
				char q = s[i++];
				vs = i;
				while (i < n && s[i] != q)
					i++;
				if (i == n)
					return -1;
				ve = i++;
			} else {
				vs = i;
				while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '"' &&
				       s[i] != '\'')
					i++;
				ve = i;
			}
		}
		fn(arg, s + ns, ne - ns, has_val ? s + vs : NULL, ve - vs);
	}
	return 0;
}

static void attr_to_text(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	struct sbuf *out = arg;

	sb_put(out, " ", 1);
	sb_put(out, name, nlen);
	if (val) {
		sb_put(out, "=\"", 2);
		sb_html(out, val, vlen);
		sb_put(out, "\"", 1);
	}
}

int md_attrs(const char *s, size_t n, struct sbuf *out)
{
	struct sbuf tmp = {0};
	int rc = parse_attrs(s, n, attr_to_text, &tmp);

	if (rc == 0 && tmp.len)
		sb_put(out, tmp.p, tmp.len);
	sb_free(&tmp);
	return rc;
}

static void attr_to_node(void *arg, const char *name, size_t nlen, const char *val, size_t vlen)
{
	char *nm = strndup(name, nlen);

	if (!nm)
		abort();
	set_attr(arg, nm, val, vlen);
	free(nm);
}

/* If (n) is "<!-- .element: ... -->", the view of its attribute text. */
static bool element_comment(const struct node *n, const char **a, size_t *alen)
{
	const char *s = n->text.p, *e, *k;

	if (n->kind != N_RAW || !s)
		return false;
	e = s + n->text.len;
	while (s < e && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
		e--;
	if (e - s < 7 || memcmp(s, "<!--", 4) != 0 || memcmp(e - 3, "-->", 3) != 0)
		return false;
	for (k = s + 4; k < e && (*k == ' ' || *k == '\t'); k++)
		;
	if ((size_t)(e - k) < 9 || memcmp(k, ".element:", 9) != 0)
		return false;
	*a = k + 9;
	*alen = (size_t)(e - 3 - *a);
	return true;
}

/* The element a comment at (n) attaches to: the nearest earlier sibling element
 * other than <br>, else the parent (NULL: the slide itself). */
static struct node *target_of(struct node *n, struct node *root)
{
	struct node *p;

	for (p = n->prev; p; p = p->prev)
		if (p->kind == N_ELEM && strcmp(p->tag, "br") != 0)
			return p;
	return n->parent == root ? NULL : n->parent;
}

static void unlink_node(struct node *n)
{
	struct node *p = n->parent;

	if (!p) /* the root is never unlinked */
		abort();
	if (n->prev)
		n->prev->next = n->next;
	else
		p->first = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		p->last = n->prev;
	n->next = NULL;
	node_free(n);
}

static void apply_comments(struct node *n, struct node *root, struct node *section)
{
	while (n) {
		struct node *next = n->next;
		const char *a;
		size_t alen;

		if (n->first)
			apply_comments(n->first, root, section);
		if (element_comment(n, &a, &alen)) {
			struct node *t = target_of(n, root);
			if (parse_attrs(a, alen, attr_to_node, t ? t : section) == 0)
				unlink_node(n);
		}
		n = next;
	}
}

/* ---- serialising ---- */

static void write_attrs(const struct node *n, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < n->n_attrs; i++) {
		sb_put(out, " ", 1);
		sb_str(out, n->attrs[i].name);
		if (n->attrs[i].val) {
			sb_put(out, "=\"", 2);
			sb_html(out, n->attrs[i].val, strlen(n->attrs[i].val));
			sb_put(out, "\"", 1);
		}
	}
}

static void write_nodes(const struct node *n, struct sbuf *out)
{
	for (; n; n = n->next) {
		if (n->kind != N_ELEM) {
			sb_put(out, n->text.p ? n->text.p : "", n->text.len);
			continue;
		}
		sb_printf(out, "<%s", n->tag);
		write_attrs(n, out);
		sb_put(out, ">", 1);
		if (n->is_void)
			continue;
		write_nodes(n->first, out);
		sb_printf(out, "</%s>", n->tag);
		/* Block elements end their line, for readable output. */
		if (strchr("pulotbh", n->tag[0]) && strcmp(n->tag, "strong") != 0 &&
		    strcmp(n->tag, "u") != 0)
			sb_put(out, "\n", 1);
	}
}

int mdrender(const char *md, size_t len, struct md_out *out)
{
	struct ctx c = {0};
	struct node section = {0};
	struct sbuf math = {0};
	MD_PARSER p = {0};
	int rc;

	p.flags = MD_DIALECT_GITHUB | MD_FLAG_NOINDENTEDCODEBLOCKS | MD_FLAG_LATEXMATHSPANS;
	p.enter_block = enter_block;
	p.leave_block = leave_block;
	p.enter_span = enter_span;
	p.leave_span = leave_span;
	p.text = text;
	section.kind = N_ELEM;
	section.tag = "section";
	c.root = c.cur = calloc(1, sizeof *c.root);
	if (!c.root)
		abort();
	c.root->kind = N_ELEM;
	c.root->tag = "div";
	math_md_delims(md, len, &math); /* \( \) \[ \] as $ and $$ */
	rc = md_parse(math.p ? math.p : "", (MD_SIZE)math.len, &p, &c);
	sb_free(&math);
	if (rc == 0) {
		apply_comments(c.root->first, c.root, &section);
		write_nodes(c.root->first, &out->html);
		write_attrs(&section, &out->section_attrs);
		out->has_code |= c.has_code;
	}
	node_free(c.root);
	node_free(section.first);
	{
		size_t i;
		for (i = 0; i < section.n_attrs; i++) {
			free(section.attrs[i].name);
			free(section.attrs[i].val);
		}
		free(section.attrs);
	}
	sb_free(&c.alt);
	return rc == 0 ? 0 : -1;
}
