/*
 * BEP 52 merkle trees: SHA-256 over 16 KiB blocks, padded to a power of
 * two with zero hashes. A padding leaf is 32 zero bytes; a padding node
 * higher up is the root of a subtree of zero leaves.
 */
#ifndef SHOAL_MERKLE_H
#define SHOAL_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_BLOCK	16384
#define MERKLE_HASH	32

/* The smallest power of two >= n (1 for n <= 1). */
uint64_t	merkle_pow2(uint64_t);
/* log2 of a power of two. */
unsigned	merkle_log2(uint64_t);
/* Root of a subtree of 2^layers zero leaves (layers = 0: 32 zero bytes). */
void		merkle_pad(unsigned, uint8_t [MERKLE_HASH]);
/*
 * Root over n hashes padded to width (a power of two >= n) with pad.
 * work must hold n hashes; it is overwritten (it may be the input).
 */
void		merkle_root(const uint8_t *, size_t, size_t,
		    const uint8_t [MERKLE_HASH], uint8_t *, uint8_t [MERKLE_HASH]);
/* Hash len bytes as 16 KiB leaves into out (ceil(len / 16 KiB) hashes). */
size_t		merkle_leaves(const uint8_t *, size_t, uint8_t *);
/*
 * A file's pieces root from its piece-layer hashes: npieces hashes padded
 * to a power of two with the root of (piece_length / 16 KiB) zero leaves.
 */
void		merkle_root_from_layer(const uint8_t *, size_t, uint32_t,
		    uint8_t [MERKLE_HASH]);

/*
 * BEP 52 hash requests and replies. A struct merkle_tree holds every layer
 * of one file's tree from a base layer up to the root, each padded to its
 * full width: built from the piece layer (base = log2(piece length / 16
 * KiB)) it answers requests for that layer and above; built from the leaf
 * layer (base 0) it answers them all. Layers are counted up from the 16 KiB
 * leaves; the root is at layer height.
 */
struct buf;

struct merkle_tree {
	unsigned	  base;		/* Layer of layers[0]. */
	unsigned	  height;	/* Layer of the root. */
	size_t		  width;	/* Hashes in layers[0]: a power of 2. */
	uint8_t		**layers;	/* layers[i]: width >> i hashes. */
};

/* The most hashes one request may ask for (libtorrent's bound). */
#define MERKLE_MAX_REQUEST	8192

/* Layers above the leaves of a file of nblocks 16 KiB blocks. */
unsigned	merkle_height(uint64_t);
/*
 * Build a tree over n >= 1 hashes at layer base, padded to a power of two
 * with merkle_pad(base). Returns -1 if n is 0. For a file of one piece,
 * whose root is not its padded piece hash, build from the leaves.
 */
int		merkle_tree_init(struct merkle_tree *, unsigned,
		    const uint8_t *, size_t);
void		merkle_tree_destroy(struct merkle_tree *);
const uint8_t	*merkle_tree_root(const struct merkle_tree *);
/* Uncle hashes in a reply: max(0, proof_layers - (log2(count) - 1)). */
uint32_t	merkle_proof_uncles(uint32_t, uint32_t);
/*
 * Answer a hash request (base, index, count, proof_layers): append the
 * count hashes, then the uncles from the lowest layer up, to a buffer.
 * Returns -1, appending nothing, for a request to reject.
 */
int		merkle_tree_proof(const struct merkle_tree *, uint32_t,
		    uint32_t, uint32_t, uint32_t, struct buf *);
/*
 * Check a hashes reply against a file's root and tree height: the first
 * count of the nhashes hashes are verified on success (0). Returns -1
 * with *cause if the reply is malformed or does not hash up to the root.
 */
int		merkle_proof_verify(const uint8_t [MERKLE_HASH], unsigned,
		    uint32_t, uint32_t, uint32_t, uint32_t, const uint8_t *,
		    size_t, char **);

#endif
