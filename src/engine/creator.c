/*
 * The torrent maker. Stages: walk (threadpool), lay out pieces and pads
 * (loop), hash (threadpool, through hasher), assemble roots and layers and
 * encode (loop), then parse the encoding back so that what the caller gets
 * is exactly what any reader of the file will see.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "creator.h"
#include "hasher.h"
#include "merkle.h"
#include "scan.h"
#include "xmalloc.h"

struct creator {
	uv_loop_t		*loop;
	struct creator_opts	 opts;
	char			*path;
	creator_warn_cb		 warn_cb;
	creator_done_cb		 done_cb;
	void			*arg;

	uv_work_t		 scan_req;
	char			**warnings;
	size_t			 nwarnings;
	char			*scan_cause;

	struct metainfo		 draft;		/* Being built. */
	uint8_t			*v2;		/* 32 bytes per piece. */
	struct hasher		*hasher;
	char			*error;

	int			 cancelled;
	struct metainfo		 result;
	uint8_t			*torrent;
	size_t			 torrent_len;
};

struct creator *
creator_new(uv_loop_t *loop, const struct creator_opts *opts,
    creator_warn_cb warn_cb, creator_done_cb done_cb, void *arg)
{
	struct creator	*c = xcalloc(1, sizeof *c);

	c->loop = loop;
	c->opts = *opts;
	c->path = xstrdup(opts->path);
	c->warn_cb = warn_cb;
	c->done_cb = done_cb;
	c->arg = arg;
	metainfo_init(&c->draft);
	metainfo_init(&c->result);
	return (c);
}

void
creator_free(struct creator *c)
{
	size_t	i;

	if (c == NULL)
		return;
	hasher_free(c->hasher);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->scan_cause);
	metainfo_free(&c->draft);
	metainfo_free(&c->result);
	free(c->v2);
	free(c->error);
	free(c->torrent);
	free(c->path);
	free(c);
}

const char *
creator_error(const struct creator *c)
{
	return (c->error);
}

const struct metainfo *
creator_metainfo(const struct creator *c)
{
	return (&c->result);
}

const uint8_t *
creator_torrent(const struct creator *c, size_t *len)
{
	*len = c->torrent_len;
	return (c->torrent);
}

void
creator_progress(const struct creator *c, uint64_t *done, uint64_t *total)
{
	if (c->hasher == NULL) {
		*done = *total = 0;
		return;
	}
	*done = hasher_bytes_done(c->hasher);
	*total = hasher_bytes_total(c->hasher);
}

static void
creator_finish(struct creator *c, char *error)
{
	c->error = error;
	c->done_cb(c->arg, c);
}

/* Collected on a worker thread, handed to the warn callback on the loop. */
static void
creator_scan_warn(void *arg, const char *msg)
{
	struct creator	*c = arg;

	c->warnings = xreallocarray(c->warnings, c->nwarnings + 1,
	    sizeof *c->warnings);
	c->warnings[c->nwarnings++] = xstrdup(msg);
}

static void
creator_scan_work(uv_work_t *req)
{
	struct creator	*c = req->data;

	if (scan_path(c->path, &c->draft, creator_scan_warn, c,
	    &c->scan_cause) != 0 && c->scan_cause == NULL)
		c->scan_cause = xstrdup("cannot read the folder");
}

static void
creator_piece(void *arg, const struct hasher_piece *hp)
{
	struct creator	*c = arg;
	char		*why;

	if (hp->error != 0) {
		if (c->error == NULL) {
			const char *reason = hp->error == ENODATA ?
			    "the file shrank while it was being hashed" :
			    strerror(hp->error);

			if (c->draft.single_file)
				xasprintf(&why, "cannot read %s: %s", c->path,
				    reason);
			else
				xasprintf(&why, "cannot read %s/%s: %s",
				    c->path, hp->error_path, reason);
			c->error = why;
			hasher_cancel(c->hasher);
		}
		return;
	}
	if (c->draft.versions & MI_V1)
		memcpy(c->draft.pieces + (size_t)hp->index * 20, hp->sha1, 20);
	if (c->draft.versions & MI_V2)
		memcpy(c->v2 + (size_t)hp->index * 32, hp->v2, 32);
}

