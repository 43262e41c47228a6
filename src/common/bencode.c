/*
 * Strict bencode decoding into a flat array of values, and canonical
 * encoding. Input is untrusted: every length is checked against what is
 * left before anything is allocated, and all limits are enforced while
 * parsing, not afterwards.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bencode.h"
#include "xmalloc.h"

const struct benc_limits benc_default_limits = {
	.max_depth = 100,		/* libtorrent's bdecode depth limit. */
	.max_nodes = 3000000,		/* libtorrent's token limit for .torrent files. */
	.max_str = 32 * 1024 * 1024,	/* Above the 30 MiB info dict bound. */
	.max_size = 64 * 1024 * 1024,	/* A .torrent with 2^21 v1 and v2 hashes fits. */
};

struct benc_parser {
	struct benc_doc			*doc;
	const uint8_t			*p;
	size_t				 len;
	size_t				 pos;
	int				 flags;
	const struct benc_limits	*lim;
	char				**cause;
};

static int
benc_fail(struct benc_parser *bp, size_t off, const char *what)
{
	if (bp->cause != NULL)
		xasprintf(bp->cause, "bencode: %s at byte %zu", what, off);
	return (-1);
}

static int
benc_new_node(struct benc_parser *bp, size_t *idx)
{
	struct benc_doc	*doc = bp->doc;

	if (doc->n >= bp->lim->max_nodes)
		return (benc_fail(bp, bp->pos, "too many values"));
	if (doc->n == doc->cap) {
		doc->cap = doc->cap == 0 ? 64 : doc->cap * 2;
		doc->v = xreallocarray(doc->v, doc->cap, sizeof *doc->v);
	}
	*idx = doc->n++;
	memset(&doc->v[*idx], 0, sizeof doc->v[*idx]);
	doc->v[*idx].off = bp->pos;
	return (0);
}

/*
 * Parse decimal digits up to the terminator. Canonical form only: no sign
 * unless allowed, no leading zeros, no "-0", no empty digits.
 */
static int
benc_parse_decimal(struct benc_parser *bp, char term, int allow_sign,
    int64_t *out)
{
	size_t		start = bp->pos;
	int		neg = 0;
	uint64_t	v = 0, limit;
	size_t		ndigits = 0;

	if (allow_sign && bp->pos < bp->len && bp->p[bp->pos] == '-') {
		neg = 1;
		bp->pos++;
	}
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (bp->pos < bp->len && bp->p[bp->pos] >= '0' &&
	    bp->p[bp->pos] <= '9') {
		unsigned d = bp->p[bp->pos] - '0';

		if (ndigits == 1 && v == 0)
			return (benc_fail(bp, start, "leading zero"));
		if (v > (limit - d) / 10)
			return (benc_fail(bp, start, "integer out of range"));
		v = v * 10 + d;
		ndigits++;
		bp->pos++;
	}
	if (bp->pos >= bp->len)
		return (benc_fail(bp, bp->pos, "truncated input"));
	if (ndigits == 0 || bp->p[bp->pos] != term)
		return (benc_fail(bp, bp->pos, term == 'e' ?
		    "bad integer" : "bad string length"));
	if (neg && v == 0)
		return (benc_fail(bp, start, "negative zero"));
	bp->pos++;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return (0);
}

static int
benc_key_cmp(const struct benc *a, const struct benc *b)
{
	size_t	n = a->slen < b->slen ? a->slen : b->slen;
	int	c = n == 0 ? 0 : memcmp(a->s, b->s, n);

	if (c != 0)
		return (c);
	return (a->slen < b->slen ? -1 : a->slen > b->slen);
}

static int benc_parse_value(struct benc_parser *, unsigned);

static int
benc_parse_string(struct benc_parser *bp, size_t idx)
{
	int64_t	slen;

	if (benc_parse_decimal(bp, ':', 0, &slen) != 0)
		return (-1);
	if ((uint64_t)slen > bp->len - bp->pos)
		return (benc_fail(bp, bp->pos, "truncated string"));
	if ((uint64_t)slen > bp->lim->max_str)
		return (benc_fail(bp, bp->pos, "string too long"));
	bp->doc->v[idx].type = BENC_STR;
	bp->doc->v[idx].s = bp->p + bp->pos;
	bp->doc->v[idx].slen = (size_t)slen;
	bp->pos += (size_t)slen;
	return (0);
}

