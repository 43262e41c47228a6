/*
 * Bencode: the strict decoder (values, spans, navigation, every rejection
 * with the byte offset it names) and the canonical encoder.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "bencode.h"
#include "buf.h"

/* A label for one check; each CHECK_MSG prints it at once. */
static const char *
label(const char *fmt, ...)
{
	static char	buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (buf);
}

/* 1 if s ends with " at byte N". */
static int
ends_at_byte(const char *s, size_t at)
{
	char	want[64];
	size_t	n, wn;

	snprintf(want, sizeof want, " at byte %zu", at);
	n = strlen(s);
	wn = strlen(want);
	return (n >= wn && strcmp(s + n - wn, want) == 0);
}

/*
 * Decode input (len bytes) and expect failure naming what at byte at.
 * Also check the document is left empty.
 */
static void
reject(const char *name, const void *input, size_t len,
    const struct benc_limits *lim, int flags, const char *what, size_t at)
{
	struct benc_doc	 doc;
	char		*cause = NULL;
	int		 r;

	r = benc_decode(&doc, input, len, lim, flags, &cause);
	CHECK_MSG(r == -1, label("%s: decode fails", name));
	CHECK_MSG(cause != NULL && strstr(cause, what) != NULL,
	    label("%s: cause names \"%s\"", name, what));
	CHECK_MSG(cause != NULL && ends_at_byte(cause, at),
	    label("%s: cause says at byte %zu", name, at));
	if (cause != NULL && (strstr(cause, what) == NULL ||
	    !ends_at_byte(cause, at)))
		printf("# cause was: %s\n", cause);
	CHECK_MSG(doc.v == NULL && doc.n == 0,
	    label("%s: document left empty", name));
	free(cause);
}

static void
reject_str(const char *input, const char *what, size_t at)
{
	reject(input, input, strlen(input), NULL, 0, what, at);
}

/* Decode a C string that must be valid; returns 0 on success. */
static int
decode(struct benc_doc *doc, const char *s, int flags)
{
	char	*cause = NULL;
	int	 r;

	r = benc_decode(doc, s, strlen(s), NULL, flags, &cause);
	if (r != 0)
		printf("# unexpected failure on \"%s\": %s\n", s, cause);
	free(cause);
	return (r);
}

static void
test_ints(void)
{
	static const struct {
		const char	*in;
		int64_t		 want;
	} t[] = {
		{ "i0e", 0 },
		{ "i7e", 7 },
		{ "i42e", 42 },
		{ "i-1e", -1 },
		{ "i-42e", -42 },
		{ "i1000000000000e", 1000000000000LL },
		{ "i9223372036854775807e", INT64_MAX },
		{ "i-9223372036854775808e", INT64_MIN },
	};
	struct benc_doc	doc;
	size_t		i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (!CHECK_MSG(decode(&doc, t[i].in, 0) == 0,
		    label("decodes %s", t[i].in)))
			continue;
		CHECK_MSG(doc.n == 1 && doc.v[0].type == BENC_INT &&
		    doc.v[0].i == t[i].want,
		    label("%s is the integer %lld", t[i].in,
		    (long long)t[i].want));
		CHECK_MSG(doc.v[0].off == 0 && doc.v[0].len == strlen(t[i].in)
		    && doc.consumed == strlen(t[i].in),
		    label("%s spans the whole input", t[i].in));
		benc_doc_free(&doc);
	}
}