/* All pieces hashed: build roots and layers, encode, parse back. */
static void
creator_hashed(void *arg)
{
	struct creator	*c = arg;
	struct metainfo	*m = &c->draft;
	struct buf	 out;
	char		*cause = NULL, *error;
	size_t		 i;

	if (c->error != NULL) {
		error = c->error;
		c->error = NULL;
		creator_finish(c, error);
		return;
	}
	if (c->cancelled) {
		creator_finish(c, xstrdup("cancelled"));
		return;
	}
	if (m->versions & MI_V2) {
		for (i = 0; i < m->nfiles; i++) {
			struct mi_file	*f = &m->files[i];

			if (!metainfo_is_content(f) || f->length == 0)
				continue;
			f->has_root = 1;
			if (f->length <= m->piece_length) {
				memcpy(f->root, c->v2 + (size_t)f->first_piece *
				    32, 32);
				continue;
			}
			f->layer = xmemdup(c->v2 + (size_t)f->first_piece * 32,
			    (size_t)f->npieces * 32);
			merkle_root_from_layer(f->layer, f->npieces,
			    m->piece_length, f->root);
		}
	}
	buf_init(&out);
	if (metainfo_encode(m, c->opts.mtime ? MI_ENCODE_MTIME : 0, &out,
	    &cause) != 0) {
		buf_destroy(&out);
		creator_finish(c, cause);
		return;
	}
	c->torrent = buf_steal(&out, &c->torrent_len);
	if (metainfo_parse(&c->result, c->torrent, c->torrent_len,
	    &cause) != 0) {
		xasprintf(&error, "internal error: the new torrent does not "
		    "parse: %s", cause);
		free(cause);
		creator_finish(c, error);
		return;
	}
	creator_finish(c, NULL);
}

static void
creator_scan_after(uv_work_t *req, int status)
{
	struct creator	*c = req->data;
	struct metainfo	*m = &c->draft;
	char		*cause = NULL;
	size_t		 i, ncontent = 0;

	for (i = 0; i < c->nwarnings; i++) {
		if (c->warn_cb != NULL)
			c->warn_cb(c->arg, c->warnings[i]);
	}
	if (status != 0 || c->scan_cause != NULL) {
		cause = c->scan_cause;
		c->scan_cause = NULL;
		creator_finish(c, cause != NULL ? cause :
		    xstrdup("the folder walk was cancelled"));
		return;
	}
	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			ncontent++;
	}
	if (c->cancelled) {
		creator_finish(c, xstrdup("cancelled"));
		return;
	}
	if (ncontent == 0) {
		xasprintf(&cause, "%s: the folder has no files to share",
		    c->path);
		creator_finish(c, cause);
		return;
	}
	m->versions = c->opts.versions;
	m->is_private = c->opts.is_private;
	if (c->opts.comment != NULL)
		m->comment = xstrdup(c->opts.comment);
	if (c->opts.created_by != NULL)
		m->created_by = xstrdup(c->opts.created_by);
	m->creation_date = c->opts.creation_date;
	for (i = 0; i < c->opts.ntrackers; i++) {
		m->trackers = xreallocarray(m->trackers, m->ntrackers + 1,
		    sizeof *m->trackers);
		m->trackers[m->ntrackers++] = xstrdup(c->opts.trackers[i]);
	}
	m->total_size = 0;
	for (i = 0; i < m->nfiles; i++) {
		if (metainfo_is_content(&m->files[i]))
			m->total_size += m->files[i].length;
	}
	m->piece_length = c->opts.piece_length != 0 ? c->opts.piece_length :
	    metainfo_auto_piece_length(m->total_size);
	if (metainfo_layout(m, &cause) != 0) {
		creator_finish(c, cause);
		return;
	}
	if (m->versions & MI_V1)
		m->pieces = xcalloc(m->npieces == 0 ? 1 : m->npieces, 20);
	c->v2 = xcalloc(m->npieces == 0 ? 1 : m->npieces, 32);
	c->hasher = hasher_new(c->loop, m, c->path,
	    ((m->versions & MI_V1) ? HASHER_V1 : 0) |
	    ((m->versions & MI_V2) ? HASHER_V2 : 0),
	    creator_piece, creator_hashed, c);
	if (m->npieces == 0) {
		creator_hashed(c);	/* Only empty files. */
		return;
	}
	hasher_start(c->hasher, 0, m->npieces);
}

void
creator_cancel(struct creator *c)
{
	c->cancelled = 1;
	if (c->hasher != NULL)
		hasher_cancel(c->hasher);
}

void
creator_start(struct creator *c)
{
	c->scan_req.data = c;
	if (uv_queue_work(c->loop, &c->scan_req, creator_scan_work,
	    creator_scan_after) != 0)
		fatalx("uv_queue_work failed");
}