static int
benc_parse_value(struct benc_parser *bp, unsigned depth)
{
	size_t		 idx, prev_key = SIZE_MAX, key_idx;
	struct benc	*v;
	uint8_t		 c;
	uint32_t	 count = 0;

	if (bp->pos >= bp->len)
		return (benc_fail(bp, bp->pos, "truncated input"));
	if (benc_new_node(bp, &idx) != 0)
		return (-1);
	c = bp->p[bp->pos];
	if (c == 'i') {
		bp->pos++;
		bp->doc->v[idx].type = BENC_INT;
		if (benc_parse_decimal(bp, 'e', 1, &bp->doc->v[idx].i) != 0)
			return (-1);
	} else if (c >= '0' && c <= '9') {
		if (benc_parse_string(bp, idx) != 0)
			return (-1);
	} else if (c == 'l' || c == 'd') {
		if (depth >= bp->lim->max_depth)
			return (benc_fail(bp, bp->pos, "nesting too deep"));
		bp->doc->v[idx].type = c == 'l' ? BENC_LIST : BENC_DICT;
		bp->pos++;
		for (;;) {
			if (bp->pos >= bp->len)
				return (benc_fail(bp, bp->pos,
				    "truncated input"));
			if (bp->p[bp->pos] == 'e') {
				bp->pos++;
				break;
			}
			if (c == 'd') {
				size_t	koff = bp->pos;

				if (bp->p[bp->pos] < '0' ||
				    bp->p[bp->pos] > '9')
					return (benc_fail(bp, bp->pos,
					    "dictionary key is not a string"));
				if (benc_new_node(bp, &key_idx) != 0 ||
				    benc_parse_string(bp, key_idx) != 0)
					return (-1);
				bp->doc->v[key_idx].nodes = 1;
				bp->doc->v[key_idx].len = bp->pos - koff;
				if (prev_key != SIZE_MAX) {
					int cmp = benc_key_cmp(
					    &bp->doc->v[prev_key],
					    &bp->doc->v[key_idx]);

					if (cmp == 0)
						return (benc_fail(bp, koff,
						    "duplicate dictionary key"));
					if (cmp > 0) {
						if (!(bp->flags & BENC_LENIENT))
							return (benc_fail(bp,
							    koff,
							    "unsorted dictionary key"));
						bp->doc->soft_errors = 1;
					}
				}
				prev_key = key_idx;
			}
			if (benc_parse_value(bp, depth + 1) != 0)
				return (-1);
			if (count == UINT32_MAX)
				return (benc_fail(bp, bp->pos,
				    "too many values"));
			count++;
		}
		bp->doc->v[idx].count = count;
	} else
		return (benc_fail(bp, bp->pos, "unexpected character"));

	v = &bp->doc->v[idx];
	v->len = bp->pos - v->off;
	v->nodes = (uint32_t)(bp->doc->n - idx);
	return (0);
}

/*
 * Decode buf into doc. Returns 0, or -1 with *cause set (caller frees).
 * doc must be zeroed or freed before; it points into buf, which must
 * outlive it.
 */
int
benc_decode(struct benc_doc *doc, const void *buf, size_t len,
    const struct benc_limits *lim, int flags, char **cause)
{
	struct benc_parser	bp;

	memset(doc, 0, sizeof *doc);
	if (cause != NULL)
		*cause = NULL;
	if (lim == NULL)
		lim = &benc_default_limits;
	bp.doc = doc;
	bp.p = buf;
	bp.len = len;
	bp.pos = 0;
	bp.flags = flags;
	bp.lim = lim;
	bp.cause = cause;
	doc->input = buf;

	if (len > lim->max_size) {
		benc_fail(&bp, lim->max_size, "input too large");
		goto fail;
	}
	if (benc_parse_value(&bp, 0) != 0)
		goto fail;
	if (bp.pos != len && !(flags & BENC_ALLOW_TRAILING)) {
		benc_fail(&bp, bp.pos, "trailing bytes after the value");
		goto fail;
	}
	doc->consumed = bp.pos;
	return (0);

fail:
	benc_doc_free(doc);
	return (-1);
}

void
benc_doc_free(struct benc_doc *doc)
{
	free(doc->v);
	memset(doc, 0, sizeof *doc);
}

const struct benc *
benc_root(const struct benc_doc *doc)
{
	return (doc->n == 0 ? NULL : &doc->v[0]);
}

/* The value after v's subtree: its next sibling within a list or dict. */
const struct benc *
benc_next(const struct benc *v)
{
	return (v + v->nodes);
}

/* The first item of a list, or the first key of a dictionary. */
const struct benc *
benc_first(const struct benc *v)
{
	if (v == NULL || (v->type != BENC_LIST && v->type != BENC_DICT) ||
	    v->count == 0)
		return (NULL);
	return (v + 1);
}