static void
test_strings(void)
{
	static const uint8_t	 bin[] = "4:\0\xff\n\x80";
	struct benc_doc		 doc;
	char			*cause = NULL;

	if (CHECK(decode(&doc, "0:", 0) == 0)) {
		CHECK_INT(doc.v[0].type, BENC_STR);
		CHECK_INT(doc.v[0].slen, 0);
		CHECK_INT(doc.v[0].len, 2);
		CHECK(benc_str_eq(&doc.v[0], ""));
		benc_doc_free(&doc);
	}
	if (CHECK(decode(&doc, "5:hello", 0) == 0)) {
		CHECK_INT(doc.v[0].slen, 5);
		CHECK(memcmp(doc.v[0].s, "hello", 5) == 0);
		/* The string points into the input, after the colon. */
		CHECK(benc_str_eq(&doc.v[0], "hello"));
		CHECK(!benc_str_eq(&doc.v[0], "hell"));
		benc_doc_free(&doc);
	}
	/* Binary bytes, NUL included, are kept as they are. */
	if (CHECK(benc_decode(&doc, bin, 6, NULL, 0, &cause) == 0)) {
		CHECK_INT(doc.v[0].slen, 4);
		CHECK(doc.v[0].s == bin + 2);
		CHECK(memcmp(doc.v[0].s, "\0\xff\n\x80", 4) == 0);
		benc_doc_free(&doc);
	}
	free(cause);
	if (CHECK(decode(&doc, "10:0123456789", 0) == 0)) {
		CHECK_INT(doc.v[0].slen, 10);
		benc_doc_free(&doc);
	}
}

/*
 * "d1:ad1:bli1ei2eee1:c3:xyze": offsets
 *  0 d, 1 "1:a", 4 d, 5 "1:b", 8 l, 9 i1e, 12 i2e, 15 e, 16 e,
 * 17 "1:c", 20 "3:xyz", 25 e.
 */
static void
test_nested(void)
{
	const char		*in = "d1:ad1:bli1ei2eee1:c3:xyze";
	struct benc_doc		 doc;
	const struct benc	*root, *k, *v, *inner, *list = NULL, *item;

	if (!CHECK(decode(&doc, in, 0) == 0))
		return;
	root = benc_root(&doc);
	CHECK(root == &doc.v[0]);
	CHECK_INT(root->type, BENC_DICT);
	CHECK_INT(root->count, 2);
	CHECK_INT(root->nodes, 9);
	CHECK_INT(doc.n, 9);
	CHECK_INT(root->off, 0);
	CHECK_INT(root->len, 26);

	inner = benc_dict_get(root, "a");
	if (CHECK(inner != NULL)) {
		CHECK_INT(inner->type, BENC_DICT);
		CHECK_INT(inner->off, 4);
		CHECK_INT(inner->len, 13);
		CHECK(memcmp(in + inner->off, "d1:bli1ei2eee", inner->len) ==
		    0);
		CHECK_INT(inner->count, 1);
		CHECK_INT(inner->nodes, 5);
		list = benc_dict_get(inner, "b");
		if (CHECK(list != NULL)) {
			CHECK_INT(list->type, BENC_LIST);
			CHECK_INT(list->off, 8);
			CHECK_INT(list->len, 8);
			CHECK_INT(list->count, 2);
			item = benc_first(list);
			CHECK(item != NULL && item->type == BENC_INT &&
			    item->i == 1 && item->off == 9 && item->len == 3);
			item = benc_next(item);
			CHECK(item->type == BENC_INT && item->i == 2 &&
			    item->off == 12 && item->len == 3);
		}
	}
	v = benc_dict_get(root, "c");
	CHECK(v != NULL && benc_str_eq(v, "xyz") && v->off == 20 &&
	    v->len == 5);

	/* Keys only match at their own level and in full. */
	CHECK(benc_dict_get(root, "b") == NULL);
	CHECK(benc_dict_get(root, "") == NULL);
	CHECK(benc_dict_get(root, "ab") == NULL);
	CHECK(benc_dict_getn(root, "c", 1) == v);
	CHECK(benc_dict_get(list, "a") == NULL);
	CHECK(benc_dict_get(NULL, "a") == NULL);
	CHECK(benc_dict_get_type(root, "c", BENC_STR) == v);
	CHECK(benc_dict_get_type(root, "c", BENC_INT) == NULL);
	CHECK(benc_dict_get_type(root, "a", BENC_DICT) == inner);

	/* Walking with first/next visits keys and values in order. */
	k = benc_first(root);
	CHECK(k != NULL && benc_str_eq(k, "a") && k->off == 1 &&
	    k->len == 3);
	v = benc_next(k);
	CHECK(v == inner);
	k = benc_next(v);
	CHECK(benc_str_eq(k, "c") && k->off == 17);
	v = benc_next(k);
	CHECK(benc_str_eq(v, "xyz"));
	CHECK(benc_next(v) == doc.v + doc.n);
	CHECK(benc_next(root) == doc.v + doc.n);

	CHECK(benc_first(v) == NULL);		/* A string has no items. */
	benc_doc_free(&doc);
	CHECK(doc.v == NULL && doc.n == 0);

	if (CHECK(decode(&doc, "le", 0) == 0)) {
		CHECK_INT(doc.v[0].type, BENC_LIST);
		CHECK_INT(doc.v[0].count, 0);
		CHECK(benc_first(&doc.v[0]) == NULL);
		benc_doc_free(&doc);
	}
	if (CHECK(decode(&doc, "de", 0) == 0)) {
		CHECK_INT(doc.v[0].type, BENC_DICT);
		CHECK(benc_first(&doc.v[0]) == NULL);
		CHECK(benc_dict_get(&doc.v[0], "a") == NULL);
		benc_doc_free(&doc);
	}

	/* A list of lists: nodes counts whole subtrees. */
	if (CHECK(decode(&doc, "llelleei0ee", 0) == 0)) {
		root = benc_root(&doc);
		CHECK_INT(root->count, 3);
		CHECK_INT(root->nodes, 5);
		item = benc_first(root);
		CHECK(item->type == BENC_LIST && item->count == 0);
		item = benc_next(item);
		CHECK(item->type == BENC_LIST && item->count == 1 &&
		    item->nodes == 2 && item->off == 3 && item->len == 4);
		item = benc_next(item);
		CHECK(item->type == BENC_INT && item->i == 0 &&
		    item->off == 7);
		benc_doc_free(&doc);
	}

	/* Keys compare as unsigned bytes: 0x80 sorts after 'a'. */
	if (CHECK(decode(&doc, "d1:a0:1:\x80" "0:e", 0) == 0)) {
		CHECK(benc_dict_getn(&doc.v[0], "\x80", 1) != NULL);
		benc_doc_free(&doc);
	}
	/* A key that is a prefix of the next sorts first. */
	if (CHECK(decode(&doc, "d1:ai1e2:abi2ee", 0) == 0)) {
		CHECK_INT(benc_dict_get(&doc.v[0], "ab")->i, 2);
		CHECK_INT(benc_dict_get(&doc.v[0], "a")->i, 1);
		benc_doc_free(&doc);
	}
}

