/*
 * Bitfields as the wire has them (piece 0 is the top bit of byte 0): set,
 * clear, counts, set_all keeping spare bits zero, loading from the wire.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "bitfield.h"

/* The pieces as '1' and '0', piece 0 first. */
static const char *
bits_str(const struct bitfield *bf)
{
	static char	out[64];
	uint32_t	i;

	for (i = 0; i < bf->n && i < sizeof out - 1; i++)
		out[i] = bitfield_get(bf, i) ? '1' : '0';
	out[i] = '\0';
	return (out);
}

static void
test_basic(void)
{
	struct bitfield	bf;
	uint32_t	i, n;

	bitfield_init(&bf, 20);
	CHECK_INT(bf.n, 20);
	CHECK_INT(bitfield_bytes(&bf), 3);
	CHECK_INT(bf.count, 0);
	CHECK(!bitfield_complete(&bf));
	for (i = 0, n = 0; i < 20; i++)
		n += (uint32_t)bitfield_get(&bf, i);
	CHECK_INT(n, 0);

	/* Most significant bit first. */
	CHECK_INT(bitfield_set(&bf, 0), 1);
	CHECK_INT(bf.bits[0], 0x80);
	CHECK_INT(bitfield_set(&bf, 9), 1);
	CHECK_INT(bf.bits[1], 0x40);
	CHECK_INT(bitfield_set(&bf, 7), 1);
	CHECK_INT(bf.bits[0], 0x81);
	CHECK_INT(bitfield_set(&bf, 19), 1);
	CHECK_INT(bf.bits[2], 0x10);
	CHECK_INT(bf.count, 4);
	CHECK_STR(bits_str(&bf), "10000001010000000001");
	CHECK_INT(bitfield_get(&bf, 0), 1);
	CHECK_INT(bitfield_get(&bf, 1), 0);
	CHECK_INT(bitfield_get(&bf, 9), 1);
	CHECK_INT(bitfield_get(&bf, 19), 1);

	/* Setting a set bit changes nothing, and says so. */
	CHECK_INT(bitfield_set(&bf, 9), 0);
	CHECK_INT(bf.count, 4);
	/* Out of range: not set, not counted, read as 0. */
	CHECK_INT(bitfield_set(&bf, 20), 0);
	CHECK_INT(bitfield_set(&bf, UINT32_MAX), 0);
	CHECK_INT(bitfield_get(&bf, 20), 0);
	CHECK_INT(bitfield_clear(&bf, 20), 0);
	CHECK_INT(bf.count, 4);
	CHECK_INT(bf.bits[2], 0x10);

	CHECK_INT(bitfield_clear(&bf, 9), 1);
	CHECK_INT(bitfield_clear(&bf, 9), 0);
	CHECK_INT(bitfield_get(&bf, 9), 0);
	CHECK_INT(bf.bits[1], 0);
	CHECK_INT(bf.count, 3);

	for (i = 0; i < 20; i++)
		bitfield_set(&bf, i);
	CHECK_INT(bf.count, 20);
	CHECK(bitfield_complete(&bf));
	CHECK_INT(bf.bits[2], 0xf0);
	bitfield_clear(&bf, 5);
	CHECK(!bitfield_complete(&bf));

	bitfield_clear_all(&bf);
	CHECK_INT(bf.count, 0);
	CHECK(bf.bits[0] == 0 && bf.bits[1] == 0 && bf.bits[2] == 0);
	bitfield_destroy(&bf);
	CHECK(bf.bits == NULL && bf.n == 0);
}

/* set_all on various sizes: exact bytes, spare bits zero. */
static void
test_set_all(void)
{
	static const struct {
		uint32_t	 n;
		size_t		 bytes;
		uint8_t		 last;
	} t[] = {
		{ 0, 0, 0 },
		{ 1, 1, 0x80 },
		{ 7, 1, 0xfe },
		{ 8, 1, 0xff },
		{ 9, 2, 0x80 },
		{ 1000, 125, 0xff },
		{ 1001, 126, 0x80 },
		{ 1007, 126, 0xfe },
	};
	struct bitfield	bf;
	size_t		i, j;
	char		what[96];

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int	ok;

		bitfield_init(&bf, t[i].n);
		bitfield_set_all(&bf);
		ok = bitfield_bytes(&bf) == t[i].bytes &&
		    bf.count == t[i].n && bitfield_complete(&bf);
		for (j = 0; j + 1 < t[i].bytes; j++)
			ok = ok && bf.bits[j] == 0xff;
		if (t[i].bytes > 0)
			ok = ok && bf.bits[t[i].bytes - 1] == t[i].last;
		snprintf(what, sizeof what, "set_all on %u pieces: %zu bytes, "
		    "last 0x%02x, count %u", t[i].n, t[i].bytes, t[i].last,
		    t[i].n);
		CHECK_MSG(ok, what);
		/* Spare bits stay unreachable. */
		CHECK_INT(bitfield_get(&bf, t[i].n), 0);
		CHECK_INT(bitfield_set(&bf, t[i].n), 0);
		CHECK_INT(bf.count, t[i].n);
		bitfield_destroy(&bf);
	}
}

