/*
 * JSON strings for --json output: RFC 8259 escaping, valid UTF-8 passed
 * through, anything else replaced byte by byte with U+FFFD.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "buf.h"
#include "json.h"

#define FFFD	"\xef\xbf\xbd"

/* The JSON text for len bytes of s (a static buffer). */
static const char *
js(const char *s, size_t len)
{
	static char	out[256];
	struct buf	b;

	buf_init(&b);
	json_add_str(&b, s, len);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_destroy(&b);
	return (out);
}

#define JS(lit)	js((lit), sizeof (lit) - 1)

static void
test_escapes(void)
{
	CHECK_STR(JS(""), "\"\"");
	CHECK_STR(JS("plain text"), "\"plain text\"");
	CHECK_STR(JS("say \"hi\""), "\"say \\\"hi\\\"\"");
	CHECK_STR(JS("C:\\dir\\"), "\"C:\\\\dir\\\\\"");
	CHECK_STR(JS("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\"");
	/* Other control characters as \u00XX. */
	CHECK_STR(JS("\x01"), "\"\\u0001\"");
	CHECK_STR(JS("\x08\x0c"), "\"\\u0008\\u000c\"");
	CHECK_STR(JS("\x1f"), "\"\\u001f\"");
	CHECK_STR(JS("\x1b[0m"), "\"\\u001b[0m\"");
	CHECK_STR(JS("\x7f"), "\"\\u007f\"");
	/* A NUL inside the string is kept, escaped. */
	CHECK_STR(JS("a\0b"), "\"a\\u0000b\"");
	/* Printable ASCII that JSON does not need escaped stays as it is. */
	CHECK_STR(JS("/ ' < > & ~ }"), "\"/ ' < > & ~ }\"");
}

static void
test_utf8(void)
{
	/* Two, three and four byte sequences, and the extremes. */
	CHECK_STR(JS("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	CHECK_STR(JS("\xe2\x82\xac 5"), "\"\xe2\x82\xac 5\"");
	CHECK_STR(JS("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
	CHECK_STR(JS("\xc2\x80"), "\"\xc2\x80\"");		/* U+0080 */
	CHECK_STR(JS("\xdf\xbf"), "\"\xdf\xbf\"");		/* U+07FF */
	CHECK_STR(JS("\xe0\xa0\x80"), "\"\xe0\xa0\x80\"");	/* U+0800 */
	CHECK_STR(JS("\xef\xbf\xbf"), "\"\xef\xbf\xbf\"");	/* U+FFFF */
	CHECK_STR(JS("\xed\x9f\xbf"), "\"\xed\x9f\xbf\"");	/* U+D7FF */
	CHECK_STR(JS("\xee\x80\x80"), "\"\xee\x80\x80\"");	/* U+E000 */
	CHECK_STR(JS("\xf0\x90\x80\x80"), "\"\xf0\x90\x80\x80\"");
	CHECK_STR(JS("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"");
}

static void
test_invalid(void)
{
	/* Stray continuation bytes and bytes that never start a sequence. */
	CHECK_STR(JS("\x80"), "\"" FFFD "\"");
	CHECK_STR(JS("a\xbf" "b"), "\"a" FFFD "b\"");
	CHECK_STR(JS("\xff"), "\"" FFFD "\"");
	CHECK_STR(JS("\xfe\xf8"), "\"" FFFD FFFD "\"");
	/* Latin-1, as old torrents have it. */
	CHECK_STR(JS("caf\xe9"), "\"caf" FFFD "\"");
	CHECK_STR(JS("\xe9t\xe9"), "\"" FFFD "t" FFFD "\"");

	/* Truncated sequences, at the end and before ASCII. */
	CHECK_STR(JS("\xc3"), "\"" FFFD "\"");
	CHECK_STR(JS("\xe2\x82"), "\"" FFFD FFFD "\"");
	CHECK_STR(JS("\xe2\x82x"), "\"" FFFD FFFD "x\"");
	CHECK_STR(JS("\xf0\x9f\x98"), "\"" FFFD FFFD FFFD "\"");
	/* A lead byte followed by another lead byte. */
	CHECK_STR(JS("\xc3\xc3\xa9"), "\"" FFFD "\xc3\xa9\"");

	/* Overlong encodings are refused: "/" and NUL in disguise. */
	CHECK_STR(JS("\xc0\xaf"), "\"" FFFD FFFD "\"");
	CHECK_STR(JS("\xc0\x80"), "\"" FFFD FFFD "\"");
	CHECK_STR(JS("\xc1\xbf"), "\"" FFFD FFFD "\"");
	CHECK_STR(JS("\xe0\x80\xaf"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(JS("\xe0\x9f\xbf"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(JS("\xf0\x80\x80\xaf"), "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR(JS("\xf0\x8f\xbf\xbf"), "\"" FFFD FFFD FFFD FFFD "\"");

	/* UTF-16 surrogates and code points past U+10FFFF. */
	CHECK_STR(JS("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(JS("\xed\xbf\xbf"), "\"" FFFD FFFD FFFD "\"");
	CHECK_STR(JS("\xf4\x90\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
	CHECK_STR(JS("\xf5\x80\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");

	/* Invalid bytes do not swallow a following quote or backslash. */
	CHECK_STR(JS("\xe2\"\\"), "\"" FFFD "\\\"\\\\\"");
}

static void
test_append(void)
{
	struct buf	b;

	/* Strings append to what the buffer holds: a JSON object. */
	buf_init(&b);
	buf_add_str(&b, "{");
	json_add_cstr(&b, "name");
	buf_add_str(&b, ":");
	json_add_cstr(&b, "my \"folder\"\n");
	buf_add_str(&b, "}");
	CHECK_STR(buf_cstr(&b), "{\"name\":\"my \\\"folder\\\"\\n\"}");
	buf_reset(&b);
	json_add_cstr(&b, "");
	CHECK_STR(buf_cstr(&b), "\"\"");
	CHECK_INT(b.len, 2);
	/* Only len bytes are read. */
	buf_reset(&b);
	json_add_str(&b, "abcdef", 3);
	CHECK_STR(buf_cstr(&b), "\"abc\"");
	buf_destroy(&b);
}

int
main(void)
{
	test_escapes();
	test_utf8();
	test_invalid();
	test_append();
	return (test_done());
}
