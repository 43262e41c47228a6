/*
 * Checking a folder against a torrent: which files are missing, the wrong
 * size, or hold pieces that fail their hashes (v1 SHA-1 and v2 merkle,
 * both for a hybrid). Stat and hashing run on the threadpool.
 */
#ifndef SHOAL_CHECKER_H
#define SHOAL_CHECKER_H

#include <stdint.h>

#include <uv.h>

#include "metainfo.h"

enum checker_status {
	CHECKER_OK,
	CHECKER_MISSING,
	CHECKER_WRONG_SIZE,
	CHECKER_BAD,		/* Pieces fail their hash. */
	CHECKER_WRONG_TYPE,	/* A directory where a file should be, etc. */
	CHECKER_BAD_LINK,	/* A symlink that points elsewhere. */
	CHECKER_UNREADABLE
};

struct checker_file {
	enum checker_status	status;
	uint64_t		actual_size;
	uint32_t		bad_pieces;
	int			error;		/* errno for UNREADABLE. */
};

struct checker;

typedef void (*checker_done_cb)(void *, struct checker *);

/* root: the content folder, or for a single-file torrent the file. */
struct checker	*checker_new(uv_loop_t *, const struct metainfo *,
		    const char *, checker_done_cb, void *);
void		 checker_start(struct checker *);
void		 checker_free(struct checker *);
void		 checker_progress(const struct checker *, uint64_t *,
		    uint64_t *);
/* After done: one result per entry of m->files (pads and dirs included). */
const struct checker_file *checker_results(const struct checker *);
/* After done: pieces that passed, and the set as a byte array (MSB first). */
uint32_t	 checker_good_pieces(const struct checker *);

#endif
