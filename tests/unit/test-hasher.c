/*
 * The piece hasher on a real libuv loop: every piece reported exactly
 * once, the done callback exactly once, SHA-1 and v2 hashes equal to a
 * slow reference computed here from the file bytes, read errors reported
 * with the file that failed, and no handle left behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "../test.h"

#include "hasher.h"
#include "metainfo.h"
#include "scan.h"
#include "sha.h"

#define BLOCK	16384

static char	tmp[64];	/* The temporary directory. */

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

/* A file's contents: xorshift seeded from its name and size. */
static uint8_t *
file_data(const char *name, size_t len)
{
	uint8_t		*p = malloc(len == 0 ? 1 : len);
	uint64_t	 s = 0x9e3779b97f4a7c15ULL ^ len;
	size_t		 i;

	for (; *name != '\0'; name++)
		s = s * 131 + (uint8_t)*name;
	for (i = 0; i < len; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		p[i] = (uint8_t)(s >> 40);
	}
	return (p);
}

static int
write_file(const char *path, const uint8_t *p, size_t len)
{
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return (-1);
	if (len > 0 && write(fd, p, len) != (ssize_t)len) {
		close(fd);
		return (-1);
	}
	return (close(fd));
}

/* A folder of files named and sized as given. */
struct folder {
	char		  path[128];
	size_t		  n;
	const char	**names;
	const size_t	 *sizes;
	uint8_t		**data;
};

static int
folder_make(struct folder *fo, const char *name, const char **names,
    const size_t *sizes, size_t n)
{
	size_t	i;

	snprintf(fo->path, sizeof fo->path, "%s/%s", tmp, name);
	fo->n = n;
	fo->names = names;
	fo->sizes = sizes;
	fo->data = calloc(n, sizeof *fo->data);
	if (mkdir(fo->path, 0755) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		fo->data[i] = file_data(names[i], sizes[i]);
		if (write_file(label("%s/%s", fo->path, names[i]), fo->data[i],
		    sizes[i]) != 0)
			return (-1);
	}
	return (0);
}

static void
folder_free(struct folder *fo)
{
	size_t	i;

	for (i = 0; i < fo->n; i++)
		free(fo->data[i]);
	free(fo->data);
}

/* The reference merkle root: n leaves padded with zeros to width. */
static void
ref_root(const uint8_t *leaves, size_t n, size_t width, uint8_t out[32])
{
	uint8_t	*layer = calloc(width, 32), cat[64];
	size_t	 i;

	memcpy(layer, leaves, n * 32);
	for (; width > 1; width /= 2) {
		for (i = 0; i < width / 2; i++) {
			memcpy(cat, layer + 64 * i, 64);
			sha256(cat, 64, layer + 32 * i);
		}
	}
	memcpy(out, layer, 32);
	free(layer);
}

/* Root over the 16 KiB leaves of len bytes, padded to width leaves. */
static void
ref_leaves_root(const uint8_t *p, size_t len, size_t width, uint8_t out[32])
{
	size_t	 n = (len + BLOCK - 1) / BLOCK, i;
	uint8_t	*leaves = malloc(n == 0 ? 32 : n * 32);

	for (i = 0; i < n; i++) {
		size_t	chunk = len - i * BLOCK < BLOCK ? len - i * BLOCK :
		    BLOCK;

		sha256(p + i * BLOCK, chunk, leaves + 32 * i);
	}
	ref_root(leaves, n, width, out);
	free(leaves);
}

static size_t
ref_pow2(size_t n)
{
	size_t	p = 1;

	while (p < n)
		p *= 2;
	return (p);
}

/* What the hasher should say about each piece. */
struct expect {
	uint32_t	  npieces;
	uint64_t	 *offsets;	/* Per folder file. */
	uint8_t		 *sha1;		/* 20 per piece. */
	uint8_t		 *v2;		/* 32 per piece. */
	uint32_t	 *size;		/* Bytes per piece. */
};

/*
 * Compute the layout independently: every non-empty file starts on a
 * piece boundary (v2 and hybrid; shoal's v1 too), the v1 piece space ends
 * on a boundary for more than one file, the v2 one at the last file's end.
 */
