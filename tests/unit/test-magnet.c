/*
 * Magnet links: what libtorrent prints, base32 btih, percent-decoding,
 * shoal's own parameters, the bounds and errors, and shoal's link form
 * built and read back.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

#include "buf.h"
#include "hex.h"
#include "magnet.h"
#include "xmalloc.h"

#define V1_HEX	"c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
#define V1_B32	"YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK"
#define V2_HEX	"d3a5b1e8c47f02a61c9f5e0b8d2a7c4f" \
		"91e0b3d5a8c6f4e2017b9d3c5a8e6f10"
#define NODE_ID	"P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-" \
		"MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2"

/* A label for one check; each CHECK_MSG prints it at once. */
static const char *
label(const char *fmt, ...)
{
	static char	buf[256];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (buf);
}

/* 1 if the 20 or 32 bytes at p are the hex string s. */
static int
hash_is(const uint8_t *p, size_t len, const char *s)
{
	char	hex[65];

	hex_encode(p, len, hex);
	return (strcmp(hex, s) == 0);
}

/* Parse a link that must fail with a cause containing what. */
static void
refuse(const char *link, const char *what)
{
	struct magnet	 mg;
	char		*cause = NULL;
	int		 r;

	r = magnet_parse(&mg, link, &cause);
	CHECK_MSG(r == -1, label("refused: %.200s", link));
	CHECK_MSG(cause != NULL && strstr(cause, what) != NULL,
	    label("cause names \"%s\"", what));
	if (cause != NULL && strstr(cause, what) == NULL)
		printf("# cause was: %s\n", cause);
	free(cause);
	magnet_destroy(&mg);
}

static void
test_libtorrent(void)
{
	struct magnet	 mg;
	char		*cause = NULL;

	/* libtorrent 2.0.8's make_magnet_uri for a hybrid. */
	CHECK_INT(magnet_parse(&mg, "magnet:?xt=urn:btih:" V1_HEX
	    "&xt=urn:btmh:1220" V2_HEX "&dn=share", &cause), 0);
	CHECK(mg.has_v1 && hash_is(mg.v1, 20, V1_HEX));
	CHECK(mg.has_v2 && hash_is(mg.v2, 32, V2_HEX));
	CHECK_STR(mg.name, "share");
	CHECK(mg.ntrackers == 0 && mg.npeers == 0 && mg.node == NULL &&
	    mg.share == NULL);
	magnet_destroy(&mg);

	/* A v2-only one, upper-case hex. */
	CHECK_INT(magnet_parse(&mg, "magnet:?xt=urn:btmh:1220"
	    "D3A5B1E8C47F02A61C9F5E0B8D2A7C4F91E0B3D5A8C6F4E2017B9D3C5A8E6F10",
	    &cause), 0);
	CHECK(!mg.has_v1 && mg.has_v2 && hash_is(mg.v2, 32, V2_HEX));
	CHECK(mg.name == NULL);
	magnet_destroy(&mg);

	/* The old base32 btih, either case. */
	CHECK_INT(magnet_parse(&mg, "magnet:?xt=urn:btih:" V1_B32, &cause),
	    0);
	CHECK_MSG(mg.has_v1 && hash_is(mg.v1, 20, V1_HEX),
	    "base32 btih decodes to the same hash as its hex");
	magnet_destroy(&mg);
	CHECK_INT(magnet_parse(&mg, "magnet:?xt=urn:btih:"
	    "yex6dqdlxisuvhoj6um3gnnkpqjwpkek", &cause), 0);
	CHECK(mg.has_v1 && hash_is(mg.v1, 20, V1_HEX));
	magnet_destroy(&mg);

	/* The same hash twice (hex and base32) is one hash. */
	CHECK_INT(magnet_parse(&mg, "magnet:?xt=urn:btih:" V1_HEX
	    "&xt=urn:btih:" V1_B32, &cause), 0);
	magnet_destroy(&mg);
}

