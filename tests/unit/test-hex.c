/* Hexadecimal: lower-case encoding, decoding of either case, rejections. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "hex.h"

static void
test_encode(void)
{
	static const uint8_t	in[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char			out[2 * sizeof in + 1];

	memset(out, 'X', sizeof out);
	hex_encode(in, sizeof in, out);
	CHECK_STR(out, "00017f80abff");
	memset(out, 'X', sizeof out);
	hex_encode(in, 0, out);
	CHECK_STR(out, "");
	hex_encode(in + 4, 1, out);
	CHECK_STR(out, "ab");
}

static void
test_decode(void)
{
	uint8_t	out[8];

	memset(out, 0xee, sizeof out);
	CHECK_INT(hex_decode("00017f80abff", 6, out), 0);
	CHECK(memcmp(out, "\x00\x01\x7f\x80\xab\xff", 6) == 0);
	CHECK_INT(out[6], 0xee);		/* Nothing past len bytes. */

	/* Upper case and mixed case. */
	CHECK_INT(hex_decode("ABcdEf", 3, out), 0);
	CHECK(memcmp(out, "\xab\xcd\xef", 3) == 0);

	/* Only len bytes are read: trailing text is not looked at. */
	CHECK_INT(hex_decode("12zz", 1, out), 0);
	CHECK_INT(out[0], 0x12);
	CHECK_INT(hex_decode("", 0, out), 0);

	/* Anything that is not a hex digit, in either nibble. */
	CHECK_INT(hex_decode("0g", 1, out), -1);
	CHECK_INT(hex_decode("g0", 1, out), -1);
	CHECK_INT(hex_decode("zz", 1, out), -1);
	CHECK_INT(hex_decode(" 1", 1, out), -1);
	CHECK_INT(hex_decode("1 ", 1, out), -1);
	CHECK_INT(hex_decode("0x", 1, out), -1);
	CHECK_INT(hex_decode("-1", 1, out), -1);
	CHECK_INT(hex_decode("aa:b", 2, out), -1);
	CHECK_INT(hex_decode("1\0", 1, out), -1);
	/* The characters either side of the digit ranges. */
	CHECK_INT(hex_decode("/0", 1, out), -1);
	CHECK_INT(hex_decode(":0", 1, out), -1);
	CHECK_INT(hex_decode("@0", 1, out), -1);
	CHECK_INT(hex_decode("G0", 1, out), -1);
	CHECK_INT(hex_decode("`0", 1, out), -1);
}

static void
test_round_trip(void)
{
	uint8_t	all[256], back[256];
	char	hex[513];
	int	i, bad = 0;

	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	hex_encode(all, 256, hex);
	CHECK_INT(strlen(hex), 512);
	CHECK(strncmp(hex, "000102", 6) == 0 &&
	    strcmp(hex + 506, "fdfeff") == 0);
	CHECK_INT(hex_decode(hex, 256, back), 0);
	CHECK(memcmp(all, back, 256) == 0);
	for (i = 0; hex[i] != '\0'; i++) {
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f')))
			bad++;
	}
	CHECK_MSG(bad == 0, "encoding uses only 0-9 and a-f");
}

int
main(void)
{
	test_encode();
	test_decode();
	test_round_trip();
	return (test_done());
}
