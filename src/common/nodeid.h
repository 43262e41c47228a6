/*
 * Node IDs: 32 bytes (SHA-256 of a certificate's SubjectPublicKeyInfo),
 * written the way Syncthing writes device IDs.
 */
#ifndef SHOAL_NODEID_H
#define SHOAL_NODEID_H

#include <stddef.h>
#include <stdint.h>

#define NODEID_LEN		32
/* "XXXXXXX-" seven times and "XXXXXXX": 63 characters and a NUL. */
#define NODEID_TEXT_SIZE	64
/* The first group of seven and a NUL. */
#define NODEID_SHORT_SIZE	8

/*
 * The Luhn-32 check character of len base32 characters (Syncthing's
 * variant), or '\0' if one of them is not in the alphabet.
 */
char	nodeid_luhn32(const char *, size_t);
/* The node ID of a DER SubjectPublicKeyInfo: its SHA-256. */
void	nodeid_from_spki(const uint8_t *, size_t, uint8_t [NODEID_LEN]);
/* Write the full text form (8 groups of 7 joined by '-') into out. */
void	nodeid_to_text(const uint8_t [NODEID_LEN], char [NODEID_TEXT_SIZE]);
/* Write the short form (the first group of 7) into out. */
void	nodeid_short(const uint8_t [NODEID_LEN], char [NODEID_SHORT_SIZE]);
/*
 * Read a node ID as forgivingly as Syncthing: '=' trimmed, either case,
 * 0, 1 and 8 read as O, I and B, dashes and spaces ignored; 56 characters
 * with check characters, or 52 without. Returns 0, or -1 with a sentence
 * in *cause (the caller frees it).
 */
int	nodeid_parse(const char *, uint8_t [NODEID_LEN], char **);

#endif