static void
test_params(void)
{
	struct magnet	 mg;
	char		*cause = NULL;

	CHECK_INT(magnet_parse(&mg, "magnet:?dn=My%20Share+2%2B%e2%9c%93"
	    "&xt.1=urn:btih:" V1_HEX
	    "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce"
	    "&tr.2=http://t.example/a?x=1+2"
	    "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce"
	    "&ws=http://seed.example/&so=0-2&foo&=bar&&unknown=%zz"
	    "&x.pe=10.0.0.1:6881&x.pe=[2001:db8::1]:51413"
	    "&x.pe=seed.example.org:443"
	    "&x.node=" NODE_ID "&x.share=ABCDEFG-HIJKLMN", &cause), 0);
	if (cause != NULL)
		printf("# %s\n", cause);
	CHECK(mg.has_v1 && hash_is(mg.v1, 20, V1_HEX) && !mg.has_v2);
	CHECK_STR(mg.name, "My Share 2+\xe2\x9c\x93");
	CHECK_INT(mg.ntrackers, 2);
	if (mg.ntrackers == 2) {
		CHECK_STR(mg.trackers[0],
		    "udp://tracker.example:6969/announce");
		/* Only dn reads '+' as a space. */
		CHECK_STR(mg.trackers[1], "http://t.example/a?x=1+2");
	}
	CHECK_INT(mg.npeers, 3);
	if (mg.npeers == 3) {
		CHECK_STR(mg.peers[0].host, "10.0.0.1");
		CHECK_INT(mg.peers[0].port, 6881);
		CHECK_STR(mg.peers[1].host, "2001:db8::1");
		CHECK_INT(mg.peers[1].port, 51413);
		CHECK_STR(mg.peers[2].host, "seed.example.org");
		CHECK_INT(mg.peers[2].port, 443);
	}
	CHECK_STR(mg.node, NODE_ID);
	CHECK_STR(mg.share, "ABCDEFG-HIJKLMN");
	magnet_destroy(&mg);

	/* "MAGNET:" in capitals, and other urns ignored beside ours. */
	CHECK_INT(magnet_parse(&mg, "MAGNET:?xt=urn:sha1:XRX2PEFXOOEJFRVUCX6H"
	    "&xt=URN:BTIH:" V1_HEX, &cause), 0);
	CHECK(mg.has_v1 && hash_is(mg.v1, 20, V1_HEX));
	magnet_destroy(&mg);

	/* The last dn wins; an empty one does not erase it. */
	CHECK_INT(magnet_parse(&mg, "magnet:?xt=urn:btih:" V1_HEX
	    "&dn=a&dn=b&dn=", &cause), 0);
	CHECK_STR(mg.name, "b");
	magnet_destroy(&mg);
}

static void
test_bounds(void)
{
	struct magnet	 mg;
	struct buf	 b;
	char		*cause = NULL;
	size_t		 i;

	/* Trackers and peers beyond the bounds are dropped, not errors. */
	buf_init(&b);
	buf_add_str(&b, "magnet:?xt=urn:btih:" V1_HEX);
	for (i = 0; i < 100; i++)
		buf_addf(&b, "&tr=http://t%zu.example/&x.pe=10.0.0.%zu:%zu",
		    i, i % 250 + 1, 1000 + i);
	CHECK_INT(magnet_parse(&mg, buf_cstr(&b), &cause), 0);
	CHECK_INT(mg.ntrackers, MAGNET_MAX_TRACKERS);
	CHECK_INT(mg.npeers, MAGNET_MAX_PEERS);
	magnet_destroy(&mg);

	/* A value over MAGNET_MAX_VALUE is refused. */
	buf_reset(&b);
	buf_add_str(&b, "magnet:?xt=urn:btih:" V1_HEX "&dn=");
	for (i = 0; i < MAGNET_MAX_VALUE + 1; i++)
		buf_add_byte(&b, 'a');
	refuse(buf_cstr(&b), "dn longer than 4096 bytes");
	buf_reset(&b);
	buf_add_str(&b, "magnet:?xt=urn:btih:" V1_HEX "&dn=");
	for (i = 0; i < MAGNET_MAX_VALUE; i++)
		buf_add_byte(&b, 'a');
	CHECK_INT(magnet_parse(&mg, buf_cstr(&b), &cause), 0);
	CHECK_INT(strlen(mg.name), MAGNET_MAX_VALUE);
	magnet_destroy(&mg);

	/* And so is a link over MAGNET_MAX_LEN, even of junk we skip. */
	buf_reset(&b);
	buf_add_str(&b, "magnet:?xt=urn:btih:" V1_HEX "&");
	while (b.len <= MAGNET_MAX_LEN)
		buf_add_str(&b, "junk=1&");
	refuse(buf_cstr(&b), "longer than 65536 bytes");
	buf_destroy(&b);
}