static void
test_rejections(void)
{
	static const char	 bin_key[] = "d1:b0:1:\x00" "0:e";

	/* Non-canonical integers and lengths. */
	reject_str("i03e", "leading zero", 1);
	reject_str("i00e", "leading zero", 1);
	reject_str("i-03e", "leading zero", 1);
	reject_str("03:abc", "leading zero", 0);
	reject_str("00:", "leading zero", 0);
	reject_str("li1ei03ee", "leading zero", 5);
	reject_str("i-0e", "negative zero", 1);
	reject_str("i-e", "bad integer", 2);
	reject_str("ie", "bad integer", 1);
	reject_str("i+1e", "bad integer", 1);
	reject_str("i 1e", "bad integer", 1);
	reject_str("i1.5e", "bad integer", 2);
	reject_str("-1:a", "unexpected character", 0);
	reject_str("1a", "bad string length", 1);
	reject_str("x", "unexpected character", 0);
	reject_str("lxe", "unexpected character", 1);

	/* Integers beyond 64 bits, by one. */
	reject_str("i9223372036854775808e", "integer out of range", 1);
	reject_str("i-9223372036854775809e", "integer out of range", 1);
	reject_str("i99999999999999999999e", "integer out of range", 1);
	reject_str("99999999999999999999:", "integer out of range", 0);
	reject_str("9999:abc", "truncated string", 5);

	/* Dictionaries: sorted, unique, string keys. */
	reject_str("d1:b0:1:a0:e", "unsorted dictionary key", 6);
	reject_str("d2:ab0:1:a0:e", "unsorted dictionary key", 7);
	reject_str("d1:a0:1:a0:e", "duplicate dictionary key", 6);
	reject_str("d1:ad1:x0:1:x0:ee", "duplicate dictionary key", 10);
	reject_str("di1e0:e", "dictionary key is not a string", 1);
	reject_str("dle0:e", "dictionary key is not a string", 1);
	/* 0x00 sorts before 'b' (and is not the end of the key). */
	reject("key 0x00 after b", bin_key, sizeof bin_key - 1, NULL, 0,
	    "unsorted dictionary key", 6);

	/* Trailing bytes. */
	reject_str("i1ei2e", "trailing bytes", 3);
	reject_str("lei", "trailing bytes", 2);
	reject_str("0: ", "trailing bytes", 2);

	/* Empty input. */
	reject("empty input", "", 0, NULL, 0, "truncated", 0);
}

