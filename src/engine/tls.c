/*
 * The TLS layer: OpenSSL driven through a BIO pair, so that it never
 * touches a socket. One SSL_CTX per node identity; trust is decided per
 * connection by the caller's callbacks.
 *
 * OpenSSL's own chain verification is replaced (cert_verify_callback):
 * shoal admits self-signed peers by node ID, and CA-signed ones by the
 * share's CA, which is a per-share decision the SSL_CTX cannot express.
 * On the server, the decision is made once the client's certificate has
 * arrived, inside the handshake; a refusal sends an alert and no
 * application data is ever read or written.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "xmalloc.h"

struct tls_ctx {
	SSL_CTX	*ctx;
};

struct tls {
	SSL		*ssl;
	/*
	 * The BIO under the SSL reads network bytes straight from the
	 * caller's buffer and appends what it writes to the caller's output
	 * buffer: no BIO pair, so no extra copy of every byte each way.
	 */
	const uint8_t	*in;
	size_t		 in_len;
	struct buf	*out;
	int		 server;
	enum tls_state	 state;
	char		*error;
	char		*sni;
	tls_verify_cb	 verify_cb;
	tls_sni_cb	 sni_cb;
	void		*arg;
	X509		*peer;
};

/* Plaintext moves in pieces of at most this much. */
#define TLS_IO_CHUNK	(64 * 1024)

static int	 tls_ex_index = -1;
static BIO_METHOD *tls_bio_method;

static int
tls_bio_write(BIO *b, const char *p, size_t len, size_t *written)
{
	struct tls	*t = BIO_get_data(b);

	if (t->out == NULL) {
		BIO_set_retry_write(b);
		return (0);
	}
	buf_add(t->out, p, len);
	*written = len;
	return (1);
}

static int
tls_bio_read(BIO *b, char *p, size_t len, size_t *nread)
{
	struct tls	*t = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (t->in_len == 0) {
		BIO_set_retry_read(b);
		return (0);
	}
	if (len > t->in_len)
		len = t->in_len;
	memcpy(p, t->in, len);
	t->in += len;
	t->in_len -= len;
	*nread = len;
	return (1);
}

static long
tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return (1);
	case BIO_CTRL_PENDING:
	case BIO_CTRL_WPENDING:
		return (0);
	default:
		return (0);
	}
}

static int
tls_bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return (1);
}

static BIO_METHOD *
tls_bio_get_method(void)
{
	if (tls_bio_method == NULL) {
		tls_bio_method = BIO_meth_new(BIO_get_new_index() |
		    BIO_TYPE_SOURCE_SINK, "shoal");
		if (tls_bio_method == NULL ||
		    BIO_meth_set_write_ex(tls_bio_method, tls_bio_write) != 1 ||
		    BIO_meth_set_read_ex(tls_bio_method, tls_bio_read) != 1 ||
		    BIO_meth_set_ctrl(tls_bio_method, tls_bio_ctrl) != 1 ||
		    BIO_meth_set_create(tls_bio_method, tls_bio_create) != 1)
			fatalx("cannot create the TLS BIO method");
	}
	return (tls_bio_method);
}

