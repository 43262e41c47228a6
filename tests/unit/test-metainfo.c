/*
 * Torrent metainfo: v1, v2 and hybrid torrents built here (by hand with
 * the bencode writer, or through the library's own layout and encoder with
 * hashes computed from generated data) and parsed back; every rejection of
 * hostile input names its cause; magnet links, piece sizes, file lookup
 * and the automatic piece length.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../test.h"

#include "bencode.h"
#include "buf.h"
#include "merkle.h"
#include "metainfo.h"
#include "sha.h"
#include "xmalloc.h"

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

static const char *
tohex(const uint8_t *p, size_t len)
{
	static char	out[2 * 32 + 1];
	size_t		i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * len] = '\0';
	return (out);
}

static uint64_t	rng_state;

static uint64_t
xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (rng_state);
}

/* The info dict's bytes, found by our own decode of the torrent. */
static int
info_span(const struct buf *t, size_t *off, size_t *len)
{
	struct benc_doc		 doc;
	const struct benc	*info;

	if (benc_decode(&doc, t->data, t->len, NULL, BENC_LENIENT, NULL) != 0)
		return (-1);
	info = benc_dict_get_type(benc_root(&doc), "info", BENC_DICT);
	if (info == NULL) {
		benc_doc_free(&doc);
		return (-1);
	}
	*off = info->off;
	*len = info->len;
	benc_doc_free(&doc);
	return (0);
}

/* Check ih1/ih2 and m->info against the hashes of the info bytes. */
static void
check_info_hashes(const char *name, const struct metainfo *m,
    const struct buf *t)
{
	uint8_t	h1[20], h2[32], zero[32];
	size_t	off = 0, len = 0;

	memset(zero, 0, sizeof zero);
	if (!CHECK_MSG(info_span(t, &off, &len) == 0,
	    label("%s: the torrent has an info dict", name)))
		return;
	sha1(t->data + off, len, h1);
	sha256(t->data + off, len, h2);
	CHECK_MSG(m->info_len == len && m->info != NULL &&
	    memcmp(m->info, t->data + off, len) == 0,
	    label("%s: m->info is the info dict's exact bytes", name));
	if (m->versions & MI_V1)
		CHECK_MSG(memcmp(m->ih1, h1, 20) == 0,
		    label("%s: ih1 is SHA-1 of the info bytes", name));
	else
		CHECK_MSG(memcmp(m->ih1, zero, 20) == 0,
		    label("%s: no v1 info-hash", name));
	if (m->versions & MI_V2)
		CHECK_MSG(memcmp(m->ih2, h2, 32) == 0,
		    label("%s: ih2 is SHA-256 of the info bytes", name));
	else
		CHECK_MSG(memcmp(m->ih2, zero, 32) == 0,
		    label("%s: no v2 info-hash", name));
}

/* Parse and expect failure with a cause containing what. */
static void
expect_fail(const char *name, const uint8_t *p, size_t len, const char *what)
{
	struct metainfo	 m;
	char		*cause = NULL;
	int		 r;

	r = metainfo_parse(&m, p, len, &cause);
	CHECK_MSG(r == -1, label("%s: refused", name));
	if (!CHECK_MSG(cause != NULL && strstr(cause, what) != NULL,
	    label("%s: cause mentions \"%s\"", name, what)))
		printf("# cause: %s\n", cause == NULL ? "(null)" : cause);
	CHECK_MSG(m.files == NULL && m.nfiles == 0 && m.name == NULL &&
	    m.info == NULL, label("%s: nothing left allocated", name));
	if (r == 0)
		metainfo_free(&m);
	free(cause);
}

/*
 * Hand-built v1 torrents. Paths use '|' between components so that a
 * component may hold a '/'.
 */
struct v1file {
	const char	*path;
	int64_t		 length;
	const char	*attr;
};

struct v1spec {
	const char		*name;
	int64_t			 piece_length;
	const struct v1file	*files;		/* NULL: single file. */
	size_t			 nfiles;
	int64_t			 length;	/* Single file. */
	int64_t			 meta_version;	/* 0: none. */
	long			 pieces_adjust;	/* Bytes more or fewer. */
	int			 trackers;	/* Add announce and friends. */
};

static void
put_path(struct benc_writer *w, const char *path)
{
	const char	*p = path, *bar;

	benc_open_list(w);
	while ((bar = strchr(p, '|')) != NULL) {
		benc_put_str(w, p, (size_t)(bar - p));
		p = bar + 1;
	}
	benc_put_cstr(w, p);
	benc_close(w);
}

static void
build_v1(const struct v1spec *s, struct buf *out)
{
	struct benc_writer	 w;
	uint64_t		 span = 0, npieces;
	uint8_t			*pieces;
	size_t			 i, plen;

	if (s->files == NULL)
		span = s->length > 0 ? (uint64_t)s->length : 0;
	for (i = 0; s->files != NULL && i < s->nfiles; i++) {
		if (s->files[i].length > 0)
			span += (uint64_t)s->files[i].length;
	}
	npieces = s->piece_length <= 0 ? 1 : (span + (uint64_t)s->piece_length
	    - 1) / (uint64_t)s->piece_length;
	if (npieces > 1000)
		npieces = 1000;		/* Refused before the count matters. */
	plen = (size_t)((long)npieces * 20 + s->pieces_adjust);
	pieces = malloc(plen + 1);
	for (i = 0; i < plen; i++)
		pieces[i] = (uint8_t)(i * 31 + 7);

	buf_init(out);
	benc_writer_init(&w, out);
	benc_open_dict(&w);
	if (s->trackers) {
		benc_put_key(&w, "announce");
		benc_put_cstr(&w, "http://a.example/announce");
		benc_put_key(&w, "announce-list");
		benc_open_list(&w);
		benc_open_list(&w);
		benc_put_cstr(&w, "http://a.example/announce");
		benc_close(&w);
		benc_open_list(&w);
		benc_put_cstr(&w, "udp://b.example:6969");
		benc_put_cstr(&w, "");
		benc_put_cstr(&w, "http://a.example/announce");
		benc_close(&w);
		benc_close(&w);
		benc_put_key(&w, "comment");
		benc_put_cstr(&w, "a comment");
		benc_put_key(&w, "created by");
		benc_put_cstr(&w, "test-metainfo");
		benc_put_key(&w, "creation date");
		benc_put_int(&w, 1700000000);
	}
	benc_put_key(&w, "info");
	benc_open_dict(&w);
	if (s->files != NULL) {
		benc_put_key(&w, "files");
		benc_open_list(&w);
		for (i = 0; i < s->nfiles; i++) {
			benc_open_dict(&w);
			if (s->files[i].attr != NULL) {
				benc_put_key(&w, "attr");
				benc_put_cstr(&w, s->files[i].attr);
			}
			benc_put_key(&w, "length");
			benc_put_int(&w, s->files[i].length);
			benc_put_key(&w, "path");
			put_path(&w, s->files[i].path);
			benc_close(&w);
		}
		benc_close(&w);
	} else {
		benc_put_key(&w, "length");
		benc_put_int(&w, s->length);
	}
	if (s->meta_version != 0) {
		benc_put_key(&w, "meta version");
		benc_put_int(&w, s->meta_version);
	}
	benc_put_key(&w, "name");
	benc_put_cstr(&w, s->name);
	benc_put_key(&w, "piece length");
	benc_put_int(&w, s->piece_length);
	benc_put_key(&w, "pieces");
	benc_put_str(&w, pieces, plen);
	benc_close(&w);
	benc_close(&w);
	if (benc_writer_finish(&w) != 0)
		printf("# build_v1: writer misuse\n");
	free(pieces);
}