static void
expect_compute(struct expect *e, const struct folder *fo, int versions,
    uint32_t pl, int single)
{
	uint64_t	 pos = 0, end = 0, span, start;
	uint8_t		*space;
	size_t		 i, j;
	uint32_t	 k;

	e->offsets = calloc(fo->n, sizeof *e->offsets);
	for (i = 0; i < fo->n; i++) {
		e->offsets[i] = pos;
		if (fo->sizes[i] == 0)
			continue;
		end = pos + fo->sizes[i];
		pos = (end + pl - 1) / pl * pl;
	}
	span = (versions & MI_V1) && !single ? pos : end;
	e->npieces = (uint32_t)((span + pl - 1) / pl);
	e->sha1 = calloc(e->npieces + 1, 20);
	e->v2 = calloc(e->npieces + 1, 32);
	e->size = calloc(e->npieces + 1, sizeof *e->size);
	space = calloc(1, span + 1);
	for (i = 0; i < fo->n; i++)
		memcpy(space + e->offsets[i], fo->data[i], fo->sizes[i]);
	for (k = 0; k < e->npieces; k++) {
		start = (uint64_t)k * pl;
		e->size[k] = span - start < pl ? (uint32_t)(span - start) : pl;
		sha1(space + start, e->size[k], e->sha1 + 20 * k);
		for (j = 0; j < fo->n; j++) {
			uint64_t	fs = e->offsets[j];
			uint64_t	fe = fs + fo->sizes[j];
			uint64_t	n;

			if (fo->sizes[j] == 0 || start < fs || start >= fe)
				continue;
			if (!(versions & MI_V1))
				e->size[k] = fe - start < pl ?
				    (uint32_t)(fe - start) : pl;
			if (fo->sizes[j] <= pl) {
				n = (fo->sizes[j] + BLOCK - 1) / BLOCK;
				ref_leaves_root(fo->data[j], fo->sizes[j],
				    ref_pow2(n), e->v2 + 32 * k);
			} else {
				n = fe - start < pl ? fe - start : pl;
				ref_leaves_root(fo->data[j] + (start - fs), n,
				    pl / BLOCK, e->v2 + 32 * k);
			}
		}
	}
	free(space);
}

static void
expect_free(struct expect *e)
{
	free(e->offsets);
	free(e->sha1);
	free(e->v2);
	free(e->size);
}

/* What the callbacks saw. */
struct seen {
	struct hasher		*h;
	uint32_t		 n;
	uint32_t		*count;
	struct hasher_piece	*res;
	uint32_t		 total;
	uint32_t		 outside;
	int			 done;
	int			 cancel_after;	/* Cancel after so many. */
	uint64_t		 bytes_done;
	uint64_t		 bytes_total;
};

static void
on_piece(void *arg, const struct hasher_piece *hp)
{
	struct seen	*s = arg;

	s->total++;
	if (hp->index >= s->n) {
		s->outside++;
		return;
	}
	s->count[hp->index]++;
	s->res[hp->index] = *hp;
	if (s->cancel_after != 0 && s->total == (uint32_t)s->cancel_after)
		hasher_cancel(s->h);
}

static void
on_done(void *arg)
{
	struct seen	*s = arg;

	s->done++;
}