static void
test_errors(void)
{
	refuse("", "does not start with magnet:?");
	refuse("http://example.com/?xt=urn:btih:" V1_HEX,
	    "does not start with magnet:?");
	refuse("magnet:", "does not start with magnet:?");
	refuse("magnet:?", "no BitTorrent info-hash");
	refuse("magnet:?dn=share&tr=http://t/", "no BitTorrent info-hash");
	refuse("magnet:?xt=urn:sha1:XRX2PEFXOOEJFRVUCX6HMZMKS5TWG4K5",
	    "no BitTorrent info-hash");
	refuse("magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88",
	    "neither 40 hex digits nor 32 base32");
	refuse("magnet:?xt=urn:btih:g12fe1c06bba254a9dc9f519b335aa7c1367a88a",
	    "neither 40 hex digits nor 32 base32");
	refuse("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKE1",
	    "neither 40 hex digits nor 32 base32");
	refuse("magnet:?xt=urn:btih:" V1_HEX
	    "&xt=urn:btih:0000000000000000000000000000000000000000",
	    "two different btih");
	refuse("magnet:?xt=urn:btmh:1114" V2_HEX, "not a sha2-256 multihash");
	refuse("magnet:?xt=urn:btmh:1220" V1_HEX, "not 64 hex digits");
	refuse("magnet:?xt=urn:btmh:1220" V2_HEX "00", "not 64 hex digits");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&dn=a%2", "bad percent escape "
	    "in dn");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&dn=a%g0b", "bad percent escape "
	    "in dn");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&tr=%", "bad percent escape in "
	    "tr");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&dn=a%0Ab", "control character "
	    "in dn");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.node=a%00b",
	    "control character in x.node");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=10.0.0.1",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=2001:db8::1:80",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=[2001:db8::1]80",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=10.0.0.1:0",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=10.0.0.1:65536",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=10.0.0.1:6a",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=:6881",
	    "x.pe that is not host:port");
	refuse("magnet:?xt=urn:btih:" V1_HEX "&x.pe=a%20b:6881",
	    "x.pe that is not host:port");
}

static void
test_build(void)
{
	static const char	 want[] =
	    "magnet:?xt=urn:btmh:1220" V2_HEX "&xt=urn:btih:" V1_HEX
	    "&dn=Team%20%26%20Co%20%E2%9C%93%2Bdocs"
	    "&x.pe=192.0.2.7:6881&x.pe=[2001:db8::7]:6882"
	    "&x.node=" NODE_ID "&x.share=ABCDEFG-HIJKLMN";
	struct magnet		 mg, back;
	char			*link, *cause = NULL;

	magnet_init(&mg);
	CHECK_INT(hex_decode(V1_HEX, 20, mg.v1), 0);
	CHECK_INT(hex_decode(V2_HEX, 32, mg.v2), 0);
	mg.has_v1 = mg.has_v2 = 1;
	mg.name = xstrdup("Team & Co \xe2\x9c\x93+docs");
	CHECK_INT(magnet_add_peer(&mg, "192.0.2.7", 6881), 0);
	CHECK_INT(magnet_add_peer(&mg, "2001:db8::7", 6882), 0);
	CHECK_INT(magnet_add_peer(&mg, "bad host", 1), -1);
	CHECK_INT(magnet_add_peer(&mg, "fe80::1%eth0", 1), -1);
	CHECK_INT(magnet_add_peer(&mg, "a&b", 1), -1);
	CHECK_INT(magnet_add_peer(&mg, "192.0.2.8", 0), -1);
	mg.node = xstrdup(NODE_ID);
	mg.share = xstrdup("ABCDEFG-HIJKLMN");

	link = magnet_format(&mg);
	CHECK_STR(link, want);

	/* It reads back the same. */
	CHECK_INT(magnet_parse(&back, link, &cause), 0);
	CHECK(back.has_v1 && back.has_v2 && memcmp(back.v1, mg.v1, 20) == 0 &&
	    memcmp(back.v2, mg.v2, 32) == 0);
	CHECK_STR(back.name, mg.name);
	CHECK(back.npeers == 2 && back.peers[1].port == 6882);
	CHECK_STR(back.peers[1].host, "2001:db8::7");
	CHECK_STR(back.node, NODE_ID);
	CHECK_STR(back.share, "ABCDEFG-HIJKLMN");
	magnet_destroy(&back);
	free(link);

	/* Trackers come after dn, escaped; a v2-only link has one xt. */
	mg.has_v1 = 0;
	free(mg.share);
	mg.share = NULL;
	CHECK_INT(magnet_add_tracker(&mg, "udp://t.example:6969/announce"),
	    0);
	CHECK_INT(magnet_add_tracker(&mg, ""), -1);
	link = magnet_format(&mg);
	CHECK(link != NULL && strstr(link, "&xt=") == NULL &&
	    strstr(link, "&dn=Team%20%26%20Co%20%E2%9C%93%2Bdocs"
	    "&tr=udp%3A%2F%2Ft.example%3A6969%2Fannounce&x.pe=") != NULL);
	CHECK_INT(magnet_parse(&back, link, &cause), 0);
	CHECK(back.ntrackers == 1 && !back.has_v1 && back.share == NULL);
	CHECK_STR(back.trackers[0], "udp://t.example:6969/announce");
	magnet_destroy(&back);
	free(link);

	/* With no hash there is no link. */
	mg.has_v2 = 0;
	CHECK(magnet_format(&mg) == NULL);
	magnet_destroy(&mg);
	CHECK(mg.name == NULL && mg.npeers == 0 && mg.peers == NULL);
}

int
main(void)
{
	test_libtorrent();
	test_params();
	test_bounds();
	test_errors();
	test_build();
	return (test_done());
}