static void
test_v1_single(void)
{
	struct v1spec	 s = { .name = "file.bin", .piece_length = 16384,
			    .length = 40000, .trackers = 1 };
	struct metainfo	 m;
	struct buf	 t;
	char		*cause = NULL, *magnet, want[256];
	const uint8_t	*p;

	build_v1(&s, &t);
	if (!CHECK(metainfo_parse(&m, t.data, t.len, &cause) == 0)) {
		printf("# %s\n", cause);
		free(cause);
		buf_destroy(&t);
		return;
	}
	CHECK(cause == NULL);
	CHECK_INT(m.versions, MI_V1);
	CHECK_STR(m.name, "file.bin");
	CHECK_INT(m.single_file, 1);
	CHECK_INT(m.nfiles, 1);
	CHECK_STR(m.files[0].path, "file.bin");
	CHECK_INT(m.files[0].length, 40000);
	CHECK_INT(m.files[0].offset, 0);
	CHECK_INT(m.files[0].attr, 0);
	CHECK_INT(m.files[0].first_piece, 0);
	CHECK_INT(m.files[0].npieces, 3);
	CHECK_INT(m.piece_length, 16384);
	CHECK_INT(m.npieces, 3);
	CHECK_INT(m.total_size, 40000);
	CHECK_INT(m.span, 40000);
	p = memmem(t.data, t.len, "6:pieces60:", 11);
	CHECK(m.pieces != NULL && p != NULL && memcmp(m.pieces, p + 11, 60) ==
	    0);
	check_info_hashes("v1 single", &m, &t);

	/* Trackers: announce first, then the list, without repeats. */
	CHECK_INT(m.ntrackers, 2);
	if (m.ntrackers == 2) {
		CHECK_STR(m.trackers[0], "http://a.example/announce");
		CHECK_STR(m.trackers[1], "udp://b.example:6969");
	}
	CHECK_STR(m.comment, "a comment");
	CHECK_STR(m.created_by, "test-metainfo");
	CHECK_INT(m.creation_date, 1700000000);
	CHECK_INT(m.is_private, 0);
	CHECK_INT(m.has_layers, 0);

	/* The last piece is short; past the end there is none. */
	CHECK_INT(metainfo_piece_size(&m, 0), 16384);
	CHECK_INT(metainfo_piece_size(&m, 1), 16384);
	CHECK_INT(metainfo_piece_size(&m, 2), 40000 - 32768);
	CHECK_INT(metainfo_piece_size(&m, 3), 0);

	magnet = metainfo_magnet(&m);
	snprintf(want, sizeof want, "magnet:?xt=urn:btih:%s&dn=file.bin"
	    "&tr=http%%3A%%2F%%2Fa.example%%2Fannounce"
	    "&tr=udp%%3A%%2F%%2Fb.example%%3A6969", tohex(m.ih1, 20));
	CHECK_STR(magnet, want);
	free(magnet);
	metainfo_free(&m);
	CHECK(m.files == NULL && m.name == NULL && m.nfiles == 0);
	buf_destroy(&t);
}

static void
test_v1_multi(void)
{
	static const struct v1file files[] = {
		{ "dir|a.txt", 100, NULL },
		{ "b", 20000, "x" },
		{ "c", 0, NULL },
	};
	struct v1spec	 s = { .name = "folder", .piece_length = 16384,
			    .files = files, .nfiles = 3 };
	struct metainfo	 m;
	struct buf	 t;
	char		*cause = NULL;

	build_v1(&s, &t);
	if (!CHECK(metainfo_parse(&m, t.data, t.len, &cause) == 0)) {
		printf("# %s\n", cause);
		free(cause);
		buf_destroy(&t);
		return;
	}
	CHECK_INT(m.versions, MI_V1);
	CHECK_STR(m.name, "folder");
	CHECK_INT(m.single_file, 0);
	CHECK_INT(m.nfiles, 3);
	CHECK_INT(m.npieces, 2);
	CHECK_INT(m.total_size, 20100);
	CHECK_INT(m.span, 20100);
	CHECK_INT(m.ntrackers, 0);
	if (m.nfiles == 3) {
		CHECK_STR(m.files[0].path, "dir/a.txt");
		CHECK_STR(m.files[1].path, "b");
		CHECK_STR(m.files[2].path, "c");
		CHECK_INT(m.files[0].offset, 0);
		CHECK_INT(m.files[1].offset, 100);
		CHECK_INT(m.files[2].offset, 20100);
		CHECK_INT(m.files[1].attr, MI_ATTR_EXEC);
		/* v1 pieces span files: b is in pieces 0 and 1. */
		CHECK(m.files[0].first_piece == 0 && m.files[0].npieces == 1);
		CHECK(m.files[1].first_piece == 0 && m.files[1].npieces == 2);
		CHECK_INT(m.files[2].npieces, 0);
		CHECK(metainfo_file_at(&m, 0) == &m.files[0]);
		CHECK(metainfo_file_at(&m, 99) == &m.files[0]);
		CHECK(metainfo_file_at(&m, 100) == &m.files[1]);
		CHECK(metainfo_file_at(&m, 20099) == &m.files[1]);
		CHECK(metainfo_file_at(&m, 20100) == NULL);
		CHECK(metainfo_file_at(&m, UINT64_MAX) == NULL);
	}
	CHECK_INT(metainfo_piece_size(&m, 1), 20100 - 16384);
	check_info_hashes("v1 multi", &m, &t);
	metainfo_free(&m);
	buf_destroy(&t);
}

