/*
 * SHA-1 and SHA-256: the FIPS 180 test vectors through the one-shot and
 * incremental interfaces, the merkle pair helper, and per-thread contexts.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "sha.h"

#define MILLION	1000000

/* Hex of a digest, independent of hex.c. */
static const char *
tohex(const uint8_t *p, size_t len)
{
	static char	out[2 * SHA256_LEN + 1];
	size_t		i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * len] = '\0';
	return (out);
}

static const struct {
	const char	*name;
	const char	*sha1;
	const char	*sha256;
} vectors[] = {
	{ "\"\"",
	  "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "\"abc\"",
	  "a9993e364706816aba3e25717850c26c9cd0d89d",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "448 bits",
	  "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "a million 'a'",
	  "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

static const char	msg448[] =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void
vector_input(size_t i, const void **p, size_t *len, uint8_t *million)
{
	switch (i) {
	case 0:
		*p = "";
		*len = 0;
		break;
	case 1:
		*p = "abc";
		*len = 3;
		break;
	case 2:
		*p = msg448;
		*len = sizeof msg448 - 1;
		break;
	default:
		*p = million;
		*len = MILLION;
		break;
	}
}

static void
test_one_shot(uint8_t *million)
{
	uint8_t		 d1[SHA1_LEN], d256[SHA256_LEN];
	const void	*p;
	size_t		 len, i;
	char		 what[128];

	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		vector_input(i, &p, &len, million);
		sha1(p, len, d1);
		snprintf(what, sizeof what, "SHA-1 of %s", vectors[i].name);
		if (!CHECK_MSG(strcmp(tohex(d1, SHA1_LEN), vectors[i].sha1) ==
		    0, what))
			printf("# got %s\n", tohex(d1, SHA1_LEN));
		sha256(p, len, d256);
		snprintf(what, sizeof what, "SHA-256 of %s", vectors[i].name);
		if (!CHECK_MSG(strcmp(tohex(d256, SHA256_LEN),
		    vectors[i].sha256) == 0, what))
			printf("# got %s\n", tohex(d256, SHA256_LEN));
	}
	/* Again, now that the per-thread contexts exist. */
	sha1("abc", 3, d1);
	CHECK_STR(tohex(d1, SHA1_LEN), vectors[1].sha1);
	sha256("abc", 3, d256);
	CHECK_STR(tohex(d256, SHA256_LEN), vectors[1].sha256);
}

/* Feed the input in uneven pieces; sha_final() must reset the context. */
static void
test_incremental(uint8_t *million)
{
	static const size_t	 steps[] = { 1, 63, 64, 65, 1000, 4096, 7 };
	struct sha_ctx		*c1, *c256;
	uint8_t			 d1[SHA1_LEN], d256[SHA256_LEN];
	const void		*p;
	size_t			 len, i, off, k;
	char			 what[128];

	c1 = sha_ctx_new(SHA_ALG_SHA1);
	c256 = sha_ctx_new(SHA_ALG_SHA256);
	for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		vector_input(i, &p, &len, million);
		for (off = 0, k = 0; off < len; k++) {
			size_t	n = steps[k % (sizeof steps / sizeof steps[0])];

			if (n > len - off)
				n = len - off;
			sha_update(c1, (const uint8_t *)p + off, n);
			sha_update(c256, (const uint8_t *)p + off, n);
			off += n;
		}
		sha_final(c1, d1);
		sha_final(c256, d256);
		snprintf(what, sizeof what, "incremental SHA-1 of %s",
		    vectors[i].name);
		CHECK_MSG(strcmp(tohex(d1, SHA1_LEN), vectors[i].sha1) == 0,
		    what);
		snprintf(what, sizeof what, "incremental SHA-256 of %s",
		    vectors[i].name);
		CHECK_MSG(strcmp(tohex(d256, SHA256_LEN), vectors[i].sha256) ==
		    0, what);
	}

	/* Zero-length updates change nothing. */
	sha_update(c256, "a", 0);
	sha_update(c256, "abc", 3);
	sha_update(c256, "", 0);
	sha_final(c256, d256);
	CHECK_STR(tohex(d256, SHA256_LEN), vectors[1].sha256);
	/* A final right after a final hashes the empty message. */
	sha_final(c1, d1);
	CHECK_STR(tohex(d1, SHA1_LEN), vectors[0].sha1);

	sha_ctx_free(c1);
	sha_ctx_free(c256);
	sha_ctx_free(NULL);
}

