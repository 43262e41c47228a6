/*
 * Share keys and version records: Ed25519 keys as RFC 8032 gives them,
 * signing and verifying the BEP 44 buffer, tampering caught, the record's
 * bencoding read back, and every malformed record refused with a reason.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "buf.h"
#include "hex.h"
#include "version.h"

/* RFC 8032 section 7.1, tests 1 and 2: seed and public key. */
static void
test_keys(void)
{
	static const char	*seeds[] = {
		"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
		"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
	};
	static const char	*pubs[] = {
		"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
	};
	uint8_t			 seed[32], pk[32], a[32], b[32];
	char			 text[65];
	size_t			 i;

	for (i = 0; i < 2; i++) {
		CHECK_INT(hex_decode(seeds[i], 32, seed), 0);
		CHECK_INT(version_key_public(seed, pk), 0);
		hex_encode(pk, 32, text);
		CHECK_STR(text, pubs[i]);
	}
	CHECK_INT(version_key_new(a), 0);
	CHECK_INT(version_key_new(b), 0);
	CHECK_MSG(memcmp(a, b, 32) != 0, "two new keys differ");
}

static void
fill(struct version_record *r)
{
	memset(r, 0, sizeof *r);
	r->seq = 7;
	r->has_ih = 1;
	memset(r->ih, 0xab, sizeof r->ih);
	memset(r->ih2, 0xcd, sizeof r->ih2);
	snprintf(r->name, sizeof r->name, "nightly-builds");
	r->size = 123456789;
	r->t = 1795574400;
}

static void
test_sign(void)
{
	struct version_record	 r, r2, back;
	struct buf		 b;
	uint8_t			 seed[32], pk[32], target[20];
	char			*cause = NULL, text[41];

	CHECK_INT(hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919"
	    "703bac031cae7f60", 32, seed), 0);
	fill(&r);
	CHECK_INT(version_sign(&r, seed, &cause), 0);
	CHECK_INT(version_key_public(seed, pk), 0);
	CHECK(memcmp(r.k, pk, 32) == 0);
	CHECK_MSG(version_verify(&r), "a signed record verifies");
	/* v is canonical: keys in order, ih first. */
	CHECK(r.vlen > 0 && memcmp(r.v, "d2:ih20:", 8) == 0);
	/* Ed25519 is deterministic: the same record, the same signature. */
	fill(&r2);
	CHECK_INT(version_sign(&r2, seed, &cause), 0);
	CHECK(memcmp(r.sig, r2.sig, 64) == 0);

	/* Any change breaks it: seq, a byte of v, the signature, the key. */
	r2 = r;
	r2.seq++;
	CHECK_MSG(!version_verify(&r2), "a record with another seq fails");
	r2 = r;
	r2.v[r2.vlen - 3] ^= 1;
	CHECK_MSG(!version_verify(&r2), "a record with a changed v fails");
	r2 = r;
	r2.sig[10] ^= 0x80;
	CHECK_MSG(!version_verify(&r2), "a changed signature fails");
	r2 = r;
	r2.k[0] ^= 1;
	CHECK_MSG(!version_verify(&r2), "another key fails");

	/* Encoded and read back: the same fields, and it still verifies. */
	buf_init(&b);
	version_encode(&b, &r);
	CHECK_INT(version_decode(b.data, b.len, &back, &cause), 0);
	CHECK_INT(back.seq, 7);
	CHECK_INT(back.has_ih, 1);
	CHECK(memcmp(back.ih2, r.ih2, 32) == 0);
	CHECK_STR(back.name, "nightly-builds");
	CHECK_INT(back.size, 123456789);
	CHECK_INT(back.t, 1795574400);
	CHECK_MSG(version_verify(&back), "a decoded record verifies");
	buf_destroy(&b);

	/* The target is SHA-1 of the public key (BEP 44 without salt). */
	version_target(pk, target);
	hex_encode(target, 20, text);
	CHECK_INT(strlen(text), 40);

	/* A v2-only torrent has no ih. */
	fill(&r);
	r.has_ih = 0;
	CHECK_INT(version_sign(&r, seed, &cause), 0);
	CHECK(memcmp(r.v, "d3:ih232:", 9) == 0);
	CHECK_MSG(version_verify(&r), "a v2-only record verifies");
}

/* decode(text) fails with this message. */
static void
bad(const char *in, size_t len, const char *msg)
{
	struct version_record	 r;
	char			*cause = NULL;

	CHECK_INT(version_decode(in, len, &r, &cause), -1);
	CHECK_STR(cause, msg);
	free(cause);
}

#define K32	"32:kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
#define S64	"64:ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
#define IH2	"3:ih232:hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh"

static void
test_decode_errors(void)
{
	struct version_record	 r;
	char			*cause = NULL;
	const char		*good = "d1:k" K32 "3:seqi3e3:sig" S64
				    "1:vd" IH2 "1:n1:x4:sizei5e1:ti9eee";

	CHECK_INT(version_decode(good, strlen(good), &r, &cause), 0);
	CHECK_INT(r.seq, 3);
	CHECK_STR(r.name, "x");
	CHECK_MSG(!version_verify(&r), "a made-up signature does not verify");

	bad("d1:k", 4, "bad version record: bencode: truncated input at "
	    "byte 4");
	bad("le", 2, "the version record is not a dictionary");
	bad("d1:k3:abc3:seqi3e3:sig" S64 "e", strlen("d1:k3:abc3:seqi3e3:sig"
	    S64 "e"), "the version record lacks a 32-byte k or a 64-byte sig");
	bad("d1:k" K32 "3:seqi0e3:sig" S64 "e", strlen("d1:k" K32
	    "3:seqi0e3:sig" S64 "e"), "the version record lacks a positive seq");
	bad("d1:k" K32 "3:seqi3e3:sig" S64 "1:v3:abce", strlen("d1:k" K32
	    "3:seqi3e3:sig" S64 "1:v3:abce"),
	    "the version record lacks a v dictionary of at most 1000 bytes");
	bad("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd1:n1:x4:sizei5e1:ti9eee",
	    strlen("d1:k" K32 "3:seqi3e3:sig" S64
	    "1:vd1:n1:x4:sizei5e1:ti9eee"),
	    "the version record lacks a 32-byte ih2");
	bad("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd2:ih3:abc" IH2
	    "1:n1:x4:sizei5e1:ti9eee", strlen("d1:k" K32 "3:seqi3e3:sig" S64
	    "1:vd2:ih3:abc" IH2 "1:n1:x4:sizei5e1:ti9eee"),
	    "the version record's ih is not 20 bytes");
	bad("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd" IH2 "1:n0:4:sizei5e1:ti9eee",
	    strlen("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd" IH2
	    "1:n0:4:sizei5e1:ti9eee"), "the version record lacks a name");
	bad("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd" IH2 "1:n1:x1:ti9eee",
	    strlen("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd" IH2
	    "1:n1:x1:ti9eee"), "the version record lacks a size");
	bad("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd" IH2 "1:n1:x4:sizei5eee",
	    strlen("d1:k" K32 "3:seqi3e3:sig" S64 "1:vd" IH2
	    "1:n1:x4:sizei5eee"), "the version record lacks a time");
}

int
main(void)
{
	test_keys();
	test_sign();
	test_decode_errors();
	return (test_done());
}
