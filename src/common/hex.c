/* Hexadecimal for hashes in links, logs and JSON. */
#include "config.h"

#include "hex.h"

void
hex_encode(const uint8_t *p, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

int
hex_decode(const char *s, size_t len, uint8_t *out)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if ((hi = hex_value(s[2 * i])) < 0 ||
		    (lo = hex_value(s[2 * i + 1])) < 0)
			return (-1);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (0);
}