/* Every proper prefix of a valid document is truncated. */
static void
test_truncation(void)
{
	const char	*in = "d4:infod6:lengthi123e4:name3:abc6:piecesl"
			    "2:xy0:lee5:q-123i-5ee3:zzzi0ee";
	size_t		 len = strlen(in), cut, bad_r = 0, bad_cause = 0;
	size_t		 bad_at = 0, bad_flags = 0;
	struct benc_doc	 doc;
	char		*cause;
	int		 printed = 0;

	CHECK(decode(&doc, in, 0) == 0);
	CHECK_INT(doc.consumed, len);
	benc_doc_free(&doc);
	for (cut = 0; cut < len; cut++) {
		const char	*at;
		size_t		 off;

		cause = NULL;
		if (benc_decode(&doc, in, cut, NULL, 0, &cause) != -1) {
			bad_r++;
			benc_doc_free(&doc);
		}
		if (cause == NULL || strstr(cause, "truncated") == NULL)
			bad_cause++;
		else if ((at = strstr(cause, " at byte ")) == NULL ||
		    sscanf(at, " at byte %zu", &off) != 1 || off > cut)
			bad_at++;
		else if (strstr(cause, "truncated input") != NULL &&
		    off != cut)
			bad_at++;	/* Input ran out right at the cut. */
		if (bad_r + bad_cause + bad_at != 0 && !printed) {
			printf("# cut %zu: %s\n", cut,
			    cause == NULL ? "(no cause)" : cause);
			printed = 1;
		}
		free(cause);
		/* Allowing trailing bytes does not allow missing ones. */
		if (benc_decode(&doc, in, cut, NULL, BENC_ALLOW_TRAILING |
		    BENC_LENIENT, NULL) != -1) {
			bad_flags++;
			benc_doc_free(&doc);
		}
	}
	CHECK_MSG(bad_r == 0, "every prefix of a valid document fails");
	CHECK_MSG(bad_cause == 0, "every prefix fails as truncated");
	CHECK_MSG(bad_at == 0, "every truncation names an offset within it");
	CHECK_MSG(bad_flags == 0,
	    "prefixes fail with BENC_ALLOW_TRAILING | BENC_LENIENT too");

	/* Exact offsets at a few cut points. */
	reject("cut inside an integer", "i123e", 3, NULL, 0,
	    "truncated input", 3);
	reject("cut inside a string", "5:hello", 4, NULL, 0,
	    "truncated string", 2);
	reject("cut inside a length", "15:x", 1, NULL, 0,
	    "truncated input", 1);
	reject("cut before the end of a list", "li1e", 4, NULL, 0,
	    "truncated input", 4);
	reject("cut after a key", "d1:a", 4, NULL, 0, "truncated input", 4);
	reject("cut after i", "i", 1, NULL, 0, "truncated input", 1);
	reject("cut after i-", "i-", 2, NULL, 0, "truncated input", 2);
}

