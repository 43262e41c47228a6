/*
 * Hashing the pieces of a torrent's files on libuv's threadpool. Work is
 * cut into units of whole pieces (about 4 MiB each) read with large
 * sequential preads into a fixed pool of buffers, so memory stays bounded
 * whatever the size of the folder, and every core hashes. Results come back
 * on the loop thread, one callback per piece, in no particular order.
 */
#ifndef SHOAL_HASHER_H
#define SHOAL_HASHER_H

#include <stdint.h>

#include <uv.h>

#include "metainfo.h"

struct hasher;

struct hasher_piece {
	uint32_t	 index;
	int		 error;		/* errno of a failed read, or 0. */
	const char	*error_path;	/* The file that failed (m's memory). */
	uint8_t		 sha1[20];	/* HASHER_V1 */
	/*
	 * HASHER_V2: the piece-layer hash, or for a file no longer than a
	 * piece, the file's pieces root.
	 */
	uint8_t		 v2[32];
};

#define HASHER_V1	0x1
#define HASHER_V2	0x2

typedef void (*hasher_piece_cb)(void *, const struct hasher_piece *);
typedef void (*hasher_done_cb)(void *);

/*
 * Hash pieces of m read from root (the content folder, or for a
 * single-file torrent the file itself). m must outlive the hasher.
 */
struct hasher	*hasher_new(uv_loop_t *, const struct metainfo *, const char *,
		    int, hasher_piece_cb, hasher_done_cb, void *);
/*
 * Where to read a file: by default root/path (or root itself for a
 * single-file torrent). Storage points at files still being received
 * under .shoal/. The callback returns an allocated path; it runs on
 * threadpool threads and must only read immutable state.
 */
typedef char *(*hasher_path_cb)(void *, const struct mi_file *);
void		 hasher_set_path_cb(struct hasher *, hasher_path_cb, void *);
/* Hash pieces [first, first + count); the done callback fires once after. */
void		 hasher_start(struct hasher *, uint32_t, uint32_t);
/* Stop handing out work; the done callback still fires when idle. */
void		 hasher_cancel(struct hasher *);
uint64_t	 hasher_bytes_done(const struct hasher *);
uint64_t	 hasher_bytes_total(const struct hasher *);
/* Free a hasher that is idle (its done callback has fired, or never started). */
void		 hasher_free(struct hasher *);

#endif
