/*
 * BEP 52 merkle trees against a slow reference written here from the
 * specification: 16 KiB leaves hashed with SHA-256 (the last one short),
 * padded with 32-byte zero leaves to a power of two, reduced in pairs.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "merkle.h"
#include "sha.h"

#define BLOCK	16384

static uint64_t	rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
xorshift(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (rng_state);
}

static uint8_t *
random_data(size_t len)
{
	uint8_t	*p = malloc(len == 0 ? 1 : len);
	size_t	 i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(xorshift() >> 24);
	return (p);
}

static const char *
tohex(const uint8_t *p)
{
	static char	out[65];
	size_t		i;

	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	return (out);
}

/* The reference: the smallest power of two >= n, counted the slow way. */
static size_t
ref_pow2(size_t n)
{
	size_t	p;

	for (p = 1; p < n; p *= 2)
		;
	return (p);
}

/*
 * Root over n leaves padded with copies of pad to width leaves: build the
 * whole bottom layer, then hash 64-byte concatenations until one is left.
 */
static void
ref_root(const uint8_t *leaves, size_t n, size_t width, const uint8_t *pad,
    uint8_t out[32])
{
	uint8_t	*layer = malloc(width * 32), cat[64];
	size_t	 i;

	for (i = 0; i < width; i++)
		memcpy(layer + 32 * i, i < n ? leaves + 32 * i : pad, 32);
	while (width > 1) {
		for (i = 0; i < width / 2; i++) {
			memcpy(cat, layer + 64 * i, 64);
			sha256(cat, 64, layer + 32 * i);
		}
		width /= 2;
	}
	memcpy(out, layer, 32);
	free(layer);
}

/* Leaf hashes of len bytes, one sha256() per block. */
static size_t
ref_leaves(const uint8_t *p, size_t len, uint8_t **out)
{
	size_t	n = (len + BLOCK - 1) / BLOCK, i;

	*out = malloc(n == 0 ? 32 : n * 32);
	for (i = 0; i < n; i++) {
		size_t	chunk = len - i * BLOCK < BLOCK ? len - i * BLOCK :
		    BLOCK;

		sha256(p + i * BLOCK, chunk, *out + 32 * i);
	}
	return (n);
}

/* A file's pieces root per BEP 52: over next_pow2(nblocks) leaves. */
static void
ref_file_root(const uint8_t *p, size_t len, uint8_t out[32])
{
	static const uint8_t	 zero[32];
	uint8_t			*leaves;
	size_t			 n = ref_leaves(p, len, &leaves);

	ref_root(leaves, n, ref_pow2(n), zero, out);
	free(leaves);
}

static void
test_pow2_log2(void)
{
	CHECK_INT(merkle_pow2(0), 1);
	CHECK_INT(merkle_pow2(1), 1);
	CHECK_INT(merkle_pow2(2), 2);
	CHECK_INT(merkle_pow2(3), 4);
	CHECK_INT(merkle_pow2(4), 4);
	CHECK_INT(merkle_pow2(5), 8);
	CHECK_INT(merkle_pow2(1023), 1024);
	CHECK_INT(merkle_pow2(1024), 1024);
	CHECK_INT(merkle_pow2(1025), 2048);
	CHECK_INT(merkle_pow2((1ULL << 40) + 1), 1ULL << 41);
	CHECK_INT(merkle_pow2(1ULL << 62), 1ULL << 62);

	CHECK_INT(merkle_log2(1), 0);
	CHECK_INT(merkle_log2(2), 1);
	CHECK_INT(merkle_log2(4), 2);
	CHECK_INT(merkle_log2(1024), 10);
	CHECK_INT(merkle_log2(8192), 13);	/* 128 MiB / 16 KiB */
	CHECK_INT(merkle_log2(1ULL << 63), 63);
}