static void
test_limits(void)
{
	struct benc_limits	lim = benc_default_limits;
	struct benc_doc		doc;
	char			deep[256];
	size_t			i;

	/* max_depth counts open lists and dicts: 3 allows three levels. */
	lim.max_depth = 3;
	CHECK(benc_decode(&doc, "llleee", 6, &lim, 0, NULL) == 0);
	benc_doc_free(&doc);
	reject("four lists, max_depth 3", "lllleeee", 8, &lim, 0,
	    "nesting too deep", 3);
	reject("four dicts, max_depth 3", "d1:ad1:bd1:cdeeee", 17, &lim, 0,
	    "nesting too deep", 12);
	/* Scalars do not count as a level. */
	CHECK(benc_decode(&doc, "llli1eeee", 9, &lim, 0, NULL) == 0);
	benc_doc_free(&doc);

	/* The default: 100 levels. */
	for (i = 0; i < 100; i++) {
		deep[i] = 'l';
		deep[100 + i] = 'e';
	}
	CHECK(benc_decode(&doc, deep, 200, NULL, 0, NULL) == 0);
	benc_doc_free(&doc);
	for (i = 0; i < 101; i++) {
		deep[i] = 'l';
		deep[101 + i] = 'e';
	}
	reject("101 nested lists", deep, 202, NULL, 0, "nesting too deep",
	    100);

	/* max_nodes counts every value, dictionary keys included. */
	lim = benc_default_limits;
	lim.max_nodes = 3;
	CHECK(benc_decode(&doc, "li1ei2ee", 8, &lim, 0, NULL) == 0);
	CHECK_INT(doc.n, 3);
	benc_doc_free(&doc);
	reject("four values, max_nodes 3", "li1ei2ei3ee", 11, &lim, 0,
	    "too many values", 7);
	CHECK(benc_decode(&doc, "d1:ai1ee", 8, &lim, 0, NULL) == 0);
	benc_doc_free(&doc);
	reject("two pairs, max_nodes 3", "d1:ai1e1:bi2ee", 14, &lim, 0,
	    "too many values", 7);

	/* max_str bounds one string. */
	lim = benc_default_limits;
	lim.max_str = 4;
	CHECK(benc_decode(&doc, "4:abcd", 6, &lim, 0, NULL) == 0);
	benc_doc_free(&doc);
	reject("5-byte string, max_str 4", "5:abcde", 7, &lim, 0,
	    "string too long", 2);
	reject("5-byte key, max_str 4", "d5:abcde0:e", 11, &lim, 0,
	    "string too long", 3);

	/* max_size bounds the whole input. */
	lim = benc_default_limits;
	lim.max_size = 6;
	CHECK(benc_decode(&doc, "4:abcd", 6, &lim, 0, NULL) == 0);
	benc_doc_free(&doc);
	reject("7 bytes, max_size 6", "5:abcde", 7, &lim, 0,
	    "input too large", 6);
}

static void
test_flags(void)
{
	struct benc_doc	 doc;
	char		*cause = NULL;

	/* BENC_ALLOW_TRAILING stops after the first value. */
	if (CHECK(benc_decode(&doc, "d1:ai1eeXYZ", 11, NULL,
	    BENC_ALLOW_TRAILING, &cause) == 0)) {
		CHECK_INT(doc.consumed, 8);
		CHECK_INT(doc.v[0].len, 8);
		CHECK_INT(benc_dict_get(&doc.v[0], "a")->i, 1);
		benc_doc_free(&doc);
	}
	if (CHECK(benc_decode(&doc, "i5e", 3, NULL, BENC_ALLOW_TRAILING,
	    NULL) == 0)) {
		CHECK_INT(doc.consumed, 3);
		benc_doc_free(&doc);
	}

	/* BENC_LENIENT accepts unsorted keys and says so. */
	if (CHECK(decode(&doc, "d1:bi2e1:ai1ee", BENC_LENIENT) == 0)) {
		CHECK_INT(doc.soft_errors, 1);
		CHECK_INT(benc_dict_get(&doc.v[0], "a")->i, 1);
		CHECK_INT(benc_dict_get(&doc.v[0], "b")->i, 2);
		benc_doc_free(&doc);
	}
	if (CHECK(decode(&doc, "d1:ai1e1:bi2ee", BENC_LENIENT) == 0)) {
		CHECK_INT(doc.soft_errors, 0);
		benc_doc_free(&doc);
	}
	/* Nested unsorted keys count too. */
	if (CHECK(decode(&doc, "ld1:bi2e1:ai1eee", BENC_LENIENT) == 0)) {
		CHECK_INT(doc.soft_errors, 1);
		benc_doc_free(&doc);
	}
	/* Lenient is not lax: duplicates and bad integers still fail. */
	reject("duplicate key, lenient", "d1:ai1e1:ai1ee", 14, NULL,
	    BENC_LENIENT, "duplicate dictionary key", 7);
	reject("leading zero, lenient", "i01e", 4, NULL,
	    BENC_LENIENT | BENC_ALLOW_TRAILING, "leading zero", 1);
	free(cause);

	/* A NULL cause pointer is allowed. */
	CHECK(benc_decode(&doc, "i01e", 4, NULL, 0, NULL) == -1);
}

