/*
 * Versions of a share (PROTOCOL.md A3): the share's Ed25519 key, its share
 * ID and target, and the signed version record that names each version's
 * torrent: a BEP 44 mutable item {k, seq, sig, v}, signed over the BEP 44
 * buffer "3:seqi<seq>e1:v<bencoded v>" with the share key.
 */
#ifndef SHOAL_VERSION_H
#define SHOAL_VERSION_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define VERSION_SEED_LEN	32	/* An Ed25519 private key (its seed). */
#define VERSION_KEY_LEN		32	/* An Ed25519 public key. */
#define VERSION_SIG_LEN		64
/* BEP 44: storing nodes refuse a v of more than 1000 bytes. */
#define VERSION_V_MAX		1000
/* Bytes of a share name in a record. */
#define VERSION_NAME_MAX	255

struct version_record {
	uint8_t		 k[VERSION_KEY_LEN];	/* The share's public key. */
	int64_t		 seq;			/* The version number, >= 1. */
	uint8_t		 sig[VERSION_SIG_LEN];
	/* v, as fields. */
	int		 has_ih;		/* A hybrid torrent. */
	uint8_t		 ih[20];		/* Its v1 info-hash. */
	uint8_t		 ih2[32];		/* The v2 info-hash. */
	char		 name[VERSION_NAME_MAX + 1];
	uint64_t	 size;			/* Bytes of the folder. */
	int64_t		 t;			/* When it was made (Unix). */
	/* v exactly as signed: what the signature covers. */
	uint8_t		 v[VERSION_V_MAX];
	size_t		 vlen;
};

/* A new share key (random seed); 0, or -1 if no randomness. */
int	version_key_new(uint8_t [VERSION_SEED_LEN]);
/* The public key of a seed. */
int	version_key_public(const uint8_t [VERSION_SEED_LEN],
	    uint8_t [VERSION_KEY_LEN]);
/* The share target: SHA-1 of the public key (BEP 44, no salt). */
void	version_target(const uint8_t [VERSION_KEY_LEN], uint8_t [20]);
/*
 * Encode r's fields as v, sign it with seed (setting k and sig). Returns 0,
 * or -1 with *cause if the name is too long or signing fails.
 */
int	version_sign(struct version_record *, const uint8_t [VERSION_SEED_LEN],
	    char **);
/* 1 if r's signature over its v is good for its k. */
int	version_verify(const struct version_record *);
/* Append the record as a bencoded dict {k, seq, sig, v}. */
void	version_encode(struct buf *, const struct version_record *);
/*
 * Decode a record strictly (canonical bencoding, every field present and
 * of its size, v at most 1000 bytes). Returns 0, or -1 with *cause. The
 * signature is not checked here: see version_verify().
 */
int	version_decode(const void *, size_t, struct version_record *,
	    char **);

#endif
