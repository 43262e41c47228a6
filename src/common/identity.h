/*
 * A node's identity: an ECDSA P-256 key pair and an X.509 certificate,
 * self-signed or issued by a small organisation CA, and the node ID that
 * names it. Also that CA.
 */
#ifndef SHOAL_IDENTITY_H
#define SHOAL_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "nodeid.h"

/* The files in a state folder and in a CA folder. */
#define IDENTITY_KEY_FILE	"node.key"
#define IDENTITY_CERT_FILE	"node.crt"
#define IDENTITY_CA_KEY_FILE	"ca.key"
#define IDENTITY_CA_CERT_FILE	"ca.crt"

/* Days a new certificate is valid by default: twenty years. */
#define IDENTITY_DAYS		7305
/* Most days "shoal ca sign --days" accepts: a hundred years. */
#define IDENTITY_DAYS_MAX	36525

struct identity {
	EVP_PKEY	*key;
	X509		*cert;
	uint8_t		 id[NODEID_LEN];	/* SHA-256 of cert's SPKI. */
};

/* Make an empty identity. */
void	 identity_init(struct identity *);
/* Free the key and the certificate; the identity is empty again. */
void	 identity_destroy(struct identity *);
/*
 * Make a new key pair and a self-signed certificate for it with the given
 * name as CN and "*" as its DNS name. The identity must be empty.
 */
int	 identity_generate(struct identity *, const char *, char **);
/*
 * Write the key (PKCS#8 PEM, mode 0600) and the certificate (PEM, 0644).
 * Each file is written whole beside its final path and then moved into
 * place. The key never replaces an existing file: if keypath exists, this
 * fails and writes nothing. If the certificate cannot be written, the key
 * is removed again.
 */
int	 identity_save(const struct identity *, const char *, const char *,
	     char **);
/*
 * Load a key and a certificate and check that they belong together. The
 * identity must be empty; on failure it stays empty.
 */
int	 identity_load(struct identity *, const char *, const char *,
	     char **);

/* The node ID of any certificate: 0, or -1 if its key cannot be encoded. */
int	 identity_nodeid(const X509 *, uint8_t [NODEID_LEN]);
/* Read a PEM certificate; the caller frees it with X509_free(). */
X509	*identity_read_cert(const char *, char **);
/* Write a certificate as PEM (mode 0644), atomically. */
int	 identity_write_cert(const char *, X509 *, char **);
/* The PEM text of a certificate, NUL-terminated; the caller frees it. */
char	*identity_cert_pem(X509 *, size_t *);
/*
 * Check that leaf is signed directly by ca (the only certificate trusted)
 * and that both are valid now: 0, or -1 with the reason in *cause.
 */
int	 identity_verify_chain(X509 *, X509 *, char **);

/*
 * Check a name for a certificate's DNS SAN (a share or torrent name, or
 * "*"): printable ASCII, not empty. 0, or -1 with a sentence in *cause.
 */
int	 identity_check_dns(const char *, char **);
/*
 * Make a CA in dir: ca.key (0600) and a self-signed ca.crt with the given
 * name, CA:TRUE and keyCertSign. Refuses if dir/ca.key exists.
 */
int	 identity_ca_init(const char *, const char *, char **);
/*
 * Issue a leaf certificate for the public key in subject (so its node ID
 * is unchanged), with subject's name, the DNS names given ("*" if there
 * are none) and days of validity (0 for the default), signed by the CA in
 * ca_dir. The caller frees *out with X509_free().
 */
int	 identity_ca_sign(const char *, const X509 *, const char *const *,
	     size_t, int, X509 **, char **);

#endif