static const char *
finish_str(struct buf *b, struct benc_writer *w, int *r)
{
	*r = benc_writer_finish(w);
	return (buf_cstr(b));
}

static void
test_encoder(void)
{
	struct buf		b;
	struct benc_writer	w;
	int			r;

	buf_init(&b);

	benc_writer_init(&w, &b);
	benc_put_int(&w, 0);
	CHECK_STR(finish_str(&b, &w, &r), "i0e");
	CHECK_INT(r, 0);

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_list(&w);
	benc_put_int(&w, -42);
	benc_put_int(&w, INT64_MAX);
	benc_put_int(&w, INT64_MIN);
	benc_put_cstr(&w, "");
	benc_put_str(&w, "a\0b", 3);
	benc_close(&w);
	r = benc_writer_finish(&w);
	CHECK_INT(r, 0);
	CHECK_INT(b.len, 57);
	CHECK(b.len == 57 && memcmp(b.data, "li-42ei9223372036854775807e"
	    "i-9223372036854775808e0:3:a\0be", 57) == 0);

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "a");
	benc_put_int(&w, 1);
	benc_put_key(&w, "ab");		/* "a" is a prefix: sorts first. */
	benc_open_list(&w);
	benc_close(&w);
	benc_put_key(&w, "b");
	benc_open_dict(&w);
	benc_put_keyn(&w, "", 0);
	benc_put_cstr(&w, "x");
	benc_put_keyn(&w, "\x80", 1);	/* Unsigned: after "". */
	benc_open_dict(&w);
	benc_close(&w);
	benc_close(&w);
	benc_close(&w);
	CHECK_STR(finish_str(&b, &w, &r), "d1:ai1e2:able1:bd0:1:x1:\x80"
	    "deee");
	CHECK_INT(r, 0);

	/* Raw values go in as they are. */
	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "info");
	benc_put_raw(&w, "d1:xi1ee", 8);
	benc_put_key(&w, "z");
	benc_put_int(&w, 2);
	benc_close(&w);
	CHECK_STR(finish_str(&b, &w, &r), "d4:infod1:xi1ee1:zi2ee");
	CHECK_INT(r, 0);

	buf_destroy(&b);
}

/* Misuse that would produce a non-canonical or broken value. */
static void
test_encoder_misuse(void)
{
	struct buf		b;
	struct benc_writer	w;

	buf_init(&b);

	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "b");
	benc_put_int(&w, 1);
	benc_put_key(&w, "a");
	benc_put_int(&w, 2);
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1, "keys out of order fail");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "ab");
	benc_put_int(&w, 1);
	benc_put_key(&w, "a");
	benc_put_int(&w, 2);
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1,
	    "a key that is a prefix of the previous one fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "a");
	benc_put_int(&w, 1);
	benc_put_key(&w, "a");
	benc_put_int(&w, 2);
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1, "a duplicate key fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "a");
	benc_put_int(&w, 1);
	CHECK_MSG(benc_writer_finish(&w) == -1, "an open dict fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_list(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1, "an open list fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "a");
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1, "a key without a value fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_int(&w, 1);
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1,
	    "a value where a key belongs fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_list(&w);
	benc_put_key(&w, "a");
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1, "a key in a list fails");

	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_put_int(&w, 1);
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == -1,
	    "closing with nothing open fails");

	/* The order check is per dictionary, not across levels. */
	buf_reset(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "m");
	benc_open_dict(&w);
	benc_put_key(&w, "z");
	benc_put_int(&w, 1);
	benc_close(&w);
	benc_put_key(&w, "n");
	benc_open_dict(&w);
	benc_put_key(&w, "a");
	benc_put_int(&w, 1);
	benc_close(&w);
	benc_close(&w);
	CHECK_MSG(benc_writer_finish(&w) == 0,
	    "sibling dictionaries order their keys separately");

	buf_destroy(&b);
}