static void
test_pair(void)
{
	uint8_t	l[SHA256_LEN], r[SHA256_LEN], cat[64];
	uint8_t	want[SHA256_LEN], got[SHA256_LEN];
	size_t	i;

	for (i = 0; i < SHA256_LEN; i++) {
		l[i] = (uint8_t)i;
		r[i] = (uint8_t)(0xff - 3 * i);
	}
	memcpy(cat, l, 32);
	memcpy(cat + 32, r, 32);
	sha256(cat, 64, want);
	sha256_pair(l, r, got);
	CHECK_MSG(memcmp(got, want, 32) == 0,
	    "sha256_pair is SHA-256 of left || right");
	sha256_pair(r, l, got);
	CHECK_MSG(memcmp(got, want, 32) != 0, "sha256_pair depends on order");

	/* The output may alias an input (merkle reduces in place). */
	memcpy(got, l, 32);
	sha256_pair(got, r, got);
	CHECK_MSG(memcmp(got, want, 32) == 0, "sha256_pair with out == left");
	memcpy(got, r, 32);
	sha256_pair(l, got, got);
	CHECK_MSG(memcmp(got, want, 32) == 0, "sha256_pair with out == right");

	/* The zero pair: the first merkle padding node. */
	memset(cat, 0, 64);
	sha256(cat, 64, want);
	memset(l, 0, 32);
	sha256_pair(l, l, got);
	CHECK_STR(tohex(got, 32), "f5a5fd42d16a20302798ef6ed309979b"
	    "43003d2320d9f0e8ea9831a92759fb4b");
	CHECK(memcmp(got, want, 32) == 0);
}

/* Several threads hashing at once each get the right digests. */
#define NTHREADS	4
#define NROUNDS		200
#define JOBLEN		5000

struct job {
	int	seed;
	uint8_t	want1[SHA1_LEN];
	uint8_t	want256[SHA256_LEN];
	int	bad;
};

static void *
hash_thread(void *arg)
{
	struct job	*j = arg;
	uint8_t		 buf[JOBLEN], d1[SHA1_LEN], d256[SHA256_LEN];
	int		 i;

	memset(buf, j->seed, sizeof buf);
	for (i = 0; i < NROUNDS; i++) {
		sha1(buf, sizeof buf, d1);
		sha256(buf, sizeof buf, d256);
		if (memcmp(j->want1, d1, sizeof d1) != 0 ||
		    memcmp(j->want256, d256, sizeof d256) != 0)
			j->bad++;
	}
	return (NULL);
}

static void
test_threads(void)
{
	pthread_t	t[NTHREADS];
	struct job	jobs[NTHREADS];
	uint8_t		buf[JOBLEN];
	int		i, bad = 0, started = 0;

	/* The expected digests, from the main thread. */
	for (i = 0; i < NTHREADS; i++) {
		memset(buf, i + 1, sizeof buf);
		jobs[i].seed = i + 1;
		jobs[i].bad = 0;
		sha1(buf, sizeof buf, jobs[i].want1);
		sha256(buf, sizeof buf, jobs[i].want256);
	}
	CHECK(memcmp(jobs[0].want256, jobs[1].want256, SHA256_LEN) != 0);
	for (i = 0; i < NTHREADS; i++) {
		if (pthread_create(&t[i], NULL, hash_thread, &jobs[i]) == 0)
			started++;
	}
	CHECK_INT(started, NTHREADS);
	for (i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		bad += jobs[i].bad;
	}
	CHECK_MSG(bad == 0,
	    "threads hashing at once get the main thread's digests");
}

int
main(void)
{
	uint8_t	*million = malloc(MILLION);

	if (million == NULL)
		return (1);
	memset(million, 'a', MILLION);
	test_one_shot(million);
	test_incremental(million);
	test_pair();
	test_threads();
	free(million);
	return (test_done());
}
