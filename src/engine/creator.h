/*
 * Making a torrent from a folder: the walk and the hashing run on the
 * threadpool; the loop thread assembles the roots and piece layers and
 * encodes the result. Used by "shoal create" and by shares that publish a
 * new version.
 */
#ifndef SHOAL_CREATOR_H
#define SHOAL_CREATOR_H

#include <stdint.h>

#include <uv.h>

#include "metainfo.h"

struct creator_opts {
	const char	 *path;		/* Folder or file to share. */
	int		  versions;	/* MI_V2 or MI_HYBRID. */
	uint32_t	  piece_length;	/* 0: chosen from the size. */
	int		  is_private;
	int		  mtime;	/* Record file mtimes. */
	const char	 *comment;
	const char	 *created_by;
	int64_t		  creation_date;
	const char	**trackers;
	size_t		  ntrackers;
};

struct creator;

/* Called on the loop thread as the walk leaves something out. */
typedef void (*creator_warn_cb)(void *, const char *);
/* Called once on the loop thread when the torrent is made or failed. */
typedef void (*creator_done_cb)(void *, struct creator *);

struct creator	*creator_new(uv_loop_t *, const struct creator_opts *,
		    creator_warn_cb, creator_done_cb, void *);
void		 creator_start(struct creator *);
/* Stop early; the done callback still fires, with an error. */
void		 creator_cancel(struct creator *);
void		 creator_free(struct creator *);
/* Progress while hashing: bytes hashed and bytes to hash (0 while walking). */
void		 creator_progress(const struct creator *, uint64_t *,
		    uint64_t *);
/* After done: NULL on success, else the reason. */
const char	*creator_error(const struct creator *);
/* After success: the parsed torrent and its encoded bytes (creator owns). */
const struct metainfo *creator_metainfo(const struct creator *);
const uint8_t	*creator_torrent(const struct creator *, size_t *);

#endif