/* Re-encode a decoded value with the writer. */
static void
reencode(struct benc_writer *w, const struct benc *v)
{
	const struct benc	*k;
	uint32_t		 i;

	switch (v->type) {
	case BENC_INT:
		benc_put_int(w, v->i);
		break;
	case BENC_STR:
		benc_put_str(w, v->s, v->slen);
		break;
	case BENC_LIST:
		benc_open_list(w);
		for (i = 0, k = benc_first(v); i < v->count; i++,
		    k = benc_next(k))
			reencode(w, k);
		benc_close(w);
		break;
	case BENC_DICT:
		benc_open_dict(w);
		for (i = 0, k = benc_first(v); i < v->count; i++,
		    k = benc_next(benc_next(k))) {
			benc_put_keyn(w, k->s, k->slen);
			reencode(w, benc_next(k));
		}
		benc_close(w);
		break;
	}
}

static void
test_round_trip(void)
{
	struct buf		 b, b2;
	struct benc_writer	 w;
	struct benc_doc		 doc;
	const struct benc	*info, *v;
	size_t			 info_start, info_end, list_start, list_end;
	uint8_t			 blob[300];
	size_t			 i;
	char			*cause = NULL;

	for (i = 0; i < sizeof blob; i++)
		blob[i] = (uint8_t)(i * 7 + 3);
	buf_init(&b);
	benc_writer_init(&w, &b);
	benc_open_dict(&w);
	benc_put_key(&w, "announce");
	benc_put_cstr(&w, "http://example.org/announce");
	benc_put_key(&w, "info");
	info_start = b.len;
	benc_open_dict(&w);
	benc_put_key(&w, "files");
	list_start = b.len;
	benc_open_list(&w);
	benc_open_dict(&w);
	benc_put_key(&w, "length");
	benc_put_int(&w, 12345678901LL);
	benc_put_key(&w, "path");
	benc_open_list(&w);
	benc_put_cstr(&w, "dir");
	benc_put_cstr(&w, "file");
	benc_close(&w);
	benc_close(&w);
	benc_close(&w);
	list_end = b.len;
	benc_put_key(&w, "name");
	benc_put_cstr(&w, "x");
	benc_put_key(&w, "pieces");
	benc_put_str(&w, blob, sizeof blob);
	benc_close(&w);
	info_end = b.len;
	benc_put_key(&w, "z");
	benc_put_int(&w, -1);
	benc_close(&w);
	CHECK_INT(benc_writer_finish(&w), 0);

	if (!CHECK(benc_decode(&doc, b.data, b.len, NULL, 0, &cause) == 0)) {
		printf("# %s\n", cause);
		free(cause);
		buf_destroy(&b);
		return;
	}
	info = benc_dict_get_type(benc_root(&doc), "info", BENC_DICT);
	CHECK(info != NULL && info->off == info_start &&
	    info->len == info_end - info_start);
	v = benc_dict_get(info, "files");
	CHECK(v != NULL && v->off == list_start &&
	    v->len == list_end - list_start);
	v = benc_dict_get(info, "pieces");
	CHECK(v != NULL && v->slen == sizeof blob &&
	    memcmp(v->s, blob, sizeof blob) == 0);
	v = benc_first(benc_first(benc_dict_get(info, "files")));
	CHECK(v != NULL && benc_str_eq(v, "length") &&
	    benc_next(v)->i == 12345678901LL);
	CHECK_INT(benc_dict_get(benc_root(&doc), "z")->i, -1);

	/* Decoding and encoding again gives the same bytes. */
	buf_init(&b2);
	benc_writer_init(&w, &b2);
	reencode(&w, benc_root(&doc));
	CHECK_INT(benc_writer_finish(&w), 0);
	CHECK(b2.len == b.len && memcmp(b2.data, b.data, b.len) == 0);
	buf_destroy(&b2);
	benc_doc_free(&doc);
	buf_destroy(&b);
}

int
main(void)
{
	test_ints();
	test_strings();
	test_nested();
	test_rejections();
	test_truncation();
	test_limits();
	test_flags();
	test_encoder();
	test_encoder_misuse();
	test_round_trip();
	return (test_done());
}
