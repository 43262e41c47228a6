/*
 * RFC 4648 base32 without padding. Node IDs are base32 of 32 bytes; the
 * decoder is strict (alphabet, length, zero tail bits) and leaves the
 * forgiving parts of reading a node ID to nodeid.c.
 */
#include "config.h"

#include "base32.h"

const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Return the number of characters that encode len bytes. */
size_t
base32_encoded_len(size_t len)
{
	return ((len / 5) * 8 + (len % 5 * 8 + 4) / 5);
}

/* Return the number of bytes len characters decode to. */
size_t
base32_decoded_len(size_t len)
{
	return (len * 5 / 8);
}

/* Return the value of one base32 character, or -1 if it is not one. */
int
base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a');
	if (c >= '2' && c <= '7')
		return (c - '2' + 26);
	return (-1);
}

/* Encode len bytes from p into out, NUL-terminated. */
void
base32_encode(const uint8_t *p, size_t len, char *out)
{
	uint32_t	acc = 0;
	int		bits = 0;
	size_t		i, n = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = base32_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[n++] = base32_alphabet[(acc << (5 - bits)) & 31];
	out[n] = '\0';
}

/* Decode len characters from s into out; -1 if they are not base32. */
int
base32_decode(const char *s, size_t len, uint8_t *out)
{
	uint32_t	acc = 0;
	int		bits = 0, v;
	size_t		i, n = 0;

	/* A group of 8 characters is 5 bytes; 1, 3 and 6 left over are not. */
	switch (len % 8) {
	case 1:
	case 3:
	case 6:
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if ((v = base32_value(s[i])) < 0)
			return (-1);
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1U << bits) - 1)) != 0)
		return (-1);
	return (0);
}
