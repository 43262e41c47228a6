/* Escaping for JSON output. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "json.h"

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
json_utf8_len(const uint8_t *p, size_t n)
{
	size_t		len, i;
	uint32_t	cp;

	if (p[0] < 0x80)
		return (1);
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return (0);
	return (len);
}

void
json_add_str(struct buf *b, const char *s, size_t len)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 i = 0, n;

	buf_add_byte(b, '"');
	while (i < len) {
		uint8_t	c = p[i];

		if (c == '"' || c == '\\') {
			buf_add_byte(b, '\\');
			buf_add_byte(b, c);
			i++;
		} else if (c == '\n') {
			buf_add_str(b, "\\n");
			i++;
		} else if (c == '\t') {
			buf_add_str(b, "\\t");
			i++;
		} else if (c == '\r') {
			buf_add_str(b, "\\r");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			buf_addf(b, "\\u%04x", c);
			i++;
		} else if ((n = json_utf8_len(p + i, len - i)) == 0) {
			buf_add_str(b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(b, p + i, n);
			i += n;
		}
	}
	buf_add_byte(b, '"');
}

void
json_add_cstr(struct buf *b, const char *s)
{
	json_add_str(b, s, strlen(s));
}