/* Old v1 files may have unsorted keys; the hash is over their bytes. */
static void
test_v1_legacy(void)
{
	static const char	 raw[] = "d4:infod4:name1:x12:piece length"
	    "i16384e6:lengthi5e6:pieces20:01234567890123456789ee";
	struct metainfo		 m;
	struct buf		 t;
	char			*cause = NULL;

	buf_init(&t);
	buf_add(&t, raw, sizeof raw - 1);
	if (CHECK(metainfo_parse(&m, t.data, t.len, &cause) == 0)) {
		CHECK_STR(m.name, "x");
		CHECK_INT(m.total_size, 5);
		CHECK_INT(m.npieces, 1);
		check_info_hashes("v1 unsorted", &m, &t);
		metainfo_free(&m);
	} else
		printf("# %s\n", cause);
	free(cause);
	buf_destroy(&t);
}

static void
v1_reject(const char *name, const struct v1spec *s, const char *what)
{
	struct buf	t;

	build_v1(s, &t);
	expect_fail(name, t.data, t.len, what);
	buf_destroy(&t);
}

static void
v1_reject_path(const char *path, const char *what)
{
	struct v1file	f[2] = { { "ok", 1, NULL }, { path, 1, NULL } };
	struct v1spec	s = { .name = "t", .piece_length = 16384, .files = f,
			    .nfiles = 2 };
	char		name[80];

	snprintf(name, sizeof name, "path \"%s\"", path);
	v1_reject(name, &s, what);
}

static void
test_v1_rejections(void)
{
	struct v1file	f[3];
	struct v1spec	s;
	struct buf	t;
	struct metainfo	m;
	char		*cause = NULL;

	/* Path components that would escape or alias. */
	v1_reject_path("..", "path component \"..\"");
	v1_reject_path("a|..|..|etc", "path component \"..\"");
	v1_reject_path(".", "path component \".\"");
	v1_reject_path("a|.|b", "path component \".\"");
	v1_reject_path("a||b", "empty path component");
	v1_reject_path("", "empty path component");
	v1_reject_path("|etc|passwd", "empty path component");
	v1_reject_path("/etc/passwd", "slash");
	v1_reject_path("a|b/c", "slash");

	/* The name is a path component too. */
	memset(&s, 0, sizeof s);
	s.piece_length = 16384;
	s.length = 10;
	s.name = "..";
	v1_reject("name \"..\"", &s,
	    "torrent name has a path component \"..\"");
	s.name = ".";
	v1_reject("name \".\"", &s, "torrent name");
	s.name = "";
	v1_reject("empty name", &s, "empty path component");
	s.name = "/etc";
	v1_reject("name \"/etc\"", &s, "slash");

	/* Lengths. */
	s.name = "x";
	s.length = -1;
	v1_reject("negative length, single file", &s, "negative length");
	s.length = (int64_t)((1ULL << 48) + 1);
	v1_reject("length past 2^48", &s, "too large");
	s.length = INT64_MAX;
	v1_reject("length INT64_MAX", &s, "too large");
	memset(f, 0, sizeof f);
	f[0] = (struct v1file){ "a", 5, NULL };
	f[1] = (struct v1file){ "b", -5, NULL };
	s.files = f;
	s.nfiles = 2;
	v1_reject("negative length in a file", &s, "negative length");
	f[0].length = (int64_t)(1ULL << 48);
	f[1].length = (int64_t)(1ULL << 48);
	v1_reject("lengths summing past 2^48", &s, "too large");
	f[0].length = (int64_t)(1ULL << 47) + 1;
	f[1].length = (int64_t)(1ULL << 47);
	v1_reject("a sum past 2^48 by one byte", &s, "too large");
	f[0] = (struct v1file){ "a", 1, NULL };
	f[1] = (struct v1file){ "b", 1, NULL };
	f[2] = (struct v1file){ "c", INT64_MAX, NULL };
	s.nfiles = 3;
	v1_reject("a third file of INT64_MAX bytes", &s, "too large");

	/* The pieces string must fit the size exactly. */
	f[0] = (struct v1file){ "a", 20000, NULL };
	f[1] = (struct v1file){ "b", 30000, NULL };
	s.nfiles = 2;
	build_v1(&s, &t);		/* 50000 bytes: 4 pieces. */
	CHECK_MSG(metainfo_parse(&m, t.data, t.len, &cause) == 0,
	    "a v1 torrent with 4 pieces of hashes parses");
	if (cause == NULL)
		metainfo_free(&m);
	free(cause);
	cause = NULL;
	buf_destroy(&t);
	s.pieces_adjust = 20;
	v1_reject("one piece hash too many", &s, "piece hashes do not match");
	s.pieces_adjust = -20;
	v1_reject("one piece hash too few", &s, "piece hashes do not match");
	s.pieces_adjust = 1;
	v1_reject("a stray byte of pieces", &s, "piece hashes do not match");
	s.pieces_adjust = 0;

	/* Piece lengths: v1 allows any multiple of 16 KiB. */
	s.piece_length = 49152;
	build_v1(&s, &t);
	if (CHECK_MSG(metainfo_parse(&m, t.data, t.len, &cause) == 0,
	    "v1 accepts a 48 KiB piece length")) {
		CHECK_INT(m.piece_length, 49152);
		CHECK_INT(m.npieces, 2);
		metainfo_free(&m);
	}
	free(cause);
	cause = NULL;
	buf_destroy(&t);
	s.piece_length = 1000;
	v1_reject("piece length 1000", &s, "piece length 1000");
	s.piece_length = 0;
	v1_reject("piece length 0", &s, "piece length 0");
	s.piece_length = -16384;
	v1_reject("negative piece length", &s, "piece length -16384");
	s.piece_length = 256LL * 1024 * 1024;
	v1_reject("256 MiB pieces", &s, "piece length");
	s.piece_length = 16384;

	/* Versions we do not know. */
	s.meta_version = 3;
	v1_reject("meta version 3", &s, "newer");
	s.meta_version = 1;
	v1_reject("meta version 1", &s, "unknown metainfo version 1");
	s.meta_version = 0;

	/* Collisions on disk. */
	f[0] = (struct v1file){ "a", 1, NULL };
	f[1] = (struct v1file){ "a", 2, NULL };
	v1_reject("the same path twice", &s, "lists \"a\" twice");
	f[0] = (struct v1file){ "d|x", 1, NULL };
	f[1] = (struct v1file){ "d|x", 2, NULL };
	v1_reject("the same nested path twice", &s, "lists \"d/x\" twice");
	f[0] = (struct v1file){ "a", 1, NULL };
	f[1] = (struct v1file){ "a|b", 1, NULL };
	v1_reject("a file and a directory \"a\"", &s,
	    "\"a\" both as a file and as a directory");
	f[0] = (struct v1file){ "x|y|z", 1, NULL };
	f[1] = (struct v1file){ "x|y", 1, NULL };
	v1_reject("a file \"x/y\" under which is \"x/y/z\"", &s,
	    "\"x/y\" both as a file and as a directory");
	f[0] = (struct v1file){ ".shoal|state", 1, NULL };
	f[1] = (struct v1file){ "b", 1, NULL };
	v1_reject("a file under .shoal/", &s, ".shoal");
	f[0] = (struct v1file){ ".shoal", 1, NULL };
	v1_reject("a file named .shoal", &s, ".shoal");
	/* Only the top level is reserved. */
	f[0] = (struct v1file){ "sub|.shoal|x", 1, NULL };
	build_v1(&s, &t);
	if (CHECK_MSG(metainfo_parse(&m, t.data, t.len, &cause) == 0,
	    "sub/.shoal/x is an ordinary file"))
		metainfo_free(&m);
	free(cause);
	cause = NULL;
	buf_destroy(&t);

	/* Shapes that are not torrents. */
	s.nfiles = 0;
	v1_reject("an empty file list", &s, "no files");
	expect_fail("not bencode", (const uint8_t *)"hello", 5, "bencode");
	expect_fail("a list", (const uint8_t *)"le", 2, "not a dictionary");
	expect_fail("no info", (const uint8_t *)"d1:ai1ee", 8,
	    "no info dictionary");
	expect_fail("info is a string", (const uint8_t *)"d4:info1:xe", 11,
	    "no info dictionary");
	expect_fail("info without pieces or tree",
	    (const uint8_t *)"d4:infod4:name1:xee", 19, "neither");
}

