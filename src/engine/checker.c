/*
 * The verifier behind "shoal verify" (and, later, resume re-checks). First
 * a threadpool job stats every entry; then the hasher reads every piece.
 * A v1 piece that fails marks every file it touches; a v2 piece belongs to
 * one file. Without piece layers a big file is judged by its pieces root.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitfield.h"
#include "checker.h"
#include "hasher.h"
#include "merkle.h"
#include "scan.h"
#include "xmalloc.h"

struct checker {
	uv_loop_t		*loop;
	const struct metainfo	*m;
	char			*root;
	checker_done_cb		 done_cb;
	void			*arg;

	uv_work_t		 stat_req;
	struct checker_file	*files;
	struct hasher		*hasher;
	uint8_t			*v2;		/* Piece hashes, 32 each. */
	struct bitfield		 good;
	struct bitfield		 failed;	/* Pieces whose read failed. */
};

struct checker *
checker_new(uv_loop_t *loop, const struct metainfo *m, const char *root,
    checker_done_cb done_cb, void *arg)
{
	struct checker	*c = xcalloc(1, sizeof *c);

	c->loop = loop;
	c->m = m;
	c->root = xstrdup(root);
	c->done_cb = done_cb;
	c->arg = arg;
	c->files = xcalloc(m->nfiles == 0 ? 1 : m->nfiles, sizeof *c->files);
	bitfield_init(&c->good, m->npieces);
	bitfield_init(&c->failed, m->npieces);
	return (c);
}

void
checker_free(struct checker *c)
{
	if (c == NULL)
		return;
	hasher_free(c->hasher);
	bitfield_destroy(&c->good);
	bitfield_destroy(&c->failed);
	free(c->v2);
	free(c->files);
	free(c->root);
	free(c);
}

const struct checker_file *
checker_results(const struct checker *c)
{
	return (c->files);
}

uint32_t
checker_good_pieces(const struct checker *c)
{
	return (c->good.count);
}

void
checker_progress(const struct checker *c, uint64_t *done, uint64_t *total)
{
	if (c->hasher == NULL) {
		*done = *total = 0;
		return;
	}
	*done = hasher_bytes_done(c->hasher);
	*total = hasher_bytes_total(c->hasher);
}

static char *
checker_path(const struct checker *c, const struct mi_file *f)
{
	char	*path;

	if (c->m->single_file)
		return (xstrdup(c->root));
	xasprintf(&path, "%s/%s", c->root, f->path);
	return (path);
}

/* Threadpool: look at every entry before any hashing. */
static void
checker_stat_work(uv_work_t *req)
{
	struct checker		*c = req->data;
	const struct metainfo	*m = c->m;
	struct stat		 st;
	size_t			 i;

	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file	*f = &m->files[i];
		struct checker_file	*r = &c->files[i];
		char			*path;

		if (f->attr & MI_ATTR_PAD)
			continue;
		path = checker_path(c, f);
		if (lstat(path, &st) != 0) {
			r->status = errno == ENOENT || errno == ENOTDIR ?
			    CHECKER_MISSING : CHECKER_UNREADABLE;
			r->error = errno;
		} else if (f->attr & MI_ATTR_DIR) {
			if (!S_ISDIR(st.st_mode))
				r->status = CHECKER_WRONG_TYPE;
		} else if (f->attr & MI_ATTR_SYMLINK) {
			char	target[4096], *resolved;
			ssize_t	n;

			if (!S_ISLNK(st.st_mode) || (n = readlink(path, target,
			    sizeof target - 1)) < 0)
				r->status = CHECKER_BAD_LINK;
			else {
				target[n] = '\0';
				resolved = scan_link_target(f->path, target);
				if (resolved == NULL ||
				    strcmp(resolved, f->symlink) != 0)
					r->status = CHECKER_BAD_LINK;
				free(resolved);
			}
		} else if (!S_ISREG(st.st_mode))
			r->status = CHECKER_WRONG_TYPE;
		else {
			r->actual_size = (uint64_t)st.st_size;
			if (r->actual_size != f->length)
				r->status = CHECKER_WRONG_SIZE;
			else if (access(path, R_OK) != 0) {
				r->status = CHECKER_UNREADABLE;
				r->error = errno;
			}
		}
		free(path);
	}
}

static void
checker_piece(void *arg, const struct hasher_piece *hp)
{
	struct checker		*c = arg;
	const struct metainfo	*m = c->m;
	int			 ok = 1;

	if (hp->error != 0) {
		bitfield_set(&c->failed, hp->index);
		return;
	}
	if ((m->versions & MI_V1) &&
	    memcmp(hp->sha1, m->pieces + (size_t)hp->index * 20, 20) != 0)
		ok = 0;
	if (m->versions & MI_V2) {
		const struct mi_file *f = metainfo_file_at(m,
		    (uint64_t)hp->index * m->piece_length);

		memcpy(c->v2 + (size_t)hp->index * 32, hp->v2, 32);
		if (f != NULL && f->length <= m->piece_length &&
		    memcmp(hp->v2, f->root, 32) != 0)
			ok = 0;
		if (f != NULL && f->length > m->piece_length &&
		    f->layer != NULL && memcmp(hp->v2, f->layer +
		    (size_t)(hp->index - f->first_piece) * 32, 32) != 0)
			ok = 0;
	}
	if (ok)
		bitfield_set(&c->good, hp->index);
}

static void
checker_hashed(void *arg)
{
	struct checker		*c = arg;
	const struct metainfo	*m = c->m;
	size_t			 i;
	uint32_t		 p;
	uint8_t			 root[32];

	/* A big file without its layer is judged by its pieces root. */
	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file *f = &m->files[i];

		if (!(m->versions & MI_V2) || !f->has_root ||
		    f->length <= m->piece_length || f->layer != NULL)
			continue;
		merkle_root_from_layer(c->v2 + (size_t)f->first_piece * 32,
		    f->npieces, m->piece_length, root);
		if (memcmp(root, f->root, 32) != 0) {
			for (p = 0; p < f->npieces; p++)
				bitfield_clear(&c->good, f->first_piece + p);
		}
	}
	for (i = 0; i < m->nfiles; i++) {
		const struct mi_file	*f = &m->files[i];
		struct checker_file	*r = &c->files[i];

		if (!metainfo_is_content(f) || f->length == 0)
			continue;
		for (p = 0; p < f->npieces; p++) {
			if (!bitfield_get(&c->good, f->first_piece + p))
				r->bad_pieces++;
		}
		if (r->status == CHECKER_OK && r->bad_pieces > 0)
			r->status = CHECKER_BAD;
	}
	c->done_cb(c->arg, c);
}

static void
checker_stat_after(uv_work_t *req, int status)
{
	struct checker		*c = req->data;
	const struct metainfo	*m = c->m;

	c->v2 = xcalloc(m->npieces == 0 ? 1 : m->npieces, 32);
	c->hasher = hasher_new(c->loop, m, c->root,
	    ((m->versions & MI_V1) ? HASHER_V1 : 0) |
	    ((m->versions & MI_V2) ? HASHER_V2 : 0),
	    checker_piece, checker_hashed, c);
	if (m->npieces == 0) {
		checker_hashed(c);
		return;
	}
	hasher_start(c->hasher, 0, m->npieces);
}

void
checker_start(struct checker *c)
{
	c->stat_req.data = c;
	if (uv_queue_work(c->loop, &c->stat_req, checker_stat_work,
	    checker_stat_after) != 0)
		fatalx("uv_queue_work failed");
}