static void
tls_set_error(struct tls *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tls_set_error(struct tls *t, const char *fmt, ...)
{
	va_list	ap;

	if (t->error != NULL)
		return;		/* Keep the first, most precise, reason. */
	va_start(ap, fmt);
	xvasprintf(&t->error, fmt, ap);
	va_end(ap);
}

/* The OpenSSL error queue as one line, for messages. */
static void
tls_openssl_error(struct tls *t, const char *what)
{
	unsigned long	e;
	char		buf[256];

	e = ERR_get_error();
	if (e == 0)
		tls_set_error(t, "%s failed", what);
	else {
		ERR_error_string_n(e, buf, sizeof buf);
		tls_set_error(t, "%s failed: %s", what, buf);
	}
	ERR_clear_error();
}

static int
tls_cert_verify(X509_STORE_CTX *store, void *arg)
{
	SSL		*ssl;
	struct tls	*t;
	X509		*leaf;
	char		*reason = NULL;

	ssl = X509_STORE_CTX_get_ex_data(store,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	t = ssl == NULL ? NULL : SSL_get_ex_data(ssl, tls_ex_index);
	leaf = X509_STORE_CTX_get0_cert(store);
	if (t == NULL || leaf == NULL) {
		X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
		return (0);
	}
	if (t->verify_cb(t->arg, leaf, t->server ? tls_server_name(t) : NULL,
	    &reason) != 0) {
		tls_set_error(t, "%s", reason != NULL ? reason :
		    "the peer's certificate was refused");
		free(reason);
		X509_STORE_CTX_set_error(store,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return (0);
	}
	X509_free(t->peer);
	X509_up_ref(leaf);
	t->peer = leaf;
	return (1);
}

static int
tls_servername(SSL *ssl, int *alert, void *arg)
{
	struct tls	*t = SSL_get_ex_data(ssl, tls_ex_index);
	const char	*name;

	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (t == NULL || name == NULL) {
		if (t != NULL)
			tls_set_error(t, "the client named no share (no SNI)");
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return (SSL_TLSEXT_ERR_ALERT_FATAL);
	}
	if (t->sni_cb != NULL && t->sni_cb(t->arg, name) != 0) {
		tls_set_error(t, "the client asked for %.64s, which is not "
		    "shared here", name);
		*alert = SSL_AD_UNRECOGNIZED_NAME;
		return (SSL_TLSEXT_ERR_ALERT_FATAL);
	}
	return (SSL_TLSEXT_ERR_OK);
}

struct tls_ctx *
tls_ctx_new(EVP_PKEY *key, X509 *cert, int min_version, char **cause)
{
	struct tls_ctx	*c;
	SSL_CTX		*ctx;

	if (tls_ex_index == -1)
		tls_ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if ((ctx = SSL_CTX_new(TLS_method())) == NULL) {
		xasprintf(cause, "cannot create a TLS context");
		return (NULL);
	}
	SSL_CTX_set_min_proto_version(ctx, min_version);
	/*
	 * AES-128-GCM first: as strong as we need and about a third
	 * cheaper than AES-256 per byte, which matters when TLS is most of
	 * the CPU a transfer costs.
	 */
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
	SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* Every connection authenticates in full: no resumption. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		ERR_clear_error();
		xasprintf(cause, "the node's key does not match its "
		    "certificate");
		return (NULL);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, tls_cert_verify, NULL);
	SSL_CTX_set_tlsext_servername_callback(ctx, tls_servername);
	c = xcalloc(1, sizeof *c);
	c->ctx = ctx;
	return (c);
}

void
tls_ctx_free(struct tls_ctx *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

struct tls *
tls_new(struct tls_ctx *c, int server, const char *sni,
    tls_verify_cb verify_cb, tls_sni_cb sni_cb, void *arg)
{
	struct tls	*t = xcalloc(1, sizeof *t);
	BIO		*bio;

	t->server = server;
	t->verify_cb = verify_cb;
	t->sni_cb = sni_cb;
	t->arg = arg;
	t->state = TLS_HANDSHAKING;
	if ((t->ssl = SSL_new(c->ctx)) == NULL ||
	    (bio = BIO_new(tls_bio_get_method())) == NULL)
		fatalx("out of memory creating a TLS connection");
	BIO_set_data(bio, t);
	SSL_set_bio(t->ssl, bio, bio);
	SSL_set_ex_data(t->ssl, tls_ex_index, t);
	if (server)
		SSL_set_accept_state(t->ssl);
	else {
		SSL_set_connect_state(t->ssl);
		if (sni != NULL) {
			t->sni = xstrdup(sni);
			SSL_set_tlsext_host_name(t->ssl, t->sni);
		}
	}
	return (t);
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);	/* Frees the BIO. */
	X509_free(t->peer);
	free(t->error);
	free(t->sni);
	free(t);
}

enum tls_state
tls_state(const struct tls *t)
{
	return (t->state);
}

const char *
tls_error(const struct tls *t)
{
	return (t->error != NULL ? t->error : "");
}

/* Map an SSL_* failure to a state; 0 if the call just wants more bytes. */
static int
tls_check(struct tls *t, int r, const char *what)
{
	int	e = SSL_get_error(t->ssl, r);

	switch (e) {
	case SSL_ERROR_NONE:
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return (0);
	case SSL_ERROR_ZERO_RETURN:
		t->state = TLS_CLOSED;
		return (-1);
	default:
		if (t->state == TLS_HANDSHAKING && t->error == NULL &&
		    SSL_get_verify_result(t->ssl) != X509_V_OK)
			tls_set_error(t, "the peer's certificate was refused "
			    "(%s)", X509_verify_cert_error_string(
			    SSL_get_verify_result(t->ssl)));
		tls_openssl_error(t, what);
		t->state = TLS_FAILED;
		return (-1);
	}
}

static void
tls_drive(struct tls *t)
{
	int	r;

	if (t->state != TLS_HANDSHAKING)
		return;
	r = SSL_do_handshake(t->ssl);
	if (r == 1)
		t->state = TLS_ESTABLISHED;
	else
		tls_check(t, r, "the TLS handshake");
}

/* Decrypt whatever the input holds into plain_out. */
static void
tls_pull(struct tls *t, struct buf *plain_out)
{
	int	n;

	while (t->state == TLS_ESTABLISHED) {
		buf_reserve(plain_out, TLS_IO_CHUNK);
		n = SSL_read(t->ssl, plain_out->data + plain_out->len,
		    TLS_IO_CHUNK);
		if (n <= 0) {
			tls_check(t, n, "reading from TLS");
			break;
		}
		plain_out->len += (size_t)n;
	}
}

enum tls_state
tls_start(struct tls *t, struct buf *net_out)
{
	t->out = net_out;
	tls_drive(t);
	t->out = NULL;
	return (t->state);
}

enum tls_state
tls_feed(struct tls *t, const uint8_t *p, size_t len, struct buf *plain_out,
    struct buf *net_out)
{
	t->in = p;
	t->in_len = len;
	t->out = net_out;
	/* Until OpenSSL has taken every byte or the connection is over. */
	do {
		tls_drive(t);
		tls_pull(t, plain_out);
	} while (t->in_len > 0 && (t->state == TLS_HANDSHAKING ||
	    t->state == TLS_ESTABLISHED) && SSL_want_read(t->ssl) == 0 &&
	    SSL_pending(t->ssl) > 0);
	if (t->in_len > 0 && t->state == TLS_HANDSHAKING) {
		/* The handshake finished mid-buffer: read the rest as data. */
		tls_drive(t);
		tls_pull(t, plain_out);
	}
	t->in = NULL;
	t->in_len = 0;
	t->out = NULL;
	return (t->state);
}

int
tls_write(struct tls *t, const void *p, size_t len, struct buf *net_out)
{
	const uint8_t	*q = p;
	int		 n;

	if (t->state != TLS_ESTABLISHED)
		return (-1);
	t->out = net_out;
	while (len > 0) {
		n = SSL_write(t->ssl, q, len > TLS_IO_CHUNK ? TLS_IO_CHUNK :
		    (int)len);
		if (n <= 0) {
			tls_check(t, n, "writing to TLS");
			t->out = NULL;
			return (-1);
		}
		q += n;
		len -= (size_t)n;
	}
	t->out = NULL;
	return (0);
}

void
tls_shutdown(struct tls *t, struct buf *net_out)
{
	t->out = net_out;
	if (t->state == TLS_ESTABLISHED)
		SSL_shutdown(t->ssl);
	t->out = NULL;
}

X509 *
tls_peer_cert(const struct tls *t)
{
	return (t->peer);
}

const char *
tls_version(const struct tls *t)
{
	return (SSL_get_version(t->ssl));
}

const char *
tls_cipher(const struct tls *t)
{
	return (SSL_get_cipher_name(t->ssl));
}

const char *
tls_server_name(const struct tls *t)
{
	return (SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name));
}
