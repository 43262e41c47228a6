/*
 * The files of one torrent on disk. A seeder reads its folder as it is. A
 * receiver keeps everything in flight under DIR/.shoal/: each file being
 * received is DIR/.shoal/partial/<index> until all of its pieces have
 * passed their hashes, then it is fsynced, given its mode and mtime, and
 * renamed to its real name, so a half-written file never appears there.
 * Which pieces passed is kept in DIR/.shoal/resume, written atomically;
 * on restart, files whose size or mtime no longer match it are re-hashed.
 *
 * All file I/O runs on the threadpool; callbacks come back on the loop.
 */
#ifndef SHOAL_STORAGE_H
#define SHOAL_STORAGE_H

#include <stdint.h>

#include <uv.h>

#include "bitfield.h"
#include "metainfo.h"

struct storage;

/* Result of storage_put_piece(). */
#define STORAGE_OK		0
#define STORAGE_HASH_FAILED	1	/* The data failed its hash: not written. */
#define STORAGE_IO_ERROR	2	/* See storage_error(). */

typedef void (*storage_ready_cb)(void *, struct storage *);
typedef void (*storage_read_cb)(void *, int, const uint8_t *);
typedef void (*storage_piece_cb)(void *, uint32_t, int);
typedef void (*storage_closed_cb)(void *);

/*
 * root: the content folder (DIR). seeding: the files are complete in
 * place and are only read. m must outlive the storage.
 */
struct storage	*storage_new(uv_loop_t *, const struct metainfo *, const char *,
		    int);
/*
 * Get ready: a seeder checks its files exist with the right sizes; a
 * receiver loads the resume state and re-hashes what is in doubt. The
 * callback fires once; storage_error() is NULL on success.
 */
void		 storage_start(struct storage *, storage_ready_cb, void *);
/* Before storage_start(): trust no resume record, re-hash every file. */
void		 storage_distrust(struct storage *);
const char	*storage_error(const struct storage *);
const struct bitfield *storage_have(const struct storage *);
/* Bytes of verified pieces, and whether every file is in its place. */
uint64_t	 storage_bytes_have(const struct storage *);
int		 storage_complete(const struct storage *);
/* Called when the last file is in place (receivers). */
void		 storage_set_complete_cb(struct storage *, void (*)(void *),
		    void *);

/*
 * Read len bytes at begin of a piece we have (whole pieces are cached, so
 * a peer's block requests cost one read per piece). The callback gets 0
 * and the bytes (valid during the call) or an errno.
 */
void		 storage_read(struct storage *, uint32_t, uint32_t, uint32_t,
		    storage_read_cb, void *);
/*
 * Check a whole received piece against expect (the v2 piece-layer hash, or
 * the pieces root of a file that fits in one piece) and write it. The
 * storage takes data (from storage_piece_buffer(), piece_size bytes) and
 * frees it.
 */
void		 storage_put_piece(struct storage *, uint32_t, uint8_t *,
		    const uint8_t [32], storage_piece_cb, void *);
/* Bytes of piece p a receiver fetches: file data only in v2. */
uint32_t	 storage_piece_data_size(const struct metainfo *, uint32_t);
/* A buffer for a piece, aligned for direct I/O; release it with free(). */
uint8_t		*storage_piece_buffer(uint32_t);
/* Save the resume state now (coalesced with one in flight). */
void		 storage_save(struct storage *);
/*
 * Before a receiver knows the torrent: if root/.shoal/resume belongs to
 * the torrent with this v2 info-hash, parse its info dict and piece layers
 * into m and return 0; else -1.
 */
int		 storage_peek_resume(const char *, const uint8_t [32],
		    struct metainfo *);
/* Finish in-flight work, save, then free; the callback fires after. */
void		 storage_close(struct storage *, storage_closed_cb, void *);

/* The hash a received piece must match, computed like the sender did. */
void		 storage_piece_hash(const struct metainfo *, uint32_t,
		    const uint8_t *, uint32_t, uint8_t [32]);

#endif