static void
test_load(void)
{
	struct bitfield	bf;
	uint8_t		wire[4];

	bitfield_init(&bf, 9);
	bitfield_set(&bf, 3);

	/* Wrong lengths. */
	wire[0] = 0xff;
	wire[1] = 0x80;
	CHECK_INT(bitfield_load(&bf, wire, 1), -1);
	CHECK_INT(bitfield_load(&bf, wire, 3), -1);
	CHECK_INT(bitfield_load(&bf, wire, 0), -1);
	/* A failed load leaves the bitfield as it was. */
	CHECK_INT(bf.count, 1);
	CHECK_INT(bitfield_get(&bf, 3), 1);
	CHECK_INT(bitfield_get(&bf, 0), 0);

	/* Spare bits set: each of the 7 spare bits is refused. */
	wire[1] = 0x40;
	CHECK_INT(bitfield_load(&bf, wire, 2), -1);
	wire[1] = 0x01;
	CHECK_INT(bitfield_load(&bf, wire, 2), -1);
	wire[1] = 0x81;
	CHECK_INT(bitfield_load(&bf, wire, 2), -1);
	CHECK_INT(bf.count, 1);
	CHECK_INT(bf.bits[0], 0x10);

	/* A good load replaces contents and count. */
	wire[0] = 0xa5;
	wire[1] = 0x80;
	CHECK_INT(bitfield_load(&bf, wire, 2), 0);
	CHECK_STR(bits_str(&bf), "101001011");
	CHECK_INT(bf.count, 5);
	CHECK_INT(bitfield_get(&bf, 0), 1);
	CHECK_INT(bitfield_get(&bf, 1), 0);
	CHECK_INT(bitfield_get(&bf, 2), 1);
	CHECK_INT(bitfield_get(&bf, 3), 0);
	CHECK_INT(bitfield_get(&bf, 7), 1);
	CHECK_INT(bitfield_get(&bf, 8), 1);
	CHECK(!bitfield_complete(&bf));
	wire[0] = 0xff;
	CHECK_INT(bitfield_load(&bf, wire, 2), 0);
	CHECK(bitfield_complete(&bf));
	wire[0] = 0;
	wire[1] = 0;
	CHECK_INT(bitfield_load(&bf, wire, 2), 0);
	CHECK_INT(bf.count, 0);
	bitfield_destroy(&bf);

	/* A multiple of 8 has no spare bits to check. */
	bitfield_init(&bf, 16);
	wire[0] = 0xff;
	wire[1] = 0xff;
	CHECK_INT(bitfield_load(&bf, wire, 2), 0);
	CHECK_INT(bf.count, 16);
	CHECK(bitfield_complete(&bf));
	bitfield_destroy(&bf);

	/* No pieces: only an empty load fits. */
	bitfield_init(&bf, 0);
	CHECK_INT(bitfield_load(&bf, wire, 1), -1);
	CHECK_INT(bitfield_load(&bf, wire, 0), 0);
	CHECK_INT(bf.count, 0);
	CHECK(bitfield_complete(&bf));
	bitfield_destroy(&bf);
}

static void
test_count_range(void)
{
	struct bitfield	bf;
	uint32_t	i;

	bitfield_init(&bf, 100);
	for (i = 0; i < 100; i += 3)
		bitfield_set(&bf, i);		/* 0, 3, ..., 99: 34 bits. */
	CHECK_INT(bf.count, 34);
	CHECK_INT(bitfield_count_range(&bf, 0, 100), 34);
	CHECK_INT(bitfield_count_range(&bf, 0, 0), 0);
	CHECK_INT(bitfield_count_range(&bf, 0, 1), 1);
	CHECK_INT(bitfield_count_range(&bf, 1, 2), 0);
	CHECK_INT(bitfield_count_range(&bf, 1, 3), 1);
	CHECK_INT(bitfield_count_range(&bf, 6, 10), 4);	/* 6 9 12 15 */
	CHECK_INT(bitfield_count_range(&bf, 7, 9), 3);	/* 9 12 15 */
	CHECK_INT(bitfield_count_range(&bf, 99, 1), 1);
	/* Ranges past the end are cut at the end. */
	CHECK_INT(bitfield_count_range(&bf, 90, 50), 4);	/* 90..99 */
	CHECK_INT(bitfield_count_range(&bf, 100, 5), 0);
	CHECK_INT(bitfield_count_range(&bf, 1000, 5), 0);
	/* A length that reaches past 2^32 still means "to the end". */
	CHECK_INT(bitfield_count_range(&bf, 1, UINT32_MAX), 33);
	CHECK_INT(bitfield_count_range(&bf, 0, UINT32_MAX), 34);
	bitfield_destroy(&bf);
}

int
main(void)
{
	test_basic();
	test_set_all();
	test_load();
	test_count_range();
	return (test_done());
}
