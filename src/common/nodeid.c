/*
 * Node IDs in Syncthing's device ID text form (PROTOCOL.md A2, B 9): the
 * 52 base32 characters of the 32 bytes in four groups of 13, each group
 * followed by its Luhn-32 check character, printed as eight groups of
 * seven. The bytes are SHA-256 of the SubjectPublicKeyInfo, not of the
 * whole certificate, so a re-issued certificate keeps its node's ID.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base32.h"
#include "i18n.h"
#include "nodeid.h"
#include "sha.h"
#include "xmalloc.h"

/* Base32 characters of 32 bytes, and with the four check characters. */
#define NODEID_B32_LEN		52
#define NODEID_CHECKED_LEN	56
/* Characters covered by one check character. */
#define NODEID_GROUP		13
/* Longest input nodeid_parse() looks at: a full ID with room to spare. */
#define NODEID_MAX_INPUT	256

/*
 * Syncthing's luhn32 (lib/protocol/luhn.go): the factor alternates 1, 2,
 * 1, ... from the first character, and each product adds its base-32
 * digit sum. This is not the standard Luhn mod N, so it is spelled out
 * rather than borrowed.
 */
char
nodeid_luhn32(const char *s, size_t len)
{
	size_t	i;
	int	factor = 1, sum = 0, v, addend;

	for (i = 0; i < len; i++) {
		if ((v = base32_value(s[i])) < 0 || s[i] != base32_alphabet[v])
			return ('\0');
		addend = factor * v;
		factor = factor == 1 ? 2 : 1;
		sum += addend / 32 + addend % 32;
	}
	return (base32_alphabet[(32 - sum % 32) % 32]);
}

/* Compute the node ID of a DER SubjectPublicKeyInfo. */
void
nodeid_from_spki(const uint8_t *der, size_t len, uint8_t id[NODEID_LEN])
{
	sha256(der, len, id);
}

/* Write the 56 checked characters of id and a NUL into out. */
static void
nodeid_checked(const uint8_t id[NODEID_LEN], char out[NODEID_CHECKED_LEN + 1])
{
	char	b32[NODEID_B32_LEN + 1];
	int	g;

	base32_encode(id, NODEID_LEN, b32);
	for (g = 0; g < 4; g++) {
		memcpy(out + g * (NODEID_GROUP + 1), b32 + g * NODEID_GROUP,
		    NODEID_GROUP);
		out[g * (NODEID_GROUP + 1) + NODEID_GROUP] =
		    nodeid_luhn32(b32 + g * NODEID_GROUP, NODEID_GROUP);
	}
	out[NODEID_CHECKED_LEN] = '\0';
}

/* Format id as eight groups of seven joined by dashes. */
void
nodeid_to_text(const uint8_t id[NODEID_LEN], char out[NODEID_TEXT_SIZE])
{
	char	c[NODEID_CHECKED_LEN + 1];
	int	g;

	nodeid_checked(id, c);
	for (g = 0; g < 8; g++) {
		memcpy(out + g * 8, c + g * 7, 7);
		out[g * 8 + 7] = g == 7 ? '\0' : '-';
	}
}

/* Format the first group of id's text form. */
void
nodeid_short(const uint8_t id[NODEID_LEN], char out[NODEID_SHORT_SIZE])
{
	char	c[NODEID_CHECKED_LEN + 1];

	nodeid_checked(id, c);
	memcpy(out, c, 7);
	out[7] = '\0';
}

/* Parse a node ID in any form Syncthing accepts for a device ID. */
int
nodeid_parse(const char *s, uint8_t id[NODEID_LEN], char **cause)
{
	char		 buf[NODEID_CHECKED_LEN + 1], b32[NODEID_B32_LEN];
	const char	*end;
	size_t		 len = 0, slen;
	int		 g;
	char		 c;

	slen = strnlen(s, NODEID_MAX_INPUT + 1);
	if (slen > NODEID_MAX_INPUT) {
		return (xfail(cause, _("not a node ID: it is longer "
		    "than %d characters"), NODEID_MAX_INPUT));
	}
	/* Trim '=' at both ends, as Syncthing's strings.Trim does. */
	end = s + slen;
	while (s < end && *s == '=')
		s++;
	while (end > s && end[-1] == '=')
		end--;

	for (; s < end; s++) {
		c = *s;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		/* Digits that are easy to mistype for letters. */
		if (c == '0')
			c = 'O';
		else if (c == '1')
			c = 'I';
		else if (c == '8')
			c = 'B';
		if (base32_value(c) < 0) {
			if (c > ' ' && c < 0x7f) {
				return (xfail(cause, _("not a node ID: "
				    "'%c' is not a base32 character"), c));
			}
			return (xfail(cause, _("not a node ID: byte "
			    "0x%02x is not a base32 character"),
			    (unsigned char)c));
		}
		if (len == NODEID_CHECKED_LEN) {
			return (xfail(cause, _("not a node ID: it has "
			    "more than %d characters"), NODEID_CHECKED_LEN));
		}
		buf[len++] = c;
	}

	switch (len) {
	case 0:
		return (xfail(cause, _("not a node ID: it is empty")));
	case NODEID_CHECKED_LEN:
		for (g = 0; g < 4; g++) {
			c = nodeid_luhn32(buf + g * (NODEID_GROUP + 1),
			    NODEID_GROUP);
			if (buf[g * (NODEID_GROUP + 1) + NODEID_GROUP] != c) {
				return (xfail(cause, _("not a node ID: "
				    "the check characters do not match: a "
				    "typo?")));
			}
			memcpy(b32 + g * NODEID_GROUP,
			    buf + g * (NODEID_GROUP + 1), NODEID_GROUP);
		}
		break;
	case NODEID_B32_LEN:
		memcpy(b32, buf, NODEID_B32_LEN);
		break;
	default:
		return (xfail(cause, _("not a node ID: it has %zu "
		    "characters, not 56 (or 52 without check characters)"),
		    len));
	}
	if (base32_decode(b32, NODEID_B32_LEN, id) != 0) {
		return (xfail(cause, _("not a node ID: the characters "
		    "do not encode exactly 32 bytes: a typo?")));
	}
	return (0);
}
