/*
 * Torrent metainfo: BitTorrent v1 (BEP 3), v2 (BEP 52) and hybrid files,
 * parsed as hostile input and written in canonical form.
 *
 * Files are kept in tree order (a depth-first walk with names sorted as raw
 * bytes), each with its offset in the piece space. For v1 and hybrid
 * torrents the BEP 47 pad files are in the list too, flagged
 * MI_ATTR_PAD; in a v2-only torrent the gaps that align every non-empty
 * file to a piece boundary are implicit. Empty directories, which only the
 * v2 file tree can express, are entries flagged MI_ATTR_DIR.
 */
#ifndef SHOAL_METAINFO_H
#define SHOAL_METAINFO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define MI_V1		0x1
#define MI_V2		0x2
#define MI_HYBRID	(MI_V1 | MI_V2)

#define MI_ATTR_PAD	0x01
#define MI_ATTR_EXEC	0x02
#define MI_ATTR_HIDDEN	0x04
#define MI_ATTR_SYMLINK	0x08
#define MI_ATTR_DIR	0x10	/* An empty directory (ours, v2 tree only). */

/* Bounds on what we accept (PROTOCOL.md A5). */
#define MI_MAX_PIECES		(1U << 21)
#define MI_MIN_PIECE_LENGTH	16384U
#define MI_MAX_PIECE_LENGTH	(128U * 1024 * 1024)
#define MI_MAX_INFO_SIZE	(30U * 1024 * 1024)
#define MI_MAX_TORRENT_SIZE	(64U * 1024 * 1024)
#define MI_MAX_FILES		1000000
#define MI_MAX_PATH_DEPTH	64
#define MI_MAX_PATH		4096

struct mi_file {
	char		*path;		/* Relative to the content root, '/'-joined. */
	uint64_t	 length;
	uint64_t	 offset;	/* Where the file starts in the piece space. */
	unsigned	 attr;
	int64_t		 mtime;		/* 0 when the torrent does not say. */
	char		*symlink;	/* MI_ATTR_SYMLINK: target, from the root. */
	int		 has_root;
	uint8_t		 root[32];	/* v2 pieces root (length > 0). */
	uint32_t	 first_piece;	/* Pieces [first_piece, +npieces). */
	uint32_t	 npieces;
	uint8_t		*layer;		/* v2 piece layer (32 * npieces) or NULL. */
};

struct metainfo {
	int		 versions;	/* MI_V1, MI_V2 or both. */
	char		*name;
	int		 single_file;	/* The content is one file named name. */
	uint32_t	 piece_length;
	uint32_t	 npieces;
	uint64_t	 total_size;	/* Bytes of file data, padding excluded. */
	uint64_t	 span;		/* Bytes of the piece space, padding included. */
	struct mi_file	*files;
	size_t		 nfiles;
	uint8_t		*pieces;	/* v1: 20-byte SHA-1 per piece. */
	int		 has_layers;	/* v2: every piece layer is known. */
	int		 is_private;
	char		*ssl_cert;	/* PEM of the CA (libtorrent SSL torrents). */
	char		*comment;
	char		*created_by;
	int64_t		 creation_date;
	char		**trackers;
	size_t		 ntrackers;
	uint8_t		 ih1[20];	/* SHA-1 of the info dict (v1, hybrid). */
	uint8_t		 ih2[32];	/* SHA-256 of the info dict (v2, hybrid). */
	uint8_t		*info;		/* The info dict, exactly as encoded. */
	size_t		 info_len;
};

void	 metainfo_init(struct metainfo *);
void	 metainfo_free(struct metainfo *);

/* Parse a whole .torrent; 0, or -1 with *cause set (caller frees). */
int	 metainfo_parse(struct metainfo *, const uint8_t *, size_t, char **);
/* Parse a bare info dict (from BEP 9 metadata exchange). */
int	 metainfo_parse_info(struct metainfo *, const uint8_t *, size_t,
	    char **);
/* Read and parse a .torrent file; the cause names the file. */
int	 metainfo_load(struct metainfo *, const char *, char **);

/*
 * Lay out files for a new torrent. The caller fills m->files (tree order,
 * no pads; path, length, attr, mtime, symlink), name, piece_length and
 * versions; this inserts pad files for v1, sets offsets, piece ranges,
 * npieces, span and total_size. Returns -1 with *cause if too large.
 */
int	 metainfo_layout(struct metainfo *, char **);
/*
 * Encode a torrent from a laid-out metainfo with its hashes (roots, layers,
 * pieces) filled in. Writes the whole .torrent into out.
 */
int	 metainfo_encode(const struct metainfo *, int, struct buf *, char **);
#define MI_ENCODE_MTIME	0x1	/* Write file mtimes. */

/* A piece length for total bytes: about 1500 pieces, 16 KiB to 16 MiB. */
uint32_t metainfo_auto_piece_length(uint64_t);

/* The magnet link: btmh and btih as available, dn, tr. Caller frees. */
char	*metainfo_magnet(const struct metainfo *);
/* The file holding byte offset off of the piece space (pads count), or NULL. */
const struct mi_file *metainfo_file_at(const struct metainfo *, uint64_t);
/* Bytes of piece index (the last one may be short). */
uint32_t metainfo_piece_size(const struct metainfo *, uint32_t);
/* 1 if the entry is a regular, non-pad file or a symlink (not a dir). */
int	 metainfo_is_content(const struct mi_file *);

#endif
