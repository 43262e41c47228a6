/*
 * SHA-1 and SHA-256 through OpenSSL's EVP interface. The digests are
 * fetched once and each thread keeps its own context, so hashing from the
 * threadpool takes no lock and does no allocation per call.
 */
#ifndef SHOAL_SHA_H
#define SHOAL_SHA_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN	20
#define SHA256_LEN	32

enum sha_alg {
	SHA_ALG_SHA1,
	SHA_ALG_SHA256
};

struct sha_ctx;

void		 sha1(const void *, size_t, uint8_t [SHA1_LEN]);
void		 sha256(const void *, size_t, uint8_t [SHA256_LEN]);
/* SHA-256 of the 64 bytes left || right: one merkle tree node. */
void		 sha256_pair(const uint8_t [SHA256_LEN],
		    const uint8_t [SHA256_LEN], uint8_t [SHA256_LEN]);

/* An incremental hash; sha_final() resets it for the next message. */
struct sha_ctx	*sha_ctx_new(enum sha_alg);
void		 sha_ctx_free(struct sha_ctx *);
void		 sha_update(struct sha_ctx *, const void *, size_t);
void		 sha_final(struct sha_ctx *, uint8_t *);

#endif
