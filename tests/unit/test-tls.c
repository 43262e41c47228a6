/*
 * The TLS layer with no sockets: two endpoints pass bytes to each other in
 * memory. Checks mutual authentication, refusals on either side, SNI, and
 * that data of any size crosses intact.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "tls.h"
#include "xmalloc.h"
#include "../test.h"

struct side {
	struct tls	*t;
	struct buf	 plain;		/* Received plaintext. */
	struct buf	 net;		/* Ciphertext to deliver to the other. */
	int		 refuse;	/* The verify callback says no. */
	int		 verified;
	uint8_t		 seen[32];	/* Node ID of the peer's cert. */
	char		 sni[128];
};

static int
verify(void *arg, X509 *cert, const char *sni, char **reason)
{
	struct side	*s = arg;

	s->verified++;
	identity_nodeid(cert, s->seen);
	if (sni != NULL)
		snprintf(s->sni, sizeof s->sni, "%s", sni);
	if (s->refuse) {
		*reason = xstrdup("node X is not allowed for share test");
		return (-1);
	}
	return (0);
}

static int
sni_ok(void *arg, const char *name)
{
	return (strcmp(name, "0123456789abcdef0123456789abcdef01234567") ==
	    0 ? 0 : -1);
}

/* Move bytes both ways until neither side has anything to say. */
static void
pump(struct side *c, struct side *s)
{
	int	i;

	for (i = 0; i < 100 && (c->net.len > 0 || s->net.len > 0); i++) {
		struct buf	tmp;

		if (c->net.len > 0) {
			buf_init(&tmp);
			buf_add(&tmp, c->net.data, c->net.len);
			buf_reset(&c->net);
			tls_feed(s->t, tmp.data, tmp.len, &s->plain, &s->net);
			buf_destroy(&tmp);
		}
		if (s->net.len > 0) {
			buf_init(&tmp);
			buf_add(&tmp, s->net.data, s->net.len);
			buf_reset(&s->net);
			tls_feed(c->t, tmp.data, tmp.len, &c->plain, &c->net);
			buf_destroy(&tmp);
		}
	}
}

static void
side_init(struct side *s)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->plain);
	buf_init(&s->net);
}

static void
side_destroy(struct side *s)
{
	tls_free(s->t);
	buf_destroy(&s->plain);
	buf_destroy(&s->net);
}

