/*
 * TLS as a layer over bytes (curl's vtls/openssl.c style): network bytes go
 * in with tls_feed() and plaintext comes out into a buffer; plaintext goes
 * in with tls_write() and network bytes come out into another. No sockets
 * here: the peer module moves the bytes with libuv, and the tests move them
 * between two objects in memory.
 *
 * Both sides present a certificate. Whether a peer is admitted is not
 * OpenSSL's decision but the caller's: the verify callback gets the peer's
 * leaf certificate (and the SNI name on the server), and a refusal fails
 * the handshake with an alert before any application byte moves.
 */
#ifndef SHOAL_TLS_H
#define SHOAL_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "buf.h"

struct tls_ctx;
struct tls;

enum tls_state {
	TLS_HANDSHAKING,
	TLS_ESTABLISHED,
	TLS_FAILED,
	TLS_CLOSED		/* The peer sent close_notify. */
};

/*
 * Decide whether to admit the peer: return 0 to accept, or -1 and set
 * *reason (allocated) to refuse. sni is the server name the client asked
 * for (NULL on the client side).
 */
typedef int (*tls_verify_cb)(void *, X509 *, const char *, char **);
/* Server only: is this SNI name one we serve? 0 yes, -1 no. */
typedef int (*tls_sni_cb)(void *, const char *);

/* min_version: TLS1_3_VERSION for shares, TLS1_2_VERSION for SSL torrents. */
struct tls_ctx	*tls_ctx_new(EVP_PKEY *, X509 *, int, char **);
void		 tls_ctx_free(struct tls_ctx *);

/* A connection; sni is required for a client, NULL for a server. */
struct tls	*tls_new(struct tls_ctx *, int, const char *, tls_verify_cb,
		    tls_sni_cb, void *);
void		 tls_free(struct tls *);

/*
 * Start the handshake; a client's ClientHello goes to net_out.
 */
enum tls_state	 tls_start(struct tls *, struct buf *);
/*
 * Network bytes received: decrypted bytes are appended to plain_out and
 * anything to send back (handshake messages, alerts) to net_out. Returns
 * the state after.
 */
enum tls_state	 tls_feed(struct tls *, const uint8_t *, size_t, struct buf *,
		    struct buf *);
/* Encrypt plaintext into net_out; 0, or -1 if the connection is not up. */
int		 tls_write(struct tls *, const void *, size_t, struct buf *);
enum tls_state	 tls_state(const struct tls *);
/* Why the connection failed (or "" if it did not). */
const char	*tls_error(const struct tls *);
/* Send a close_notify into net_out. */
void		 tls_shutdown(struct tls *, struct buf *);

/* After the handshake: the peer's leaf certificate (not a new reference). */
X509		*tls_peer_cert(const struct tls *);
const char	*tls_version(const struct tls *);
const char	*tls_cipher(const struct tls *);
/* The SNI name a server received, or NULL. */
const char	*tls_server_name(const struct tls *);

#endif