/* Look up a key in a dictionary; NULL if absent or d is not a dict. */
const struct benc *
benc_dict_getn(const struct benc *d, const void *key, size_t klen)
{
	const struct benc	*k;
	uint32_t		 i;

	if (d == NULL || d->type != BENC_DICT)
		return (NULL);
	k = d + 1;
	for (i = 0; i < d->count; i++) {
		const struct benc *val = k + 1;

		if (k->slen == klen && (klen == 0 ||
		    memcmp(k->s, key, klen) == 0))
			return (val);
		k = benc_next(val);
	}
	return (NULL);
}

const struct benc *
benc_dict_get(const struct benc *d, const char *key)
{
	return (benc_dict_getn(d, key, strlen(key)));
}

/* Look up a key and require a type; NULL if absent or of another type. */
const struct benc *
benc_dict_get_type(const struct benc *d, const char *key, enum benc_type t)
{
	const struct benc	*v = benc_dict_get(d, key);

	return (v != NULL && v->type == t ? v : NULL);
}

int
benc_str_eq(const struct benc *v, const char *s)
{
	size_t	len = strlen(s);

	return (v != NULL && v->type == BENC_STR && v->slen == len &&
	    (len == 0 || memcmp(v->s, s, len) == 0));
}

void
benc_writer_init(struct benc_writer *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* Called before every value: inside a dict, a value must follow a key. */
static void
benc_before_value(struct benc_writer *w)
{
	if (w->depth == 0) {
		w->values++;
		return;
	}
	if (w->stack[w->depth - 1].is_dict) {
		if (w->stack[w->depth - 1].want_key)
			w->error = 1;
		w->stack[w->depth - 1].want_key = 1;
	}
}

void
benc_put_int(struct benc_writer *w, int64_t v)
{
	benc_before_value(w);
	buf_addf(w->out, "i%llde", (long long)v);
}

void
benc_put_str(struct benc_writer *w, const void *p, size_t len)
{
	benc_before_value(w);
	buf_addf(w->out, "%zu:", len);
	buf_add(w->out, p, len);
}

void
benc_put_cstr(struct benc_writer *w, const char *s)
{
	benc_put_str(w, s, strlen(s));
}

/* Insert already-encoded bytes as one value (the caller vouches for them). */
void
benc_put_raw(struct benc_writer *w, const void *p, size_t len)
{
	benc_before_value(w);
	buf_add(w->out, p, len);
}

/* Write a dictionary key; keys must come in strictly increasing order. */
void
benc_put_keyn(struct benc_writer *w, const void *key, size_t klen)
{
	struct benc_level	*top;

	if (w->depth == 0 || !w->stack[w->depth - 1].is_dict ||
	    !w->stack[w->depth - 1].want_key) {
		w->error = 1;
		return;
	}
	top = &w->stack[w->depth - 1];
	if (top->have_last) {
		const uint8_t	*last = w->out->data + top->last_off;
		size_t		 n = top->last_len < klen ? top->last_len : klen;
		int		 c = n == 0 ? 0 : memcmp(last, key, n);

		if (c > 0 || (c == 0 && top->last_len >= klen))
			w->error = 1;
	}
	buf_addf(w->out, "%zu:", klen);
	top->last_off = w->out->len;
	top->last_len = klen;
	top->have_last = 1;
	buf_add(w->out, key, klen);
	top->want_key = 0;
}

void
benc_put_key(struct benc_writer *w, const char *key)
{
	benc_put_keyn(w, key, strlen(key));
}

static void
benc_open(struct benc_writer *w, int is_dict)
{
	benc_before_value(w);
	if (w->depth == sizeof w->stack / sizeof w->stack[0]) {
		w->error = 1;
		return;
	}
	w->stack[w->depth].is_dict = is_dict;
	w->stack[w->depth].want_key = 1;
	w->stack[w->depth].have_last = 0;
	w->depth++;
	buf_add_byte(w->out, is_dict ? 'd' : 'l');
}

void
benc_open_list(struct benc_writer *w)
{
	benc_open(w, 0);
}

void
benc_open_dict(struct benc_writer *w)
{
	benc_open(w, 1);
}

void
benc_close(struct benc_writer *w)
{
	if (w->depth == 0) {
		w->error = 1;
		return;
	}
	if (w->stack[w->depth - 1].is_dict &&
	    !w->stack[w->depth - 1].want_key)
		w->error = 1;	/* A key without a value. */
	w->depth--;
	buf_add_byte(w->out, 'e');
}

/* Check that the output is one complete canonical value: 0 if so. */
int
benc_writer_finish(struct benc_writer *w)
{
	return (w->error || w->depth != 0 || w->values != 1 ? -1 : 0);
}
