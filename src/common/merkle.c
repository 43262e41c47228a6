/*
 * Merkle roots for BEP 52. The tree is never kept whole here; callers hash
 * leaves (or piece-layer hashes) and reduce them layer by layer in place.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "merkle.h"
#include "sha.h"
#include "xmalloc.h"

uint64_t
merkle_pow2(uint64_t n)
{
	uint64_t	p = 1;

	while (p < n)
		p <<= 1;
	return (p);
}

unsigned
merkle_log2(uint64_t n)
{
	unsigned	l = 0;

	while (n > 1) {
		n >>= 1;
		l++;
	}
	return (l);
}

void
merkle_pad(unsigned layers, uint8_t out[MERKLE_HASH])
{
	unsigned	i;

	memset(out, 0, MERKLE_HASH);
	for (i = 0; i < layers; i++)
		sha256_pair(out, out, out);
}

void
merkle_root(const uint8_t *in, size_t n, size_t width,
    const uint8_t pad[MERKLE_HASH], uint8_t *work, uint8_t out[MERKLE_HASH])
{
	uint8_t	padbuf[MERKLE_HASH];
	size_t	i;

	if (n == 0) {
		/* An empty tree of the given width: all padding. */
		memcpy(padbuf, pad, MERKLE_HASH);
		for (; width > 1; width /= 2)
			sha256_pair(padbuf, padbuf, padbuf);
		memcpy(out, padbuf, MERKLE_HASH);
		return;
	}
	if (work != in)
		memmove(work, in, n * MERKLE_HASH);
	memcpy(padbuf, pad, MERKLE_HASH);
	while (width > 1) {
		size_t	m = (n + 1) / 2;

		for (i = 0; i < m; i++) {
			const uint8_t	*l = work + 2 * i * MERKLE_HASH;
			const uint8_t	*r = 2 * i + 1 < n ?
			    work + (2 * i + 1) * MERKLE_HASH : padbuf;

			sha256_pair(l, r, work + i * MERKLE_HASH);
		}
		/* The padding of the next layer up is this layer's pair. */
		sha256_pair(padbuf, padbuf, padbuf);
		n = m;
		width /= 2;
	}
	memcpy(out, work, MERKLE_HASH);
}

size_t
merkle_leaves(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t	n = 0, off;

	for (off = 0; off < len; off += MERKLE_BLOCK) {
		size_t	chunk = len - off < MERKLE_BLOCK ? len - off :
		    MERKLE_BLOCK;

		sha256(p + off, chunk, out + n * MERKLE_HASH);
		n++;
	}
	return (n);
}

void
merkle_root_from_layer(const uint8_t *layer, size_t npieces,
    uint32_t piece_length, uint8_t out[MERKLE_HASH])
{
	uint8_t	 pad[MERKLE_HASH];
	uint8_t	*work;

	merkle_pad(merkle_log2(piece_length / MERKLE_BLOCK), pad);
	work = xreallocarray(NULL, npieces == 0 ? 1 : npieces, MERKLE_HASH);
	merkle_root(layer, npieces, merkle_pow2(npieces), pad, work, out);
	free(work);
}

/*
 * Hash requests. A request names a range of count hashes at a base layer;
 * the reply adds, for each layer from the range's own subtree root up to
 * proof_layers above the base, the sibling of the range's ancestor there
 * (the "uncles"), so the receiver can hash its way to the file's root.
 */

/* Layers above the leaves of a file of nblocks 16 KiB blocks. */
unsigned
merkle_height(uint64_t nblocks)
{
	return (merkle_log2(merkle_pow2(nblocks)));
}

/*
 * Build the layers of a tree from n hashes at layer base up to the root.
 * The tree owns its memory; merkle_tree_destroy() releases it.
 */
int
merkle_tree_init(struct merkle_tree *t, unsigned base, const uint8_t *hashes,
    size_t n)
{
	uint8_t		 pad[MERKLE_HASH];
	uint8_t		*all;
	size_t		 w, i, j;
	unsigned	 nlayers;

	memset(t, 0, sizeof *t);
	if (n == 0 || n > SIZE_MAX / 4 / MERKLE_HASH)
		return (-1);
	t->base = base;
	t->width = (size_t)merkle_pow2(n);
	nlayers = merkle_log2(t->width) + 1;
	t->height = base + nlayers - 1;
	t->layers = xreallocarray(NULL, nlayers, sizeof *t->layers);

	/* One allocation: 2 * width - 1 hashes across all the layers. */
	all = xreallocarray(NULL, 2 * t->width - 1, MERKLE_HASH);
	for (i = 0, w = t->width; i < nlayers; i++, w /= 2) {
		t->layers[i] = all;
		all += w * MERKLE_HASH;
	}

	merkle_pad(base, pad);
	memcpy(t->layers[0], hashes, n * MERKLE_HASH);
	for (j = n; j < t->width; j++)
		memcpy(t->layers[0] + j * MERKLE_HASH, pad, MERKLE_HASH);
	for (i = 1, w = t->width / 2; i < nlayers; i++, w /= 2) {
		for (j = 0; j < w; j++)
			sha256_pair(t->layers[i - 1] + 2 * j * MERKLE_HASH,
			    t->layers[i - 1] + (2 * j + 1) * MERKLE_HASH,
			    t->layers[i] + j * MERKLE_HASH);
	}
	return (0);
}

/* Release a tree's layers. */
void
merkle_tree_destroy(struct merkle_tree *t)
{
	if (t->layers != NULL)
		free(t->layers[0]);
	free(t->layers);
	memset(t, 0, sizeof *t);
}

/* The root of a tree (owned by the tree). */
const uint8_t *
merkle_tree_root(const struct merkle_tree *t)
{
	return (t->layers[t->height - t->base]);
}

