/*
 * Base32 with the RFC 4648 alphabet (A-Z, 2-7) and no padding: the text of
 * node IDs and share IDs.
 */
#ifndef SHOAL_BASE32_H
#define SHOAL_BASE32_H

#include <stddef.h>
#include <stdint.h>

/* The RFC 4648 alphabet, indexed by 5-bit value. */
extern const char base32_alphabet[];

/* Characters base32_encode() writes for len bytes, not counting the NUL. */
size_t	base32_encoded_len(size_t);
/* Bytes base32_decode() writes for len characters, if len is valid. */
size_t	base32_decoded_len(size_t);
/* The 5-bit value of an alphabet character (either case), or -1. */
int	base32_value(char);
/*
 * Write the base32 of len bytes and a NUL into out, which holds
 * base32_encoded_len(len) + 1 characters.
 */
void	base32_encode(const uint8_t *, size_t, char *);
/*
 * Decode len characters (either case, no padding) into out, which holds
 * base32_decoded_len(len) bytes. Returns 0, or -1 for a character outside
 * the alphabet, a length no encoding has, or unused low bits that are not
 * zero (so every byte string has exactly one text).
 */
int	base32_decode(const char *, size_t, uint8_t *);

#endif