/*
 * Torrents made by the library: files with generated data, laid out by
 * metainfo_layout(), hashed here, encoded by metainfo_encode().
 */
struct gfile {
	const char	*path;
	uint64_t	 length;
	unsigned	 attr;
	const char	*symlink;
};

struct gen {
	struct metainfo	  m;		/* The draft, as encoded. */
	uint8_t		**data;		/* Per draft file after layout. */
	struct buf	  t;		/* The encoded torrent. */
};

static uint8_t *
gen_data(const char *path, uint64_t len)
{
	uint8_t		*p = malloc(len == 0 ? 1 : len);
	const char	*c;
	uint64_t	 i;

	rng_state = 0x2545f4914f6cdd1dULL;
	for (c = path; *c != '\0'; c++)
		rng_state = rng_state * 31 + (uint8_t)*c;
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(xorshift() >> 32);
	return (p);
}

/* Hash one file's v2 root (and layer if longer than a piece). */
static void
hash_v2(struct mi_file *f, const uint8_t *data, uint32_t piece_length)
{
	static const uint8_t	 zero[32];
	size_t			 nb = (f->length + MERKLE_BLOCK - 1) /
				    MERKLE_BLOCK;
	size_t			 bpp = piece_length / MERKLE_BLOCK, i, n;
	uint8_t			*leaves = malloc(nb * 32);

	merkle_leaves(data, f->length, leaves);
	f->has_root = 1;
	if (f->length <= piece_length) {
		merkle_root(leaves, nb, merkle_pow2(nb), zero, leaves, f->root);
		free(leaves);
		return;
	}
	f->layer = malloc((size_t)f->npieces * 32);
	for (i = 0; i < f->npieces; i++) {
		n = nb - i * bpp < bpp ? nb - i * bpp : bpp;
		merkle_root(leaves + i * bpp * 32, n, bpp, zero,
		    leaves + i * bpp * 32, f->layer + i * 32);
	}
	merkle_root_from_layer(f->layer, f->npieces, piece_length, f->root);
	free(leaves);
}

