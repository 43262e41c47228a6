/*
 * Share keys and version records. Ed25519 through OpenSSL's EVP interface
 * with the 32-byte seed as the private key (PROTOCOL.md B 7.1: BEP 44's
 * 64-byte expanded key cannot be loaded, so shoal stores seeds), and the
 * record in BEP 44's form, so that the same record could one day be put
 * into the DHT unchanged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "bencode.h"
#include "buf.h"
#include "sha.h"
#include "version.h"
#include "xmalloc.h"

int
version_key_new(uint8_t seed[VERSION_SEED_LEN])
{
	return (RAND_bytes(seed, VERSION_SEED_LEN) == 1 ? 0 : -1);
}

int
version_key_public(const uint8_t seed[VERSION_SEED_LEN],
    uint8_t pk[VERSION_KEY_LEN])
{
	EVP_PKEY	*key;
	size_t		 len = VERSION_KEY_LEN;
	int		 r;

	key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    VERSION_SEED_LEN);
	if (key == NULL)
		return (-1);
	r = EVP_PKEY_get_raw_public_key(key, pk, &len) == 1 &&
	    len == VERSION_KEY_LEN ? 0 : -1;
	EVP_PKEY_free(key);
	return (r);
}

void
version_target(const uint8_t k[VERSION_KEY_LEN], uint8_t out[20])
{
	sha1(k, VERSION_KEY_LEN, out);
}

/* The BEP 44 buffer: "3:seqi<seq>e1:v" and v's bytes. */
static void
version_buffer(const struct version_record *r, struct buf *b)
{
	buf_addf(b, "3:seqi%llde1:v", (long long)r->seq);
	buf_add(b, r->v, r->vlen);
}

int
version_sign(struct version_record *r, const uint8_t seed[VERSION_SEED_LEN],
    char **cause)
{
	struct benc_writer	 w;
	struct buf		 v, msg;
	EVP_PKEY		*key = NULL;
	EVP_MD_CTX		*ctx = NULL;
	size_t			 siglen = VERSION_SIG_LEN;
	int			 rc = -1;

	buf_init(&v);
	buf_init(&msg);
	benc_writer_init(&w, &v);
	benc_open_dict(&w);
	if (r->has_ih) {
		benc_put_key(&w, "ih");
		benc_put_str(&w, r->ih, sizeof r->ih);
	}
	benc_put_key(&w, "ih2");
	benc_put_str(&w, r->ih2, sizeof r->ih2);
	benc_put_key(&w, "n");
	benc_put_cstr(&w, r->name);
	benc_put_key(&w, "size");
	benc_put_int(&w, (int64_t)r->size);
	benc_put_key(&w, "t");
	benc_put_int(&w, r->t);
	benc_close(&w);
	if (benc_writer_finish(&w) != 0 || v.len > VERSION_V_MAX) {
		xasprintf(cause, "the version record would exceed %d bytes "
		    "(is the share's name too long?)", VERSION_V_MAX);
		goto out;
	}
	memcpy(r->v, v.data, v.len);
	r->vlen = v.len;
	if (version_key_public(seed, r->k) != 0 ||
	    (key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    VERSION_SEED_LEN)) == NULL || (ctx = EVP_MD_CTX_new()) == NULL) {
		xasprintf(cause, "cannot load the share key");
		goto out;
	}
	version_buffer(r, &msg);
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, r->sig, &siglen, msg.data, msg.len) != 1 ||
	    siglen != VERSION_SIG_LEN) {
		xasprintf(cause, "cannot sign the version record");
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	buf_destroy(&msg);
	buf_destroy(&v);
	return (rc);
}

int
version_verify(const struct version_record *r)
{
	EVP_PKEY	*key;
	EVP_MD_CTX	*ctx;
	struct buf	 msg;
	int		 ok = 0;

	if ((key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, r->k,
	    VERSION_KEY_LEN)) == NULL)
		return (0);
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		EVP_PKEY_free(key);
		return (0);
	}
	buf_init(&msg);
	version_buffer(r, &msg);
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, r->sig, VERSION_SIG_LEN, msg.data,
	    msg.len) == 1)
		ok = 1;
	buf_destroy(&msg);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return (ok);
}

