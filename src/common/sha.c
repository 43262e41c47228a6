/*
 * Hashing through OpenSSL 3 EVP. EVP_sha256() would make OpenSSL fetch the
 * implementation on every init, under a global lock; we fetch each digest
 * once and reuse per-thread contexts, which matters when four threadpool
 * workers hash 16 KiB blocks at gigabytes per second.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "sha.h"
#include "xmalloc.h"

struct sha_ctx {
	EVP_MD_CTX	*md_ctx;
	const EVP_MD	*md;
};

static pthread_once_t	 sha_once = PTHREAD_ONCE_INIT;
static EVP_MD		*sha_md[2];
static pthread_key_t	 sha_key;	/* Frees a thread's contexts. */

static void	sha_tls_free(void *);

static void
sha_fetch(void)
{
	if (pthread_key_create(&sha_key, sha_tls_free) != 0)
		fatalx("pthread_key_create failed");
	sha_md[SHA_ALG_SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
	sha_md[SHA_ALG_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (sha_md[SHA_ALG_SHA1] == NULL || sha_md[SHA_ALG_SHA256] == NULL)
		fatalx("OpenSSL has no SHA-1 or SHA-256");
}

static const EVP_MD *
sha_md_get(enum sha_alg alg)
{
	pthread_once(&sha_once, sha_fetch);
	return (sha_md[alg]);
}

struct sha_ctx *
sha_ctx_new(enum sha_alg alg)
{
	struct sha_ctx	*ctx = xmalloc(sizeof *ctx);

	ctx->md = sha_md_get(alg);
	if ((ctx->md_ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("out of memory creating a hash context");
	if (EVP_DigestInit_ex2(ctx->md_ctx, ctx->md, NULL) != 1)
		fatalx("EVP_DigestInit_ex2 failed");
	return (ctx);
}

void
sha_ctx_free(struct sha_ctx *ctx)
{
	if (ctx == NULL)
		return;
	EVP_MD_CTX_free(ctx->md_ctx);
	free(ctx);
}

void
sha_update(struct sha_ctx *ctx, const void *p, size_t len)
{
	if (EVP_DigestUpdate(ctx->md_ctx, p, len) != 1)
		fatalx("EVP_DigestUpdate failed");
}

void
sha_final(struct sha_ctx *ctx, uint8_t *out)
{
	if (EVP_DigestFinal_ex(ctx->md_ctx, out, NULL) != 1 ||
	    EVP_DigestInit_ex2(ctx->md_ctx, ctx->md, NULL) != 1)
		fatalx("EVP_DigestFinal_ex failed");
}

/*
 * One context per thread and algorithm for the one-shot functions. They
 * live as long as the thread; threadpool threads live as long as the
 * process.
 */
static _Thread_local struct sha_ctx	*sha_tls[2];

/* At thread exit: the key's value is that thread's sha_tls. */
static void
sha_tls_free(void *arg)
{
	struct sha_ctx	**tls = arg;

	sha_ctx_free(tls[SHA_ALG_SHA1]);
	sha_ctx_free(tls[SHA_ALG_SHA256]);
	tls[SHA_ALG_SHA1] = tls[SHA_ALG_SHA256] = NULL;
}

static struct sha_ctx *
sha_tls_ctx(enum sha_alg alg)
{
	if (sha_tls[alg] == NULL) {
		sha_tls[alg] = sha_ctx_new(alg);	/* Creates sha_key. */
		pthread_setspecific(sha_key, sha_tls);
	}
	return (sha_tls[alg]);
}

void
sha1(const void *p, size_t len, uint8_t out[SHA1_LEN])
{
	struct sha_ctx	*ctx = sha_tls_ctx(SHA_ALG_SHA1);

	sha_update(ctx, p, len);
	sha_final(ctx, out);
}

void
sha256(const void *p, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha_ctx	*ctx = sha_tls_ctx(SHA_ALG_SHA256);

	sha_update(ctx, p, len);
	sha_final(ctx, out);
}

void
sha256_pair(const uint8_t l[SHA256_LEN], const uint8_t r[SHA256_LEN],
    uint8_t out[SHA256_LEN])
{
	struct sha_ctx	*ctx = sha_tls_ctx(SHA_ALG_SHA256);

	sha_update(ctx, l, SHA256_LEN);
	sha_update(ctx, r, SHA256_LEN);
	sha_final(ctx, out);
}