static void
test_pad(void)
{
	uint8_t	zero[64], got[32], want[32], leaves[32 * 8];
	unsigned k;

	memset(zero, 0, sizeof zero);
	memset(got, 0xaa, sizeof got);
	merkle_pad(0, got);
	CHECK_MSG(memcmp(got, zero, 32) == 0, "merkle_pad(0) is 32 zero bytes");
	merkle_pad(1, got);
	CHECK_STR(tohex(got), "f5a5fd42d16a20302798ef6ed309979b"
	    "43003d2320d9f0e8ea9831a92759fb4b");
	sha256(zero, 64, want);
	CHECK_MSG(memcmp(got, want, 32) == 0,
	    "merkle_pad(1) is SHA-256 of 64 zero bytes");
	memset(leaves, 0, sizeof leaves);
	for (k = 0; k <= 3; k++) {
		char	what[64];

		merkle_pad(k, got);
		ref_root(leaves, 0, (size_t)1 << k, zero, want);
		snprintf(what, sizeof what, "merkle_pad(%u) is the root of %u "
		    "zero leaves", k, 1U << k);
		CHECK_MSG(memcmp(got, want, 32) == 0, what);
	}
}

static void
test_leaves(void)
{
	static const size_t	 lens[] = { 0, 1, BLOCK - 1, BLOCK, BLOCK + 1,
	    3 * BLOCK, 3 * BLOCK + 17 };
	uint8_t			*data = random_data(3 * BLOCK + 17);
	uint8_t			*want, got[32 * 5];
	size_t			 i, n, wn;

	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		char	what[80];

		memset(got, 0, sizeof got);
		n = merkle_leaves(data, lens[i], got);
		wn = ref_leaves(data, lens[i], &want);
		snprintf(what, sizeof what, "merkle_leaves of %zu bytes: %zu "
		    "leaves, as the reference", lens[i], wn);
		CHECK_MSG(n == wn && (n == 0 || memcmp(got, want, 32 * n) == 0),
		    what);
		free(want);
	}
	/* The last leaf is the hash of the short block, not padded. */
	n = merkle_leaves(data, BLOCK + 1, got);
	sha256(data + BLOCK, 1, got + 64);
	CHECK_INT(n, 2);
	CHECK(memcmp(got + 32, got + 64, 32) == 0);
	free(data);
}

/* Check merkle_root on one file size against the reference. */
static void
check_file(const char *name, const uint8_t *data, size_t len)
{
	static const uint8_t	 zero[32];
	uint8_t			*leaves, *work, got[32], want[32];
	size_t			 n;
	char			 what[128];

	leaves = malloc((len / BLOCK + 2) * 32);
	work = malloc((len / BLOCK + 2) * 32);
	n = merkle_leaves(data, len, leaves);
	ref_file_root(data, len, want);

	merkle_root(leaves, n, merkle_pow2(n), zero, work, got);
	snprintf(what, sizeof what, "%s: root as the reference", name);
	CHECK_MSG(memcmp(got, want, 32) == 0, what);

	/* In place: work may be the input. */
	merkle_root(leaves, n, merkle_pow2(n), zero, leaves, got);
	snprintf(what, sizeof what, "%s: root computed in place", name);
	CHECK_MSG(memcmp(got, want, 32) == 0, what);
	free(leaves);
	free(work);
}

static void
test_file_roots(void)
{
	uint8_t	*data = random_data(9 * 65536 + 1);
	uint8_t	 leaf[32], got[32], zero[32];

	memset(zero, 0, sizeof zero);

	/* One byte: one leaf, and the root is that leaf. */
	check_file("1 byte", data, 1);
	sha256(data, 1, leaf);
	merkle_root(leaf, 1, 1, zero, got, got);
	CHECK_MSG(memcmp(got, leaf, 32) == 0, "one leaf: the root is the leaf");

	/* Exactly one block. */
	check_file("one block", data, BLOCK);
	sha256(data, BLOCK, leaf);
	ref_file_root(data, BLOCK, got);
	CHECK_MSG(memcmp(got, leaf, 32) == 0,
	    "a one-block file's root is the block's hash");

	check_file("one block + 1", data, BLOCK + 1);
	check_file("three blocks", data, 3 * BLOCK);
	check_file("one 64 KiB piece", data, 65536);
	check_file("one 64 KiB piece + 1", data, 65537);
	check_file("five pieces, short last", data, 4 * 65536 + 1000);
	check_file("nine pieces + 1 byte", data, 9 * 65536 + 1);
	free(data);
}

/*
 * A file longer than a piece: its piece layer is the root of each piece's
 * blocks padded with zero leaves to blocks-per-piece, and the root from
 * that layer is the whole file's root.
 */