/* Scan and lay out a path as a torrent of the given kind. */
static int
layout(struct metainfo *m, const char *path, int versions, uint32_t pl)
{
	char	*cause = NULL;

	metainfo_init(m);
	if (scan_path(path, m, NULL, NULL, &cause) != 0 ||
	    (m->versions = versions, m->piece_length = pl,
	    metainfo_layout(m, &cause)) != 0) {
		printf("# %s\n", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

/* Run a hasher over [first, first + count) of m; fill s. */
static void
run(const char *name, const struct metainfo *m, const char *root, int what,
    uint32_t first, uint32_t count, struct seen *s, int cancel_after)
{
	uv_loop_t	 loop;
	struct hasher	*h;

	memset(s, 0, sizeof *s);
	s->n = m->npieces;
	s->count = calloc(s->n + 1, sizeof *s->count);
	s->res = calloc(s->n + 1, sizeof *s->res);
	s->cancel_after = cancel_after;
	CHECK_MSG(uv_loop_init(&loop) == 0, label("%s: loop starts", name));
	h = hasher_new(&loop, m, root, what, on_piece, on_done, s);
	s->h = h;
	hasher_start(h, first, count);
	uv_run(&loop, UV_RUN_DEFAULT);
	CHECK_MSG(s->done == 1, label("%s: done fires once", name));
	s->bytes_done = hasher_bytes_done(h);
	s->bytes_total = hasher_bytes_total(h);
	if (cancel_after == 0)
		CHECK_MSG(s->bytes_done == s->bytes_total,
		    label("%s: every byte counted as done", name));
	hasher_free(h);
	CHECK_MSG(uv_loop_close(&loop) == 0,
	    label("%s: the loop closes with nothing left", name));
}

static void
seen_free(struct seen *s)
{
	free(s->count);
	free(s->res);
}

/*
 * Hash the folder as a torrent of this kind and compare every piece with
 * the reference.
 */
static void
scenario(const char *name, const struct folder *fo, int versions,
    uint32_t pl, uint32_t first, uint32_t count)
{
	struct metainfo	 m;
	struct expect	 e;
	struct seen	 s;
	int		 what = 0;
	uint32_t	 k, last, once = 0, bad1 = 0, bad2 = 0, errs = 0;
	uint64_t	 bytes = 0;
	size_t		 i, j, offbad = 0;

	if (!CHECK_MSG(layout(&m, fo->path, versions, pl) == 0,
	    label("%s: laid out", name)))
		return;
	expect_compute(&e, fo, versions, pl, 0);
	CHECK_MSG(m.npieces == e.npieces, label("%s: %u pieces", name,
	    e.npieces));
	for (i = 0, j = 0; i < m.nfiles && j < fo->n; i++) {
		if (!metainfo_is_content(&m.files[i]))
			continue;
		if (strcmp(m.files[i].path, fo->names[j]) != 0 ||
		    (fo->sizes[j] > 0 && m.files[i].offset != e.offsets[j]))
			offbad++;
		j++;
	}
	CHECK_MSG(offbad == 0 && j == fo->n,
	    label("%s: every file where the reference puts it", name));
	if (count == UINT32_MAX)
		count = m.npieces;
	last = first + count;

	if (versions & MI_V1)
		what |= HASHER_V1;
	if (versions & MI_V2)
		what |= HASHER_V2;
	run(name, &m, fo->path, what, first, count, &s, 0);
	for (k = 0; k < m.npieces && m.npieces == e.npieces; k++) {
		if (k < first || k >= last) {
			if (s.count[k] != 0)
				once++;
			continue;
		}
		bytes += e.size[k];
		if (s.count[k] != 1) {
			once++;
			continue;
		}
		if (s.res[k].error != 0 || s.res[k].index != k)
			errs++;
		if ((what & HASHER_V1) &&
		    memcmp(s.res[k].sha1, e.sha1 + 20 * k, 20) != 0)
			bad1++;
		if ((what & HASHER_V2) &&
		    memcmp(s.res[k].v2, e.v2 + 32 * k, 32) != 0)
			bad2++;
	}
	CHECK_MSG(once == 0 && s.outside == 0 && s.total == count,
	    label("%s: pieces %u to %u reported once each, no others", name,
	    first, last - 1));
	CHECK_MSG(errs == 0, label("%s: no read errors", name));
	if (what & HASHER_V1)
		CHECK_MSG(bad1 == 0, label("%s: every SHA-1 as the reference",
		    name));
	if (what & HASHER_V2)
		CHECK_MSG(bad2 == 0, label("%s: every v2 hash as the reference",
		    name));
	if (bad1 + bad2 != 0)
		printf("# %u SHA-1 and %u v2 hashes differ\n", bad1, bad2);
	CHECK_MSG(bytes > 0 && s.bytes_total == bytes,
	    label("%s: %llu bytes to hash, as the reference", name,
	    (unsigned long long)bytes));
	seen_free(&s);
	expect_free(&e);
	metainfo_free(&m);
}

static const char	*names[] = { "f0", "f1", "f2", "f3", "f4", "f5" };
static const size_t	 sizes[] = { 0, 1, 16384, 16385, 100000, 300000 };
#define NFILES	6

/* The index of the first piece of folder file j (non-empty). */
static uint32_t
first_piece(const struct expect *e, size_t j, uint32_t pl)
{
	return ((uint32_t)(e->offsets[j] / pl));
}

/*
 * Read errors: a missing file, and a file shorter than the torrent says,
 * fail their own pieces with the file named, and only those.
 */
static void
test_errors(const struct folder *fo)
{
	struct metainfo	 m;
	struct expect	 e;
	struct seen	 s;
	const char	*f4 = label("%s/f4", fo->path);
	char		 f4path[256], moved[270];
	uint32_t	 k, p4, n4, bad = 0, wrong = 0;
	const struct mi_file *mf4 = NULL;
	size_t		 i;

	snprintf(f4path, sizeof f4path, "%s", f4);
	snprintf(moved, sizeof moved, "%s.away", f4path);

	/* f4 missing. */
	if (!CHECK(layout(&m, fo->path, MI_HYBRID, 16384) == 0))
		return;
	expect_compute(&e, fo, MI_HYBRID, 16384, 0);
	for (i = 0; i < m.nfiles; i++) {
		if (strcmp(m.files[i].path, "f4") == 0)
			mf4 = &m.files[i];
	}
	p4 = first_piece(&e, 4, 16384);
	n4 = (uint32_t)((sizes[4] + 16383) / 16384);
	CHECK(rename(f4path, moved) == 0);
	run("f4 missing", &m, fo->path, HASHER_V1 | HASHER_V2, 0, m.npieces,
	    &s, 0);
	for (k = 0; k < m.npieces; k++) {
		if (s.count[k] != 1) {
			bad++;
			continue;
		}
		if (k >= p4 && k < p4 + n4) {
			if (s.res[k].error != ENOENT ||
			    s.res[k].error_path != mf4->path)
				wrong++;
		} else if (s.res[k].error != 0 ||
		    memcmp(s.res[k].sha1, e.sha1 + 20 * k, 20) != 0 ||
		    memcmp(s.res[k].v2, e.v2 + 32 * k, 32) != 0)
			bad++;
	}
	CHECK_MSG(wrong == 0, "f4 missing: its pieces fail with ENOENT, "
	    "naming f4");
	CHECK_MSG(bad == 0, "f4 missing: every other piece hashes right");
	CHECK_STR(s.res[p4].error_path, "f4");
	CHECK(rename(moved, f4path) == 0);
	seen_free(&s);
	expect_free(&e);
	metainfo_free(&m);

	/*
	 * f4 cut to 70000 bytes, 128 KiB pieces: its one piece fails, and
	 * f5, hashed next by the same worker, is not affected.
	 */
	if (!CHECK(layout(&m, fo->path, MI_HYBRID, 131072) == 0))
		return;
	expect_compute(&e, fo, MI_HYBRID, 131072, 0);
	p4 = first_piece(&e, 4, 131072);
	for (i = 0; i < m.nfiles; i++) {
		if (strcmp(m.files[i].path, "f4") == 0)
			mf4 = &m.files[i];
	}
	CHECK(truncate(f4path, 70000) == 0);
	run("f4 short", &m, fo->path, HASHER_V1 | HASHER_V2, 0, m.npieces, &s,
	    0);
	bad = wrong = 0;
	for (k = 0; k < m.npieces; k++) {
		if (s.count[k] != 1) {
			bad++;
			continue;
		}
		if (k == p4) {
			if (s.res[k].error != ENODATA ||
			    s.res[k].error_path != mf4->path)
				wrong++;
		} else if (s.res[k].error != 0 ||
		    memcmp(s.res[k].sha1, e.sha1 + 20 * k, 20) != 0 ||
		    memcmp(s.res[k].v2, e.v2 + 32 * k, 32) != 0)
			bad++;
	}
	CHECK_MSG(wrong == 0, "f4 short: its piece fails with ENODATA");
	CHECK_MSG(bad == 0, "f4 short: every other piece, f5's included, "
	    "hashes right");
	seen_free(&s);
	expect_free(&e);
	metainfo_free(&m);

	/* The same with 16 KiB pieces: the pieces before the cut are fine. */
	CHECK(write_file(f4path, fo->data[4], sizes[4]) == 0);
	if (!CHECK(layout(&m, fo->path, MI_HYBRID, 16384) == 0))
		return;
	expect_compute(&e, fo, MI_HYBRID, 16384, 0);
	p4 = first_piece(&e, 4, 16384);
	CHECK(truncate(f4path, 70000) == 0);
	run("f4 short, 16 KiB pieces", &m, fo->path, HASHER_V1 | HASHER_V2, 0,
	    m.npieces, &s, 0);
	bad = wrong = 0;
	for (k = 0; k < m.npieces; k++) {
		int	cut = k >= p4 + 70000 / 16384 && k < p4 + n4;

		if (s.count[k] != 1)
			bad++;
		else if (cut && s.res[k].error != ENODATA)
			wrong++;
		else if (!cut && (s.res[k].error != 0 ||
		    memcmp(s.res[k].sha1, e.sha1 + 20 * k, 20) != 0 ||
		    memcmp(s.res[k].v2, e.v2 + 32 * k, 32) != 0))
			bad++;
	}
	CHECK_MSG(wrong == 0, "f4 short, 16 KiB pieces: the 3 pieces past "
	    "the cut fail");
	CHECK_MSG(bad == 0, "f4 short, 16 KiB pieces: the other pieces hash "
	    "right");
	seen_free(&s);
	expect_free(&e);
	metainfo_free(&m);

	CHECK(write_file(f4path, fo->data[4], sizes[4]) == 0);
}

/* A single file: the root given to the hasher is the file itself. */
static void
test_single(const struct folder *fo)
{
	struct metainfo	 m;
	struct expect	 e;
	struct seen	 s;
	struct folder	 one;
	char		 path[256];
	uint32_t	 k, bad = 0;

	snprintf(path, sizeof path, "%s/f5", fo->path);
	if (!CHECK(layout(&m, path, MI_HYBRID, 32768) == 0))
		return;
	CHECK_INT(m.single_file, 1);
	one = *fo;
	one.n = 1;
	one.names = &names[5];
	one.sizes = &sizes[5];
	one.data = &fo->data[5];
	expect_compute(&e, &one, MI_HYBRID, 32768, 1);
	CHECK_INT(m.npieces, e.npieces);
	run("single file", &m, path, HASHER_V1 | HASHER_V2, 0, m.npieces, &s,
	    0);
	for (k = 0; k < m.npieces && m.npieces == e.npieces; k++) {
		if (s.count[k] != 1 || s.res[k].error != 0 ||
		    memcmp(s.res[k].sha1, e.sha1 + 20 * k, 20) != 0 ||
		    memcmp(s.res[k].v2, e.v2 + 32 * k, 32) != 0)
			bad++;
	}
	CHECK_MSG(bad == 0, "single file: every piece once, hashed right "
	    "(the last one short)");
	CHECK_INT(e.size[e.npieces - 1], 300000 - 9 * 32768);
	seen_free(&s);
	expect_free(&e);
	metainfo_free(&m);
}

/*
 * A read error part way through a piece, after some of its bytes went into
 * the SHA-1: b is cut 300000 bytes into its last 1 MiB piece (the first
 * read of that piece works, a later one fails). c, in the same work unit
 * right after, must not inherit the half-hashed SHA-1.
 */
static void
test_error_mid_piece(const struct folder *big)
{
	struct metainfo	 m;
	struct expect	 e;
	struct seen	 s;
	char		 bpath[256];
	uint32_t	 k, pb, last_b, bad = 0, wrong = 0;
	const uint32_t	 pl = 1048576;

	snprintf(bpath, sizeof bpath, "%s/b", big->path);
	if (!CHECK(layout(&m, big->path, MI_HYBRID, pl) == 0))
		return;
	expect_compute(&e, big, MI_HYBRID, pl, 0);
	pb = first_piece(&e, 1, pl);
	last_b = pb + (uint32_t)((big->sizes[1] + pl - 1) / pl) - 1;
	CHECK_INT(last_b, 9);
	CHECK(truncate(bpath, (off_t)(last_b - pb) * pl + 300000) == 0);
	run("b short", &m, big->path, HASHER_V1 | HASHER_V2, 0, m.npieces,
	    &s, 0);
	for (k = 0; k < m.npieces && m.npieces == e.npieces; k++) {
		if (s.count[k] != 1)
			bad++;
		else if (k == last_b) {
			if (s.res[k].error != ENODATA)
				wrong++;
		} else if (s.res[k].error != 0 ||
		    memcmp(s.res[k].sha1, e.sha1 + 20 * k, 20) != 0 ||
		    memcmp(s.res[k].v2, e.v2 + 32 * k, 32) != 0)
			bad++;
	}
	CHECK_MSG(wrong == 0, "b short: its last piece fails with ENODATA");
	CHECK_MSG(bad == 0, "b short: the next file's piece hashes right");
	CHECK(write_file(bpath, big->data[1], big->sizes[1]) == 0);
	seen_free(&s);
	expect_free(&e);
	metainfo_free(&m);
}

/* Cancelling from a piece callback: no more pieces, done still fires. */
static void
test_cancel(const struct folder *big)
{
	struct metainfo	m;
	struct seen	s;

	if (!CHECK(layout(&m, big->path, MI_HYBRID, 16384) == 0))
		return;
	run("cancel", &m, big->path, HASHER_V1 | HASHER_V2, 0, m.npieces, &s,
	    1);
	CHECK_MSG(s.total == 1, "cancel: no piece reported after the cancel");
	seen_free(&s);
	metainfo_free(&m);
}

/* An empty range: done fires, nothing else. */
static void
test_empty_range(const struct folder *fo)
{
	struct metainfo	m;
	struct seen	s;

	if (!CHECK(layout(&m, fo->path, MI_HYBRID, 16384) == 0))
		return;
	run("empty range", &m, fo->path, HASHER_V1 | HASHER_V2, 0, 0, &s, 0);
	CHECK_INT(s.total, 0);
	seen_free(&s);
	metainfo_free(&m);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return (remove(path));
}

int
main(void)
{
	static const char	*big_names[] = { "a", "b", "c" };
	static const size_t	 big_sizes[] = { 100, 9000000, 20000 };
	struct folder		 fo, big;

	snprintf(tmp, sizeof tmp, "/tmp/shoal-test-hasher-XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	if (CHECK_MSG(folder_make(&fo, "share", names, sizes, NFILES) == 0,
	    "the test folder is made")) {
		scenario("hybrid, 16 KiB", &fo, MI_HYBRID, 16384, 0,
		    UINT32_MAX);
		scenario("hybrid, 32 KiB", &fo, MI_HYBRID, 32768, 0,
		    UINT32_MAX);
		scenario("hybrid, 128 KiB", &fo, MI_HYBRID, 131072, 0,
		    UINT32_MAX);
		scenario("hybrid, 512 KiB", &fo, MI_HYBRID, 524288, 0,
		    UINT32_MAX);
		scenario("hybrid, pieces 3 and 4", &fo, MI_HYBRID, 16384, 3,
		    2);
		scenario("v2, 16 KiB", &fo, MI_V2, 16384, 0, UINT32_MAX);
		scenario("v2, 64 KiB", &fo, MI_V2, 65536, 0, UINT32_MAX);
		scenario("v1, 32 KiB", &fo, MI_V1, 32768, 0, UINT32_MAX);
		test_single(&fo);
		test_empty_range(&fo);
		test_errors(&fo);
	}
	/* More than one 4 MiB work unit, several in flight. */
	if (CHECK_MSG(folder_make(&big, "big", big_names, big_sizes, 3) == 0,
	    "the big folder is made")) {
		scenario("big hybrid, 16 KiB", &big, MI_HYBRID, 16384, 0,
		    UINT32_MAX);
		scenario("big v2, 1 MiB", &big, MI_V2, 1048576, 0, UINT32_MAX);
		scenario("big hybrid, middle", &big, MI_HYBRID, 16384, 100,
		    400);
		test_error_mid_piece(&big);
		test_cancel(&big);
	}
	folder_free(&fo);
	folder_free(&big);
	CHECK_INT(nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
	return (test_done());
}
