/*
 * Bencoding (BEP 3). The decoder is strict by default: canonical integers
 * and string lengths, dictionary keys sorted as raw bytes and unique, no
 * trailing bytes. Every value keeps the span of input bytes it came from,
 * so an info-hash is taken over the exact bytes in the file. Limits bound
 * depth, node count, string length and total size; an error carries the
 * byte offset where the input went wrong.
 *
 * The encoder writes canonical form only: integers and strings as they are,
 * and dictionaries whose keys the caller gives in sorted order (checked).
 */
#ifndef SHOAL_BENCODE_H
#define SHOAL_BENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum benc_type {
	BENC_INT,
	BENC_STR,
	BENC_LIST,
	BENC_DICT
};

/*
 * A decoded value. Values live in one array in document order; a list's
 * items (a dictionary's keys and values, alternating) follow it directly,
 * and benc_next() skips a whole subtree.
 */
struct benc {
	enum benc_type	 type;
	uint32_t	 count;		/* List items or dictionary pairs. */
	uint32_t	 nodes;		/* Values in this subtree, itself included. */
	size_t		 off;		/* Span of the encoded value in the input. */
	size_t		 len;
	int64_t		 i;		/* BENC_INT */
	const uint8_t	*s;		/* BENC_STR: points into the input. */
	size_t		 slen;
};

struct benc_limits {
	unsigned	max_depth;	/* Nesting of lists and dictionaries. */
	size_t		max_nodes;	/* Values in the whole document. */
	size_t		max_str;	/* Bytes in one string. */
	size_t		max_size;	/* Bytes of input. */
};

/* The limits of PROTOCOL.md A5, for .torrent files and messages. */
extern const struct benc_limits benc_default_limits;

/* Flags for benc_decode(). */
#define BENC_ALLOW_TRAILING	0x1	/* Stop after one value (ut_metadata data). */
#define BENC_LENIENT		0x2	/* Accept unsorted keys (legacy v1 files). */

struct benc_doc {
	struct benc	*v;		/* v[0] is the root. */
	size_t		 n;
	size_t		 cap;
	const uint8_t	*input;
	size_t		 consumed;	/* Bytes the top value used. */
	int		 soft_errors;	/* BENC_LENIENT: unsorted keys were seen. */
};

int	 benc_decode(struct benc_doc *, const void *, size_t,
	    const struct benc_limits *, int, char **);
void	 benc_doc_free(struct benc_doc *);

const struct benc *benc_root(const struct benc_doc *);
const struct benc *benc_next(const struct benc *);
const struct benc *benc_first(const struct benc *);
const struct benc *benc_dict_get(const struct benc *, const char *);
const struct benc *benc_dict_getn(const struct benc *, const void *, size_t);
const struct benc *benc_dict_get_type(const struct benc *, const char *,
	    enum benc_type);
int	 benc_str_eq(const struct benc *, const char *);

/* The canonical encoder. One level per open list or dictionary. */
struct benc_level {
	int	 is_dict;
	int	 want_key;	/* In a dict: the next item is a key. */
	int	 have_last;
	size_t	 last_off;	/* The last key written, for the order check. */
	size_t	 last_len;
};

struct benc_writer {
	struct buf		*out;
	unsigned		 depth;
	int			 error;	/* Misuse: keys out of order, etc. */
	unsigned		 values; /* Complete values at the top level. */
	struct benc_level	 stack[64];
};

void	 benc_writer_init(struct benc_writer *, struct buf *);
void	 benc_put_int(struct benc_writer *, int64_t);
void	 benc_put_str(struct benc_writer *, const void *, size_t);
void	 benc_put_cstr(struct benc_writer *, const char *);
void	 benc_put_key(struct benc_writer *, const char *);
void	 benc_put_keyn(struct benc_writer *, const void *, size_t);
void	 benc_put_raw(struct benc_writer *, const void *, size_t);
void	 benc_open_list(struct benc_writer *);
void	 benc_open_dict(struct benc_writer *);
void	 benc_close(struct benc_writer *);
int	 benc_writer_finish(struct benc_writer *);

#endif