static void
check_layer(const char *name, const uint8_t *data, size_t len,
    uint32_t piece_length)
{
	static const uint8_t	 zero[32];
	size_t			 bpp = piece_length / BLOCK;
	size_t			 npieces = (len + piece_length - 1) /
				    piece_length;
	uint8_t			*layer = malloc(npieces * 32);
	uint8_t			*leaves = malloc((bpp + 1) * 32);
	uint8_t			*rl, got[32], want[32], pad[32];
	size_t			 i, n, bad = 0;
	char			 what[128];

	for (i = 0; i < npieces; i++) {
		size_t	off = i * piece_length;
		size_t	plen = len - off < piece_length ? len - off :
		    piece_length;

		n = merkle_leaves(data + off, plen, leaves);
		merkle_root(leaves, n, bpp, zero, leaves, layer + 32 * i);
		n = ref_leaves(data + off, plen, &rl);
		ref_root(rl, n, bpp, zero, want);
		free(rl);
		if (memcmp(want, layer + 32 * i, 32) != 0)
			bad++;
	}
	snprintf(what, sizeof what, "%s: %zu piece hashes as the reference",
	    name, npieces);
	CHECK_MSG(bad == 0, what);

	merkle_root_from_layer(layer, npieces, piece_length, got);
	ref_file_root(data, len, want);
	snprintf(what, sizeof what, "%s: root from the piece layer is the "
	    "file's root", name);
	CHECK_MSG(memcmp(got, want, 32) == 0, what);

	/* The same with merkle_root and an explicit pad. */
	merkle_pad(merkle_log2(bpp), pad);
	merkle_root(layer, npieces, merkle_pow2(npieces), pad, layer, got);
	snprintf(what, sizeof what, "%s: merkle_root over the layer with "
	    "pad = root of %zu zero leaves", name, bpp);
	CHECK_MSG(memcmp(got, want, 32) == 0, what);
	free(layer);
	free(leaves);
}

static void
test_layers(void)
{
	uint8_t	*data = random_data(10 * 65536);

	check_layer("one piece + 1 byte, 64 KiB pieces", data, 65537, 65536);
	check_layer("two pieces exactly", data, 2 * 65536, 65536);
	check_layer("three pieces, short last", data, 2 * 65536 + 100, 65536);
	check_layer("five pieces, short last", data, 4 * 65536 + 16385,
	    65536);
	check_layer("ten pieces", data, 10 * 65536, 65536);
	check_layer("16 KiB pieces (pad is a zero leaf)", data, 5 * BLOCK + 3,
	    BLOCK);
	check_layer("128 KiB pieces", data, 3 * 131072 + 1, 131072);
	free(data);
}

/* Padding other than zero, and trees with nothing in them. */
static void
test_odd_cases(void)
{
	uint8_t	in[32 * 3], copy[32 * 3], pad[32], got[32], want[32];
	uint8_t	work[32 * 3], zero[32];
	size_t	i;

	memset(zero, 0, sizeof zero);
	for (i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 13 + 1);
	memcpy(copy, in, sizeof copy);
	memset(pad, 0x5a, sizeof pad);
	merkle_root(in, 3, 8, pad, work, got);
	ref_root(in, 3, 8, pad, want);
	CHECK_MSG(memcmp(got, want, 32) == 0,
	    "3 hashes padded to 8 with a non-zero pad");
	CHECK_MSG(memcmp(in, copy, sizeof in) == 0,
	    "merkle_root leaves the input alone when work is separate");

	/* An empty input: no leaves, a tree that is all padding. */
	CHECK_INT(merkle_leaves(in, 0, work), 0);
	memset(got, 0xff, sizeof got);
	merkle_root(in, 0, 1, zero, work, got);
	CHECK_MSG(memcmp(got, zero, 32) == 0,
	    "an empty tree of width 1 is the pad");
	merkle_root(in, 0, 4, zero, work, got);
	merkle_pad(2, want);
	CHECK_MSG(memcmp(got, want, 32) == 0,
	    "an empty tree of width 4 is merkle_pad(2)");
	merkle_root(in, 0, 2, pad, work, got);
	ref_root(in, 0, 2, pad, want);
	CHECK_MSG(memcmp(got, want, 32) == 0,
	    "an empty tree of width 2 with a non-zero pad");
}

int
main(void)
{
	test_pow2_log2();
	test_pad();
	test_leaves();
	test_file_roots();
	test_layers();
	test_odd_cases();
	return (test_done());
}
