/*
 * Base32: the RFC 4648 test vectors (section 10, padding dropped), either
 * case, round trips of every length, and every rejection.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "base32.h"

/* A label for one check; each CHECK_MSG prints it at once. */
static const char *
label(const char *fmt, ...)
{
	static char	buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (buf);
}

static const struct {
	const char	*in;
	const char	*out;
} rfc4648[] = {
	{ "", "" },
	{ "f", "MY" },
	{ "fo", "MZXQ" },
	{ "foo", "MZXW6" },
	{ "foob", "MZXW6YQ" },
	{ "fooba", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI" },
};

static void
test_vectors(void)
{
	char	out[32], lower[32];
	uint8_t	dec[32];
	size_t	i, j, n, len;

	for (i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		len = strlen(rfc4648[i].in);
		n = strlen(rfc4648[i].out);
		CHECK_MSG(base32_encoded_len(len) == n,
		    label("encoded length of \"%s\" is %zu", rfc4648[i].in,
		    n));
		base32_encode((const uint8_t *)rfc4648[i].in, len, out);
		CHECK_MSG(strcmp(out, rfc4648[i].out) == 0,
		    label("encode \"%s\" -> \"%s\"", rfc4648[i].in,
		    rfc4648[i].out));
		CHECK_MSG(base32_decoded_len(n) == len,
		    label("decoded length of \"%s\" is %zu", rfc4648[i].out,
		    len));
		memset(dec, 0xaa, sizeof dec);
		CHECK_MSG(base32_decode(rfc4648[i].out, n, dec) == 0 &&
		    memcmp(dec, rfc4648[i].in, len) == 0 && dec[len] == 0xaa,
		    label("decode \"%s\" -> \"%s\", nothing more written",
		    rfc4648[i].out, rfc4648[i].in));
		for (j = 0; j <= n; j++)
			lower[j] = (char)(rfc4648[i].out[j] >= 'A' &&
			    rfc4648[i].out[j] <= 'Z' ? rfc4648[i].out[j] -
			    'A' + 'a' : rfc4648[i].out[j]);
		CHECK_MSG(base32_decode(lower, n, dec) == 0 &&
		    memcmp(dec, rfc4648[i].in, len) == 0,
		    label("decode lower-case \"%s\"", lower));
	}
}

static void
test_alphabet(void)
{
	int	c, n = 0, ok = 1;

	CHECK_STR(base32_alphabet, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
	for (c = 0; c < 32; c++) {
		if (base32_value(base32_alphabet[c]) != c)
			ok = 0;
	}
	CHECK_MSG(ok, "base32_value inverts the alphabet");
	for (c = -128; c < 128; c++) {
		if (base32_value((char)c) >= 0)
			n++;
	}
	CHECK_MSG(n == 26 + 26 + 6,
	    "exactly A-Z, a-z and 2-7 have a value");
	CHECK_INT(base32_value('z'), 25);
	CHECK_INT(base32_value('0'), -1);
	CHECK_INT(base32_value('1'), -1);
	CHECK_INT(base32_value('8'), -1);
	CHECK_INT(base32_value('='), -1);
}

/* Every length from 0 to 64 bytes survives encode + decode. */
static void
test_round_trip(void)
{
	uint8_t		in[64], dec[64];
	char		out[128];
	size_t		len, i;
	uint32_t	x = 12345;
	int		bad = 0;

	for (len = 0; len <= sizeof in; len++) {
		for (i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			in[i] = (uint8_t)(x >> 16);
		}
		base32_encode(in, len, out);
		if (strlen(out) != base32_encoded_len(len) ||
		    base32_decoded_len(strlen(out)) != len ||
		    base32_decode(out, strlen(out), dec) != 0 ||
		    memcmp(in, dec, len) != 0)
			bad++;
	}
	CHECK_MSG(bad == 0, "0 to 64 random bytes round-trip");
	memset(in, 0xff, sizeof in);
	base32_encode(in, 32, out);
	CHECK_STR(out, "777777777777777777777777777777777777777777777777777Q");
	memset(in, 0, sizeof in);
	base32_encode(in, 5, out);
	CHECK_STR(out, "AAAAAAAA");
}

static void
test_reject(void)
{
	static const char *const	 bad_chars[] = {
		"MZXW6YT0", "MZXW6YT1", "MZXW6YT8", "MZXW6YT9", "MZXW6YT=",
		"MZXW6YT ", "MZXW6YT-", "MZXW6YT@", "MZXW6YT[", "MZXW6YT\xc3",
	};
	uint8_t				 dec[16];
	size_t				 i;

	for (i = 0; i < sizeof bad_chars / sizeof bad_chars[0]; i++) {
		CHECK_MSG(base32_decode(bad_chars[i], 8, dec) == -1,
		    label("reject a bad character in \"%s\"", bad_chars[i]));
	}
	/* A NUL inside the given length is a bad character too. */
	CHECK(base32_decode("MZ\0W6YTB", 8, dec) == -1);
	/* Lengths no encoding has: 1, 3 and 6 characters past a group. */
	CHECK(base32_decode("M", 1, dec) == -1);
	CHECK(base32_decode("MZX", 3, dec) == -1);
	CHECK(base32_decode("MZXW6Y", 6, dec) == -1);
	CHECK(base32_decode("MZXW6YTBO", 9, dec) == -1);
	/* Unused low bits must be zero: one text per byte string. */
	CHECK(base32_decode("MY", 2, dec) == 0);
	CHECK(base32_decode("MZ", 2, dec) == -1);
	CHECK(base32_decode("MZXR", 4, dec) == -1);
	CHECK(base32_decode("MZXW7", 5, dec) == -1);
	CHECK(base32_decode("MZXW6YR", 7, dec) == -1);
	CHECK(base32_decode("", 0, dec) == 0);
}

int
main(void)
{
	test_vectors();
	test_alphabet();
	test_round_trip();
	test_reject();
	return (test_done());
}