int
main(void)
{
	struct identity	 a, b;
	struct tls_ctx	*ca, *cb;
	struct side	 c, s;
	char		*cause = NULL;
	uint8_t		*big;
	size_t		 i;
	const char	*name = "0123456789abcdef0123456789abcdef01234567";

	identity_init(&a);
	identity_init(&b);
	CHECK(identity_generate(&a, "client", &cause) == 0);
	CHECK(identity_generate(&b, "server", &cause) == 0);
	ca = tls_ctx_new(a.key, a.cert, TLS1_3_VERSION, &cause);
	cb = tls_ctx_new(b.key, b.cert, TLS1_3_VERSION, &cause);
	CHECK(ca != NULL && cb != NULL);

	/* Both admit each other: established, TLS 1.3, each saw the other. */
	side_init(&c);
	side_init(&s);
	c.t = tls_new(ca, 0, name, verify, NULL, &c);
	s.t = tls_new(cb, 1, NULL, verify, sni_ok, &s);
	tls_start(c.t, &c.net);
	pump(&c, &s);
	CHECK_INT(tls_state(c.t), TLS_ESTABLISHED);
	CHECK_INT(tls_state(s.t), TLS_ESTABLISHED);
	CHECK_STR(tls_version(c.t), "TLSv1.3");
	CHECK_STR(tls_cipher(s.t), "TLS_AES_128_GCM_SHA256");
	CHECK(memcmp(c.seen, b.id, 32) == 0);
	CHECK(memcmp(s.seen, a.id, 32) == 0);
	CHECK_STR(s.sni, name);
	CHECK_STR(tls_server_name(s.t), name);
	CHECK(tls_peer_cert(s.t) != NULL);

	/* 3 MiB each way, in one write: arrives whole and in order. */
	big = xmalloc(3 << 20);
	for (i = 0; i < (3U << 20); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 13));
	CHECK(tls_write(c.t, big, 3 << 20, &c.net) == 0);
	CHECK(tls_write(s.t, big, 3 << 20, &s.net) == 0);
	pump(&c, &s);
	CHECK_INT(s.plain.len, 3 << 20);
	CHECK_INT(c.plain.len, 3 << 20);
	CHECK(s.plain.len == (3U << 20) && memcmp(s.plain.data, big,
	    3 << 20) == 0);
	CHECK(c.plain.len == (3U << 20) && memcmp(c.plain.data, big,
	    3 << 20) == 0);
	free(big);

	/* Close notify ends the connection on the other side. */
	tls_shutdown(c.t, &c.net);
	pump(&c, &s);
	CHECK_INT(tls_state(s.t), TLS_CLOSED);
	side_destroy(&c);
	side_destroy(&s);

	/* The server refuses the client: both fail, no data crosses. */
	side_init(&c);
	side_init(&s);
	s.refuse = 1;
	c.t = tls_new(ca, 0, name, verify, NULL, &c);
	s.t = tls_new(cb, 1, NULL, verify, sni_ok, &s);
	tls_start(c.t, &c.net);
	pump(&c, &s);
	CHECK_INT(tls_state(s.t), TLS_FAILED);
	CHECK(strstr(tls_error(s.t), "not allowed") != NULL);
	CHECK(tls_write(s.t, "x", 1, &s.net) == -1);
	/* TLS 1.3: the client learns of it from the alert. */
	tls_write(c.t, "hello", 5, &c.net);
	pump(&c, &s);
	CHECK_INT(tls_state(c.t), TLS_FAILED);
	CHECK_INT(s.plain.len, 0);
	side_destroy(&c);
	side_destroy(&s);

	/* The client refuses the server (a pinned ID that differs). */
	side_init(&c);
	side_init(&s);
	c.refuse = 1;
	c.t = tls_new(ca, 0, name, verify, NULL, &c);
	s.t = tls_new(cb, 1, NULL, verify, sni_ok, &s);
	tls_start(c.t, &c.net);
	pump(&c, &s);
	CHECK_INT(tls_state(c.t), TLS_FAILED);
	CHECK(strstr(tls_error(c.t), "not allowed") != NULL);
	CHECK(tls_state(s.t) != TLS_ESTABLISHED || s.plain.len == 0);
	side_destroy(&c);
	side_destroy(&s);

	/* A name the server does not serve: unrecognized_name. */
	side_init(&c);
	side_init(&s);
	c.t = tls_new(ca, 0, "ffffffffffffffffffffffffffffffffffffffff",
	    verify, NULL, &c);
	s.t = tls_new(cb, 1, NULL, verify, sni_ok, &s);
	tls_start(c.t, &c.net);
	pump(&c, &s);
	CHECK_INT(tls_state(s.t), TLS_FAILED);
	CHECK(strstr(tls_error(s.t), "not shared here") != NULL);
	CHECK_INT(tls_state(c.t), TLS_FAILED);
	CHECK_INT(s.verified, 0);
	side_destroy(&c);
	side_destroy(&s);

	/* Garbage instead of a ClientHello (a plain BitTorrent handshake). */
	side_init(&s);
	s.t = tls_new(cb, 1, NULL, verify, sni_ok, &s);
	tls_feed(s.t, (const uint8_t *)"\x13" "BitTorrent protocol", 20,
	    &s.plain, &s.net);
	CHECK_INT(tls_state(s.t), TLS_FAILED);
	CHECK_INT(s.plain.len, 0);
	/* What goes back, if anything, is a TLS alert record. */
	CHECK(s.net.len == 0 || s.net.data[0] == 0x15);
	side_destroy(&s);

	tls_ctx_free(ca);
	tls_ctx_free(cb);
	identity_destroy(&a);
	identity_destroy(&b);
	return (test_done());
}