/*
 * How many uncle hashes a hashes reply carries: the range's own subtree
 * stands for log2(count) - 1 of the proof layers. For count 1, which the
 * BEP forbids but libtorrent's receiver accepts, that is proof_layers + 1.
 */
uint32_t
merkle_proof_uncles(uint32_t count, uint32_t proof_layers)
{
	int64_t	n;

	n = (int64_t)proof_layers - ((int64_t)merkle_log2(count) - 1);
	return (n > 0 ? (uint32_t)(n > UINT32_MAX ? UINT32_MAX : n) : 0);
}

/* 1 if count is a power of two >= 2 and at most MERKLE_MAX_REQUEST. */
static int
merkle_count_ok(uint32_t count)
{
	return (count >= 2 && count <= MERKLE_MAX_REQUEST &&
	    (count & (count - 1)) == 0);
}

/*
 * Append the reply to a hash request: the count hashes at layer base from
 * index, then the uncles, lowest layer first. Returns -1 (nothing
 * appended) for a request that must get a hash reject: a count that is not
 * a power of two in [2, 8192], an index not a multiple of count, a base
 * layer below the tree's or at its root, a range past the padded layer, or
 * more proof layers than lie between the base and the root.
 */
int
merkle_tree_proof(const struct merkle_tree *t, uint32_t base, uint32_t index,
    uint32_t count, uint32_t proof_layers, struct buf *out)
{
	uint64_t	width;
	uint32_t	nuncles, j, node;
	unsigned	k, l;

	if (!merkle_count_ok(count) || index % count != 0)
		return (-1);
	if (base < t->base || base >= t->height)
		return (-1);
	width = (uint64_t)t->width >> (base - t->base);
	if ((uint64_t)index + count > width)
		return (-1);
	if (proof_layers >= t->height - base)
		return (-1);

	l = base - t->base;
	buf_add(out, t->layers[l] + (size_t)index * MERKLE_HASH,
	    (size_t)count * MERKLE_HASH);

	/* The first uncle is the sibling of the range's subtree root. */
	k = merkle_log2(count);
	nuncles = merkle_proof_uncles(count, proof_layers);
	node = index >> k;
	for (j = 0; j < nuncles; j++) {
		buf_add(out, t->layers[l + k + j] +
		    (size_t)(node ^ 1) * MERKLE_HASH, MERKLE_HASH);
		node >>= 1;
	}
	return (0);
}

/*
 * Verify a hashes reply for a file whose tree has its root at layer
 * height (merkle_height() of its block count). The proof must reach the
 * root: we hold no inner nodes to stop at. Without the height check, a
 * peer could pass off the root's two children as any two leaves.
 */
int
merkle_proof_verify(const uint8_t root[MERKLE_HASH], unsigned height,
    uint32_t base, uint32_t index, uint32_t count, uint32_t proof_layers,
    const uint8_t *hashes, size_t nhashes, char **cause)
{
	uint8_t		*work, node[MERKLE_HASH];
	uint32_t	 nuncles, j, pos;
	size_t		 n, i;
	unsigned	 k;

	if (!merkle_count_ok(count))
		return (xfail(cause, "hashes reply has count %u, not a "
		    "power of two from 2 to %u", count, MERKLE_MAX_REQUEST));
	if (index % count != 0)
		return (xfail(cause, "hashes reply index %u is not a "
		    "multiple of its count %u", index, count));
	if (height > 62 || base >= height)
		return (xfail(cause, "hashes reply base layer %u is not "
		    "below the root at layer %u", base, height));
	if ((uint64_t)index + count > (uint64_t)1 << (height - base))
		return (xfail(cause, "hashes reply range %u+%u is past "
		    "the %llu hashes of layer %u", index, count,
		    (unsigned long long)1 << (height - base), base));
	if (proof_layers >= height - base)
		return (xfail(cause, "hashes reply has %u proof layers, "
		    "more than the %u below the root", proof_layers,
		    height - base - 1));
	k = merkle_log2(count);
	nuncles = merkle_proof_uncles(count, proof_layers);
	if (nhashes != (size_t)count + nuncles)
		return (xfail(cause, "hashes reply carries %zu hashes, "
		    "not %u", nhashes, count + nuncles));
	if (base + k + nuncles != height)
		return (xfail(cause, "hashes reply stops at layer %u, "
		    "below the root at layer %u", base + k + nuncles, height));

	/* Hash the range up to its subtree root. */
	work = xreallocarray(NULL, count / 2, MERKLE_HASH);
	for (i = 0; i < count / 2; i++)
		sha256_pair(hashes + 2 * i * MERKLE_HASH,
		    hashes + (2 * i + 1) * MERKLE_HASH, work + i * MERKLE_HASH);
	for (n = count / 2; n > 1; n /= 2) {
		for (i = 0; i < n / 2; i++)
			sha256_pair(work + 2 * i * MERKLE_HASH,
			    work + (2 * i + 1) * MERKLE_HASH,
			    work + i * MERKLE_HASH);
	}
	memcpy(node, work, MERKLE_HASH);
	free(work);

	/* Then climb with the uncles: our side decides the order. */
	pos = index >> k;
	for (j = 0; j < nuncles; j++) {
		const uint8_t	*u = hashes + ((size_t)count + j) * MERKLE_HASH;

		if (pos & 1)
			sha256_pair(u, node, node);
		else
			sha256_pair(node, u, node);
		pos >>= 1;
	}
	if (memcmp(node, root, MERKLE_HASH) != 0)
		return (xfail(cause, "hashes for layer %u from %u do "
		    "not hash up to the file's root", base, index));
	return (0);
}
