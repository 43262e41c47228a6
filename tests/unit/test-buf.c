/* Growable byte buffers: appending, formatting, consuming, handing off. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "buf.h"

static void
test_add(void)
{
	struct buf	b;
	size_t		i;
	int		ok;

	buf_init(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	/* An empty buffer is still a valid empty string. */
	CHECK_STR(buf_cstr(&b), "");
	CHECK_INT(b.len, 0);

	buf_add(&b, "abc", 3);
	buf_add_byte(&b, '-');
	buf_add_str(&b, "xyz");
	buf_add(&b, "ignored", 0);
	CHECK_INT(b.len, 7);
	CHECK_STR(buf_cstr(&b), "abc-xyz");
	CHECK(b.cap > b.len);

	/* Binary data with NUL bytes keeps its length. */
	buf_add(&b, "\0\xff\0", 3);
	CHECK_INT(b.len, 10);
	CHECK(memcmp(b.data, "abc-xyz\0\xff\0", 10) == 0);

	/* Growth far past the first allocation keeps every byte. */
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_cstr(&b), "");
	for (i = 0; i < 100000; i++)
		buf_add_byte(&b, (uint8_t)(i % 251));
	CHECK_INT(b.len, 100000);
	for (i = 0, ok = 1; i < 100000; i++)
		ok = ok && b.data[i] == (uint8_t)(i % 251);
	CHECK_MSG(ok, "100000 single-byte appends are all kept in order");
	buf_destroy(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

static void
test_addf(void)
{
	struct buf	 b;
	char		 want[512];
	char		 longs[300];

	buf_init(&b);
	buf_addf(&b, "%d-%s-%zu", -5, "x", (size_t)7);
	CHECK_STR(buf_cstr(&b), "-5-x-7");
	CHECK_INT(b.len, 6);
	buf_addf(&b, "%s", "");
	CHECK_INT(b.len, 6);

	/* Longer than the buffer's room: the formatter must grow it. */
	memset(longs, 'q', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	buf_addf(&b, "[%s]", longs);
	snprintf(want, sizeof want, "-5-x-7[%s]", longs);
	CHECK_STR(buf_cstr(&b), want);
	CHECK_INT(b.len, 6 + 2 + 299);
	CHECK_INT(b.data[b.len], '\0');
	buf_destroy(&b);
}

static void
test_big_endian(void)
{
	struct buf	b;

	buf_init(&b);
	buf_add_u32be(&b, 0x01020304);
	buf_add_u32be(&b, 0xfffffffe);
	buf_add_u64be(&b, 0x1122334455667788ULL);
	CHECK_INT(b.len, 16);
	CHECK(memcmp(b.data, "\x01\x02\x03\x04\xff\xff\xff\xfe"
	    "\x11\x22\x33\x44\x55\x66\x77\x88", 16) == 0);
	buf_reset(&b);
	buf_add_u32be(&b, 0);
	buf_add_u64be(&b, UINT64_MAX);
	CHECK_INT(b.len, 12);
	CHECK(memcmp(b.data, "\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff",
	    12) == 0);
	buf_destroy(&b);
}

static void
test_consume(void)
{
	struct buf	b;

	buf_init(&b);
	buf_add_str(&b, "0123456789");
	buf_consume(&b, 3);
	CHECK_INT(b.len, 7);
	CHECK_STR(buf_cstr(&b), "3456789");
	buf_consume(&b, 0);
	CHECK_STR(buf_cstr(&b), "3456789");
	buf_consume(&b, 6);
	CHECK_STR(buf_cstr(&b), "9");
	/* More than there is empties it. */
	buf_consume(&b, 100);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_cstr(&b), "");
	/* The buffer is usable afterwards. */
	buf_add_str(&b, "again");
	CHECK_STR(buf_cstr(&b), "again");
	buf_destroy(&b);

	/* Consuming from a never-used buffer is harmless. */
	buf_init(&b);
	buf_consume(&b, 5);
	CHECK_INT(b.len, 0);
	buf_destroy(&b);
}

static void
test_reserve_steal(void)
{
	struct buf	 b;
	uint8_t		*p, *data, fill[1000];
	size_t		 len, cap;

	buf_init(&b);
	buf_reserve(&b, 1000);
	CHECK(b.cap >= 1001);
	CHECK_INT(b.len, 0);
	data = b.data;
	cap = b.cap;
	/* Filling the reserved room does not move the data. */
	memset(fill, 'z', sizeof fill);
	buf_add(&b, fill, sizeof fill);
	CHECK(b.data == data && b.cap == cap);
	CHECK(b.len == 1000 && b.data[999] == 'z' && b.data[1000] == '\0');
	buf_reset(&b);
	CHECK(b.cap == cap);

	buf_add_str(&b, "hello");
	p = buf_steal(&b, &len);
	CHECK_INT(len, 5);
	CHECK_STR((char *)p, "hello");
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	free(p);

	/* Stealing an empty buffer gives an empty string, not NULL. */
	p = buf_steal(&b, &len);
	CHECK(p != NULL);
	CHECK_INT(len, 0);
	CHECK_INT(p[0], '\0');
	free(p);
	p = buf_steal(&b, NULL);
	CHECK(p != NULL && p[0] == '\0');
	free(p);
}

int
main(void)
{
	test_add();
	test_addf();
	test_big_endian();
	test_consume();
	test_reserve_steal();
	return (test_done());
}