void
version_encode(struct buf *b, const struct version_record *r)
{
	struct benc_writer	w;

	benc_writer_init(&w, b);
	benc_open_dict(&w);
	benc_put_key(&w, "k");
	benc_put_str(&w, r->k, sizeof r->k);
	benc_put_key(&w, "seq");
	benc_put_int(&w, r->seq);
	benc_put_key(&w, "sig");
	benc_put_str(&w, r->sig, sizeof r->sig);
	benc_put_key(&w, "v");
	benc_put_raw(&w, r->v, r->vlen);
	benc_close(&w);
	(void)benc_writer_finish(&w);
}

/* A string field of exactly len bytes, copied to out. */
static int
version_bytes(const struct benc *d, const char *key, void *out, size_t len)
{
	const struct benc	*x = benc_dict_get_type(d, key, BENC_STR);

	if (x == NULL || x->slen != len)
		return (-1);
	memcpy(out, x->s, len);
	return (0);
}

int
version_decode(const void *data, size_t len, struct version_record *r,
    char **cause)
{
	static const struct benc_limits	 limits = {
		.max_depth = 4, .max_nodes = 64, .max_str = 1024,
		.max_size = 4096
	};
	struct benc_doc			 doc;
	const struct benc		*d, *v, *x;
	char				*why = NULL;
	int				 rc = -1;

	memset(r, 0, sizeof *r);
	memset(&doc, 0, sizeof doc);
	if (benc_decode(&doc, data, len, &limits, 0, &why) != 0) {
		xasprintf(cause, "bad version record: %s",
		    why);
		free(why);
		return (-1);
	}
	d = benc_root(&doc);
	if (d->type != BENC_DICT) {
		xasprintf(cause, "the version record is not a dictionary");
		goto out;
	}
	if (version_bytes(d, "k", r->k, sizeof r->k) != 0 ||
	    version_bytes(d, "sig", r->sig, sizeof r->sig) != 0) {
		xasprintf(cause, "the version record lacks a 32-byte k or a "
		    "64-byte sig");
		goto out;
	}
	if ((x = benc_dict_get_type(d, "seq", BENC_INT)) == NULL ||
	    x->i < 1) {
		xasprintf(cause, "the version record lacks a positive seq");
		goto out;
	}
	r->seq = x->i;
	if ((v = benc_dict_get_type(d, "v", BENC_DICT)) == NULL ||
	    v->len > VERSION_V_MAX) {
		xasprintf(cause, "the version record lacks a v dictionary of "
		    "at most %d bytes", VERSION_V_MAX);
		goto out;
	}
	memcpy(r->v, (const uint8_t *)data + v->off, v->len);
	r->vlen = v->len;
	if (benc_dict_get(v, "ih") != NULL) {
		if (version_bytes(v, "ih", r->ih, sizeof r->ih) != 0) {
			xasprintf(cause, "the version record's ih is not 20 "
			    "bytes");
			goto out;
		}
		r->has_ih = 1;
	}
	if (version_bytes(v, "ih2", r->ih2, sizeof r->ih2) != 0) {
		xasprintf(cause, "the version record lacks a 32-byte ih2");
		goto out;
	}
	x = benc_dict_get_type(v, "n", BENC_STR);
	if (x == NULL || x->slen == 0 || x->slen > VERSION_NAME_MAX ||
	    memchr(x->s, '\0', x->slen) != NULL) {
		xasprintf(cause, "the version record lacks a name");
		goto out;
	}
	memcpy(r->name, x->s, x->slen);
	r->name[x->slen] = '\0';
	if ((x = benc_dict_get_type(v, "size", BENC_INT)) == NULL ||
	    x->i < 0) {
		xasprintf(cause, "the version record lacks a size");
		goto out;
	}
	r->size = (uint64_t)x->i;
	if ((x = benc_dict_get_type(v, "t", BENC_INT)) == NULL) {
		xasprintf(cause, "the version record lacks a time");
		goto out;
	}
	r->t = x->i;
	rc = 0;
out:
	benc_doc_free(&doc);
	return (rc);
}