static int
gen_torrent(struct gen *g, const char *name, int versions,
    uint32_t piece_length, const struct gfile *files, size_t nfiles,
    int single, const char *tracker, int flags)
{
	struct metainfo	*m = &g->m;
	uint8_t		*space;
	char		*cause = NULL;
	size_t		 i;

	memset(g, 0, sizeof *g);
	metainfo_init(m);
	m->name = xstrdup(name);
	m->versions = versions;
	m->piece_length = piece_length;
	m->single_file = single;
	m->files = xcalloc(nfiles, sizeof *m->files);
	m->nfiles = nfiles;
	for (i = 0; i < nfiles; i++) {
		m->files[i].path = xstrdup(files[i].path);
		m->files[i].length = files[i].length;
		m->files[i].attr = files[i].attr;
		m->files[i].mtime = 1600000000 + (int64_t)i;
		if (files[i].symlink != NULL)
			m->files[i].symlink = xstrdup(files[i].symlink);
	}
	if (tracker != NULL) {
		m->trackers = xcalloc(1, sizeof *m->trackers);
		m->trackers[0] = xstrdup(tracker);
		m->ntrackers = 1;
	}
	if (metainfo_layout(m, &cause) != 0) {
		printf("# layout: %s\n", cause);
		free(cause);
		return (-1);
	}

	/* The piece space: file data at offsets, zeros elsewhere. */
	space = calloc(1, m->span == 0 ? 1 : m->span);
	g->data = calloc(m->nfiles, sizeof *g->data);
	for (i = 0; i < m->nfiles; i++) {
		struct mi_file	*f = &m->files[i];

		if (!metainfo_is_content(f) || f->length == 0)
			continue;
		g->data[i] = gen_data(f->path, f->length);
		memcpy(space + f->offset, g->data[i], f->length);
		if (versions & MI_V2)
			hash_v2(f, g->data[i], piece_length);
	}
	if (versions & MI_V1) {
		m->pieces = malloc((size_t)m->npieces * 20 + 1);
		for (i = 0; i < m->npieces; i++) {
			uint64_t	start = (uint64_t)i * piece_length;
			uint64_t	n = m->span - start < piece_length ?
			    m->span - start : piece_length;

			sha1(space + start, n, m->pieces + i * 20);
		}
	}
	free(space);
	buf_init(&g->t);
	if (metainfo_encode(m, flags, &g->t, &cause) != 0) {
		printf("# encode: %s\n", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

static void
gen_free(struct gen *g)
{
	size_t	i;

	for (i = 0; g->data != NULL && i < g->m.nfiles; i++)
		free(g->data[i]);
	free(g->data);
	metainfo_free(&g->m);
	buf_destroy(&g->t);
}

/* The folder most tests use: nested, empty file, exact piece, symlink. */
static const struct gfile folder[] = {
	{ "a/x.bin", 70000, 0, NULL },
	{ "a/y.bin", 0, 0, NULL },
	{ "a/z-link", 0, MI_ATTR_SYMLINK, "c.bin" },
	{ "b.bin", 32768, 0, NULL },
	{ "c.bin", 1, MI_ATTR_EXEC, NULL },
	{ "d/e/f.bin", 100000, 0, NULL },
	{ "z", 0, MI_ATTR_DIR, NULL },
};
#define NFOLDER	(sizeof folder / sizeof folder[0])

struct want_file {
	const char	*path;
	uint64_t	 length;
	uint64_t	 offset;
	unsigned	 attr;
};

static void
check_files(const char *name, const struct metainfo *m,
    const struct want_file *w, size_t n)
{
	size_t	i;

	if (!CHECK_MSG(m->nfiles == n, label("%s: %zu entries", name, n))) {
		for (i = 0; i < m->nfiles; i++)
			printf("# %s %llu @%llu attr %u\n", m->files[i].path,
			    (unsigned long long)m->files[i].length,
			    (unsigned long long)m->files[i].offset,
			    m->files[i].attr);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct mi_file	*f = &m->files[i];

		CHECK_MSG(strcmp(f->path, w[i].path) == 0 &&
		    f->length == w[i].length && f->offset == w[i].offset &&
		    f->attr == w[i].attr,
		    label("%s: entry %zu is %s, %llu bytes at %llu, attr %u",
		    name, i, w[i].path, (unsigned long long)w[i].length,
		    (unsigned long long)w[i].offset, w[i].attr));
	}
}

/* Parse g's torrent into m; compare roots, layers, pieces with g. */
static int
parse_gen(const char *name, struct gen *g, struct metainfo *m)
{
	char	*cause = NULL;
	size_t	 i, bad = 0;
	int	 r;

	r = metainfo_parse(m, g->t.data, g->t.len, &cause);
	if (!CHECK_MSG(r == 0, label("%s: parses", name))) {
		printf("# %s\n", cause);
		free(cause);
		return (-1);
	}
	if (!CHECK_MSG(m->nfiles == g->m.nfiles,
	    label("%s: as many entries as laid out", name)))
		return (0);
	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file	*a = &m->files[i], *b = &g->m.files[i];

		if (a->has_root != b->has_root ||
		    memcmp(a->root, b->root, 32) != 0 ||
		    (a->layer == NULL) != (b->layer == NULL) ||
		    (a->layer != NULL && memcmp(a->layer, b->layer,
		    (size_t)a->npieces * 32) != 0) ||
		    a->first_piece != b->first_piece ||
		    a->npieces != b->npieces ||
		    strcmp(a->path, b->path) != 0 ||
		    a->offset != b->offset || a->length != b->length)
			bad++;
	}
	CHECK_MSG(bad == 0, label("%s: every entry, root and layer as laid "
	    "out and hashed", name));
	if (g->m.versions & MI_V1)
		CHECK_MSG(m->pieces != NULL && memcmp(m->pieces, g->m.pieces,
		    (size_t)m->npieces * 20) == 0,
		    label("%s: v1 piece hashes kept", name));
	else
		CHECK_MSG(m->pieces == NULL, label("%s: no v1 pieces", name));
	check_info_hashes(name, m, &g->t);
	return (0);
}

/* Encoding what was parsed gives the same bytes back. */
static void
check_reencode(const char *name, const struct metainfo *m,
    const struct buf *t, int flags)
{
	struct buf	 b;
	char		*cause = NULL;

	buf_init(&b);
	CHECK_MSG(metainfo_encode(m, flags, &b, &cause) == 0 &&
	    b.len == t->len && memcmp(b.data, t->data, b.len) == 0,
	    label("%s: encoding the parsed torrent gives the same bytes",
	    name));
	free(cause);
	buf_destroy(&b);
}

static void
test_hybrid(void)
{
	static const struct want_file	 want[] = {
		{ "a/x.bin", 70000, 0, 0 },
		{ ".pad/28304", 28304, 70000, MI_ATTR_PAD },
		{ "a/y.bin", 0, 98304, 0 },
		{ "a/z-link", 0, 98304, MI_ATTR_SYMLINK },
		{ "b.bin", 32768, 98304, 0 },
		{ "c.bin", 1, 131072, MI_ATTR_EXEC },
		{ ".pad/32767", 32767, 131073, MI_ATTR_PAD },
		{ "d/e/f.bin", 100000, 163840, 0 },
		{ ".pad/31072", 31072, 263840, MI_ATTR_PAD },
		{ "z", 0, 294912, MI_ATTR_DIR },
	};
	struct gen	 g;
	struct metainfo	 m;
	char		 want_magnet[512], h2[65], *magnet;

	if (!CHECK(gen_torrent(&g, "My Folder \xc3\xbc", MI_HYBRID, 32768,
	    folder, NFOLDER, 0, "http://t.example/a?b=1", MI_ENCODE_MTIME) ==
	    0)) {
		gen_free(&g);
		return;
	}
	/* The layout itself: pads after every file off a boundary. */
	check_files("hybrid layout", &g.m, want, 10);
	CHECK_INT(g.m.npieces, 9);
	CHECK_INT(g.m.span, 294912);
	CHECK_INT(g.m.total_size, 202769);

	if (parse_gen("hybrid", &g, &m) != 0) {
		gen_free(&g);
		return;
	}
	CHECK_INT(m.versions, MI_HYBRID);
	check_files("hybrid parsed", &m, want, 10);
	CHECK_STR(m.name, "My Folder \xc3\xbc");
	CHECK_INT(m.single_file, 0);
	CHECK_INT(m.npieces, 9);
	CHECK_INT(m.span, 294912);
	CHECK_INT(m.total_size, 202769);
	CHECK_INT(m.has_layers, 1);
	if (m.nfiles == 10) {
		CHECK(m.files[0].layer != NULL && m.files[0].npieces == 3);
		CHECK(m.files[4].layer == NULL && m.files[4].has_root);
		CHECK(m.files[7].layer != NULL && m.files[7].npieces == 4 &&
		    m.files[7].first_piece == 5);
		CHECK(m.files[2].has_root == 0);
		CHECK_STR(m.files[3].symlink, "c.bin");
		CHECK_INT(m.files[0].mtime, 1600000000);

		/* Lookups: pads count, empty entries do not. */
		CHECK(metainfo_file_at(&m, 0) == &m.files[0]);
		CHECK(metainfo_file_at(&m, 69999) == &m.files[0]);
		CHECK(metainfo_file_at(&m, 70000) == &m.files[1]);
		CHECK(metainfo_file_at(&m, 98303) == &m.files[1]);
		CHECK(metainfo_file_at(&m, 98304) == &m.files[4]);
		CHECK(metainfo_file_at(&m, 131072) == &m.files[5]);
		CHECK(metainfo_file_at(&m, 131073) == &m.files[6]);
		CHECK(metainfo_file_at(&m, 263839) == &m.files[7]);
		CHECK(metainfo_file_at(&m, 294911) == &m.files[8]);
		CHECK(metainfo_file_at(&m, 294912) == NULL);

		CHECK(metainfo_is_content(&m.files[0]));
		CHECK(!metainfo_is_content(&m.files[1]));
		CHECK(metainfo_is_content(&m.files[3]));
		CHECK(!metainfo_is_content(&m.files[9]));
	}
	/* v1 pieces include the pads: every piece is whole. */
	CHECK_INT(metainfo_piece_size(&m, 2), 32768);
	CHECK_INT(metainfo_piece_size(&m, 8), 32768);
	CHECK_INT(metainfo_piece_size(&m, 9), 0);

	snprintf(h2, sizeof h2, "%s", tohex(m.ih2, 32));
	snprintf(want_magnet, sizeof want_magnet, "magnet:?xt=urn:btmh:1220%s"
	    "&xt=urn:btih:%s&dn=My%%20Folder%%20%%C3%%BC"
	    "&tr=http%%3A%%2F%%2Ft.example%%2Fa%%3Fb%%3D1", h2,
	    tohex(m.ih1, 20));
	magnet = metainfo_magnet(&m);
	CHECK_STR(magnet, want_magnet);
	free(magnet);

	check_reencode("hybrid", &m, &g.t, MI_ENCODE_MTIME);
	metainfo_free(&m);
	gen_free(&g);
}

static void
test_v2(void)
{
	static const struct want_file	 want[] = {
		{ "a/x.bin", 70000, 0, 0 },
		{ "a/y.bin", 0, 98304, 0 },
		{ "a/z-link", 0, 98304, MI_ATTR_SYMLINK },
		{ "b.bin", 32768, 98304, 0 },
		{ "c.bin", 1, 131072, MI_ATTR_EXEC },
		{ "d/e/f.bin", 100000, 163840, 0 },
		{ "z", 0, 294912, MI_ATTR_DIR },
	};
	struct gen	 g;
	struct metainfo	 m;
	char		 want_magnet[256], *magnet;

	if (!CHECK(gen_torrent(&g, "v2", MI_V2, 32768, folder, NFOLDER, 0,
	    NULL, 0) == 0)) {
		gen_free(&g);
		return;
	}
	check_files("v2 layout", &g.m, want, 7);
	if (parse_gen("v2", &g, &m) != 0) {
		gen_free(&g);
		return;
	}
	CHECK_INT(m.versions, MI_V2);
	check_files("v2 parsed", &m, want, 7);
	/* No pads: the span ends with the last file. */
	CHECK_INT(m.span, 263840);
	CHECK_INT(m.npieces, 9);
	CHECK_INT(m.total_size, 202769);
	CHECK_INT(m.has_layers, 1);
	/* Each piece lies in one file; the last of each file is short. */
	CHECK_INT(metainfo_piece_size(&m, 0), 32768);
	CHECK_INT(metainfo_piece_size(&m, 2), 70000 - 65536);
	CHECK_INT(metainfo_piece_size(&m, 3), 32768);
	CHECK_INT(metainfo_piece_size(&m, 4), 1);
	CHECK_INT(metainfo_piece_size(&m, 8), 263840 - 262144);
	CHECK_INT(metainfo_piece_size(&m, 9), 0);
	/* The gaps between files belong to no file. */
	CHECK(metainfo_file_at(&m, 70000) == NULL);
	CHECK(metainfo_file_at(&m, 131073) == NULL);
	CHECK(m.nfiles == 7 && metainfo_file_at(&m, 131072) == &m.files[4]);
	CHECK(metainfo_file_at(&m, 263840) == NULL);

	snprintf(want_magnet, sizeof want_magnet,
	    "magnet:?xt=urn:btmh:1220%s&dn=v2", tohex(m.ih2, 32));
	magnet = metainfo_magnet(&m);
	CHECK_STR(magnet, want_magnet);
	free(magnet);

	check_reencode("v2", &m, &g.t, 0);
	metainfo_free(&m);

	/* A bare info dict (from a magnet link) has no layers. */
	{
		size_t	 off = 0, len = 0;
		char	*cause = NULL;
		uint8_t	 h2[32];

		info_span(&g.t, &off, &len);
		if (CHECK(metainfo_parse_info(&m, g.t.data + off, len,
		    &cause) == 0)) {
			CHECK_INT(m.nfiles, 7);
			CHECK_INT(m.has_layers, 0);
			CHECK(m.nfiles == 7 && m.files[0].layer == NULL);
			CHECK(m.nfiles == 7 && m.files[0].has_root &&
			    memcmp(m.files[0].root, g.m.files[0].root, 32) ==
			    0);
			sha256(g.t.data + off, len, h2);
			CHECK(memcmp(m.ih2, h2, 32) == 0);
			metainfo_free(&m);
		}
		free(cause);
	}
	gen_free(&g);
}

static void
test_v1_layout(void)
{
	static const struct want_file	 want[] = {
		{ "a/x.bin", 70000, 0, 0 },
		{ ".pad/28304", 28304, 70000, MI_ATTR_PAD },
		{ "a/y.bin", 0, 98304, 0 },
		{ "a/z-link", 0, 98304, MI_ATTR_SYMLINK },
		{ "b.bin", 32768, 98304, 0 },
		{ "c.bin", 1, 131072, MI_ATTR_EXEC },
		{ ".pad/32767", 32767, 131073, MI_ATTR_PAD },
		{ "d/e/f.bin", 100000, 163840, 0 },
		{ ".pad/31072", 31072, 263840, MI_ATTR_PAD },
	};
	struct gen	 g;
	struct metainfo	 m;

	/* The folder without its empty directory, which v1 cannot hold. */
	if (!CHECK(gen_torrent(&g, "v1", MI_V1, 32768, folder, NFOLDER - 1, 0,
	    NULL, 0) == 0)) {
		gen_free(&g);
		return;
	}
	/* Laid out as a hybrid would be (libtorrent's canonical_files). */
	check_files("v1 layout", &g.m, want, 9);
	CHECK(memmem(g.t.data, g.t.len, "9:file tree", 11) == NULL);
	CHECK(memmem(g.t.data, g.t.len, "12:meta version", 15) == NULL);
	if (parse_gen("v1 from the library", &g, &m) != 0) {
		gen_free(&g);
		return;
	}
	CHECK_INT(m.versions, MI_V1);
	check_files("v1 parsed", &m, want, 9);
	CHECK_INT(m.span, 294912);
	CHECK_INT(m.npieces, 9);
	CHECK_INT(m.total_size, 202769);
	CHECK_INT(m.has_layers, 0);
	CHECK(m.nfiles == 9 && m.files[7].first_piece == 5 &&
	    m.files[7].npieces == 4 && !m.files[7].has_root);
	CHECK(m.nfiles == 9 && m.files[3].symlink != NULL &&
	    strcmp(m.files[3].symlink, "c.bin") == 0);
	check_reencode("v1 from the library", &m, &g.t, 0);
	metainfo_free(&m);
	gen_free(&g);
}

static void
test_single_hybrid(void)
{
	static const struct gfile	one[] = {
		{ "single.bin", 100000, 0, NULL },
	};
	struct gen	g;
	struct metainfo	m;

	if (!CHECK(gen_torrent(&g, "single.bin", MI_HYBRID, 32768, one, 1, 1,
	    NULL, 0) == 0)) {
		gen_free(&g);
		return;
	}
	/* One file: no pad, not even at the end. */
	CHECK_INT(g.m.nfiles, 1);
	CHECK_INT(g.m.span, 100000);
	CHECK(memmem(g.t.data, g.t.len, ".pad", 4) == NULL);
	if (parse_gen("single-file hybrid", &g, &m) != 0) {
		gen_free(&g);
		return;
	}
	CHECK_INT(m.single_file, 1);
	CHECK_INT(m.nfiles, 1);
	CHECK(m.nfiles == 1 && strcmp(m.files[0].path, "single.bin") == 0 &&
	    m.files[0].attr == 0 && m.files[0].layer != NULL);
	CHECK_INT(m.npieces, 4);
	CHECK_INT(m.span, 100000);
	CHECK_INT(metainfo_piece_size(&m, 3), 100000 - 3 * 32768);
	check_reencode("single-file hybrid", &m, &g.t, 0);
	metainfo_free(&m);
	gen_free(&g);
}

/* Find the last occurrence of needle in t. */
static uint8_t *
find_last(struct buf *t, const void *needle, size_t n)
{
	uint8_t	*p = t->data, *last = NULL, *q;

	while ((q = memmem(p, t->len - (size_t)(p - t->data), needle, n)) !=
	    NULL) {
		last = q;
		p = q + 1;
	}
	return (last);
}

static void
test_v2_rejections(void)
{
	static const struct gfile	two[] = {
		{ "big1", 100000, 0, NULL },
		{ "big2", 70000, 0, NULL },
		{ "small", 10, 0, NULL },
	};
	struct gen	 g;
	uint8_t		*p;

	/* v2 piece lengths must be powers of two. */
	if (gen_torrent(&g, "t", MI_V2, 49152, two, 3, 0, NULL, 0) == 0)
		expect_fail("v2 with 48 KiB pieces", g.t.data, g.t.len,
		    "not a power of two");
	gen_free(&g);
	if (gen_torrent(&g, "t", MI_HYBRID, 49152, two, 3, 0, NULL, 0) == 0)
		expect_fail("hybrid with 48 KiB pieces", g.t.data, g.t.len,
		    "not a power of two");
	gen_free(&g);

	/* A piece layer of the wrong length. */
	if (gen_torrent(&g, "t", MI_V2, 32768, two, 3, 0, NULL, 0) == 0) {
		struct buf	t;
		char		*cause = NULL;

		buf_init(&t);
		g.m.files[0].npieces--;
		CHECK(metainfo_encode(&g.m, 0, &t, &cause) == 0);
		free(cause);
		expect_fail("a piece layer one hash short", t.data, t.len,
		    "does not match its size");
		buf_destroy(&t);
	}
	gen_free(&g);

	/* A piece layer that does not hash up to the root. */
	if (gen_torrent(&g, "t", MI_V2, 32768, two, 3, 0, NULL, 0) == 0) {
		p = find_last(&g.t, g.m.files[1].layer + 32, 32);
		if (CHECK(p != NULL)) {
			p[5] ^= 1;
			expect_fail("a corrupt piece layer", g.t.data, g.t.len,
			    "does not hash to its pieces root");
		}
	}
	gen_free(&g);

	/* A piece layer missing for one big file. */
	if (gen_torrent(&g, "t", MI_V2, 32768, two, 3, 0, NULL, 0) == 0) {
		p = find_last(&g.t, g.m.files[0].root, 32);
		if (CHECK(p != NULL && p > g.t.data + g.t.len / 2)) {
			p[0] ^= 0x80;
			expect_fail("a piece layer under the wrong root",
			    g.t.data, g.t.len, "piece layer of \"big1\" is "
			    "missing");
		}
	}
	gen_free(&g);

	/* An all-zero pieces root. */
	if (gen_torrent(&g, "t", MI_V2, 32768, two, 3, 0, NULL, 0) == 0) {
		struct buf	t;
		char		*cause = NULL;

		buf_init(&t);
		memset(g.m.files[2].root, 0, 32);
		CHECK(metainfo_encode(&g.m, 0, &t, &cause) == 0);
		free(cause);
		expect_fail("an all-zero pieces root", t.data, t.len,
		    "all-zero pieces root");
		buf_destroy(&t);
	}
	gen_free(&g);

	/* Hybrids whose v1 and v2 halves disagree. */
	if (gen_torrent(&g, "t", MI_HYBRID, 32768, folder, NFOLDER, 0, NULL,
	    0) == 0) {
		/* The second "length" of x.bin is in the v1 file list. */
		p = find_last(&g.t, "6:lengthi70000e", 15);
		if (CHECK(p != NULL && p != memmem(g.t.data, g.t.len,
		    "6:lengthi70000e", 15))) {
			p[13] = '1';
			expect_fail("hybrid: v1 says 70001 bytes", g.t.data,
			    g.t.len, "disagree on the size of \"a/x.bin\"");
			p[13] = '0';
		}
		/* A pad one byte too long moves the next file. */
		p = find_last(&g.t, "6:lengthi28304e", 15);
		if (CHECK(p != NULL)) {
			p[13] = '5';
			expect_fail("hybrid: a pad one byte long", g.t.data,
			    g.t.len, "disagree on where \"b.bin\" starts");
			p[13] = '4';
		}
	}
	gen_free(&g);
}

/* Hand-made v2 info dicts, to get at orders and names the writer refuses. */
static void
v2_raw(struct buf *t, const char *tree, const char *keys_after)
{
	buf_init(t);
	buf_add_str(t, "d4:infod9:file tree");
	buf_add_str(t, tree);
	buf_add_str(t, keys_after);
	buf_add_str(t, "ee");
}

#define ROOT32	"32:\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
		"\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11" \
		"\x11\x11\x11\x11\x11\x11"
#define FILE100	"d0:d6:lengthi100e11:pieces root" ROOT32 "ee"
#define SORTED	"12:meta versioni2e4:name1:t12:piece lengthi16384e"

static void
test_v2_raw(void)
{
	struct buf	 t;
	struct metainfo	 m;
	char		*cause = NULL;

	/* The canonical baseline parses. */
	v2_raw(&t, "d1:f" FILE100 "e", SORTED);
	if (CHECK_MSG(metainfo_parse(&m, t.data, t.len, &cause) == 0,
	    "a hand-made v2 torrent parses")) {
		CHECK_INT(m.versions, MI_V2);
		CHECK_INT(m.nfiles, 1);
		CHECK_INT(m.total_size, 100);
		CHECK_INT(m.single_file, 0);	/* "f" is not the name. */
		check_info_hashes("hand-made v2", &m, &t);
		metainfo_free(&m);
	} else
		printf("# %s\n", cause);
	free(cause);
	buf_destroy(&t);

	/* The same with "name" before "meta version". */
	v2_raw(&t, "d1:f" FILE100 "e",
	    "4:name1:t12:meta versioni2e12:piece lengthi16384e");
	expect_fail("v2 info with unsorted keys", t.data, t.len,
	    "not in canonical bencoding");
	buf_destroy(&t);
	/* Unsorted inside the file tree. */
	v2_raw(&t, "d1:g" FILE100 "1:f" FILE100 "e", SORTED);
	expect_fail("v2 file tree with unsorted keys", t.data, t.len,
	    "not in canonical bencoding");
	buf_destroy(&t);

	v2_raw(&t, "d1:f" FILE100 "e",
	    "12:meta versioni3e4:name1:t12:piece lengthi16384e");
	expect_fail("v2 meta version 3", t.data, t.len, "version 3, newer");
	buf_destroy(&t);

	v2_raw(&t, "d2:.." FILE100 "e", SORTED);
	expect_fail("v2 file named ..", t.data, t.len,
	    "path component \"..\"");
	buf_destroy(&t);
	v2_raw(&t, "d1:dd2:.." FILE100 "ee", SORTED);
	expect_fail("v2 file d/..", t.data, t.len, "path component \"..\"");
	buf_destroy(&t);
	v2_raw(&t, "d3:a/b" FILE100 "e", SORTED);
	expect_fail("v2 name with a slash", t.data, t.len, "slash");
	buf_destroy(&t);
	v2_raw(&t, "d6:.shoald1:x" FILE100 "ee", SORTED);
	expect_fail("v2 file under .shoal", t.data, t.len, ".shoal");
	buf_destroy(&t);
	v2_raw(&t, "d1:fd0:d4:attr1:p6:lengthi100e11:pieces root" ROOT32
	    "eee", SORTED);
	expect_fail("v2 pad file", t.data, t.len, "pad file");
	buf_destroy(&t);
	v2_raw(&t, "d1:fd0:d6:lengthi100eeee", SORTED);
	expect_fail("v2 file without a pieces root", t.data, t.len,
	    "no valid pieces root");
	buf_destroy(&t);
	v2_raw(&t, "de", SORTED);
	expect_fail("v2 empty file tree", t.data, t.len, "no files");
	buf_destroy(&t);
	v2_raw(&t, "d1:f" FILE100 "e",
	    "12:meta versioni2e4:name1:t12:piece lengthi16385e");
	expect_fail("v2 piece length 16385", t.data, t.len,
	    "not a power of two");
	buf_destroy(&t);
}

static void
test_load(void)
{
	struct metainfo	 m;
	struct buf	 t;
	char		 path[] = "/tmp/shoal-test-metainfo-XXXXXX";
	char		*cause = NULL;
	int		 fd;
	struct v1spec	 s = { .name = "f", .piece_length = 16384,
			    .length = 3 };

	build_v1(&s, &t);
	fd = mkstemp(path);
	if (!CHECK(fd != -1))
		return;
	CHECK(write(fd, t.data, t.len) == (ssize_t)t.len);
	close(fd);
	if (CHECK(metainfo_load(&m, path, &cause) == 0)) {
		CHECK_STR(m.name, "f");
		metainfo_free(&m);
	}
	free(cause);
	cause = NULL;
	/* A truncated file: the cause names the file and the problem. */
	CHECK(truncate(path, (off_t)t.len - 1) == 0);
	CHECK(metainfo_load(&m, path, &cause) == -1);
	CHECK(cause != NULL && strncmp(cause, path, strlen(path)) == 0 &&
	    strstr(cause, "truncated") != NULL);
	free(cause);
	cause = NULL;
	unlink(path);
	CHECK(metainfo_load(&m, path, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, path) != NULL);
	free(cause);
	buf_destroy(&t);
}

static void
test_auto_piece_length(void)
{
	uint64_t	sizes[] = { 1, 100ULL << 20, 1ULL << 30, 7ULL << 30 };
	size_t		i;

	CHECK_INT(metainfo_auto_piece_length(0), 16384);
	CHECK_INT(metainfo_auto_piece_length(1), 16384);
	CHECK_INT(metainfo_auto_piece_length(1501ULL * 16384 - 1), 16384);
	CHECK_INT(metainfo_auto_piece_length(1501ULL * 16384), 32768);
	CHECK_INT(metainfo_auto_piece_length(10ULL << 30), 8U << 20);
	CHECK_INT(metainfo_auto_piece_length(1ULL << 40), 16U << 20);
	CHECK_INT(metainfo_auto_piece_length(UINT64_MAX), 16U << 20);
	/* Between the bounds: a power of two giving 751 to 1500 pieces. */
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint32_t	pl = metainfo_auto_piece_length(sizes[i]);
		uint64_t	n = (sizes[i] + pl - 1) / pl;

		CHECK_MSG((pl & (pl - 1)) == 0 && pl >= 16384 &&
		    (pl == 16384 || (n > 750 && n <= 1501)),
		    label("auto piece length for %llu bytes (%u, %llu "
		    "pieces)", (unsigned long long)sizes[i], pl,
		    (unsigned long long)n));
	}
}

int
main(void)
{
	test_v1_single();
	test_v1_multi();
	test_v1_legacy();
	test_v1_rejections();
	test_hybrid();
	test_v2();
	test_v1_layout();
	test_single_hybrid();
	test_v2_rejections();
	test_v2_raw();
	test_load();
	test_auto_piece_length();
	return (test_done());
}
