/*
 * Node identity with OpenSSL 3's EVP and X509 interfaces: making, saving
 * and loading a node's key and certificate, computing node IDs, and a
 * one-level organisation CA whose leaf certificates libtorrent accepts
 * for SSL torrents (PROTOCOL.md B 8.3-8.4: signed directly by the CA,
 * CA:TRUE on the CA, no EKU on the leaf, DNS SAN = torrent name or "*").
 *
 * A certificate issued by the CA carries the public key of the node's own
 * certificate, and the node ID hashes only that key, so a node keeps its
 * ID whether its certificate is self-signed, CA-signed or renewed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "i18n.h"
#include "file.h"
#include "identity.h"
#include "xmalloc.h"

/* Largest key or certificate file read: far above any real PEM file. */
#define IDENTITY_FILE_MAX	(1024 * 1024)
/* Bytes of randomness in a serial number (RFC 5280 allows up to 20). */
#define IDENTITY_SERIAL_LEN	16
/* Seconds a new certificate is back-dated, for clocks running behind. */
#define IDENTITY_BACKDATE	86400L

/*
 * Fail with "what: OpenSSL's reason" and empty OpenSSL's error queue,
 * which is per thread and would otherwise confuse a later SSL_get_error().
 */
static int
identity_fail_ssl(char **cause, const char *what)
{
	unsigned long	e = ERR_peek_last_error();
	const char	*reason = NULL;

	if (e != 0)
		reason = ERR_reason_error_string(e);
	ERR_clear_error();
	if (reason == NULL)
		reason = _("unknown OpenSSL error");
	return (xfail(cause, "%s: %s", what, reason));
}

/* Copy a certificate's last CN (the one libtorrent uses) for messages. */
static void
identity_cn(const X509 *cert, char *out, size_t size)
{
	const X509_NAME	*name = X509_get_subject_name(cert);
	unsigned char	*utf8 = NULL;
	int		 i, last = -1, n;
	size_t		 j;

	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName,
	    last)) >= 0)
		last = i;
	if (last < 0 || (n = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)))) < 0) {
		ERR_clear_error();
		snprintf(out, size, "%s", _("(no name)"));
		return;
	}
	snprintf(out, size, "%.*s", n, (const char *)utf8);
	OPENSSL_free(utf8);
	/* The name comes from a stranger: keep control bytes off the tty. */
	for (j = 0; out[j] != '\0'; j++) {
		if ((unsigned char)out[j] < 0x20 || out[j] == 0x7f)
			out[j] = '?';
	}
}

/* Read a whole small file; the caller frees the result. */
static char *
identity_read_file(const char *path, size_t *len, char **cause)
{
	struct stat	 sb;
	char		*data;
	size_t		 done = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xfail(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &sb) != 0) {
		xfail(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (NULL);
	}
	if (!S_ISREG(sb.st_mode)) {
		xfail(cause, _("%s: not a regular file"), path);
		close(fd);
		return (NULL);
	}
	if (sb.st_size == 0) {
		xfail(cause, _("%s: the file is empty"), path);
		close(fd);
		return (NULL);
	}
	if (sb.st_size > IDENTITY_FILE_MAX) {
		xfail(cause, _("%s: the file is larger than %d bytes, "
		    "too large for a PEM key or certificate"), path,
		    IDENTITY_FILE_MAX);
		close(fd);
		return (NULL);
	}
	data = xmalloc((size_t)sb.st_size + 1);
	while (done < (size_t)sb.st_size) {
		n = read(fd, data + done, (size_t)sb.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xfail(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (done == 0) {
		xfail(cause, _("%s: the file is empty"), path);
		goto fail;
	}
	close(fd);
	data[done] = '\0';
	*len = done;
	return (data);

fail:
	OPENSSL_cleanse(data, (size_t)sb.st_size);
	free(data);
	close(fd);
	return (NULL);
}

/* Sync the folder holding path, so a rename in it survives a crash. */
static void
identity_sync_dir(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir;
	int		 fd;

	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		/* Best effort: some file systems cannot sync a folder. */
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/*
 * Write a file whole under a temporary name beside path and move it into
 * place. mkstemp() creates the temporary file with O_CREAT | O_EXCL and
 * mode 0600, so a private key is never readable by others, not even while
 * it is being written; fchmod() then sets the final mode. With noclobber,
 * the move is link() + unlink(), which fails rather than replace an
 * existing file, so two "shoal init" at once cannot both win.
 */
static int
identity_write_file(const char *path, const void *data, size_t len,
    mode_t mode, int noclobber, char **cause)
{
	struct stat	 sb;
	char		*tmp;
	int		 fd, saved;

	xasprintf(&tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		saved = errno;
		free(tmp);
		return (xfail(cause, _("cannot write %s: %s"), path,
		    strerror(saved)));
	}
	if (file_write_sync(fd, data, len, mode) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (!noclobber) {
		if (rename(tmp, path) != 0)
			goto fail;
	} else if (link(tmp, path) != 0) {
		/* File systems without hard links: check, then rename. */
		if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS)
			goto fail;
		if (lstat(path, &sb) == 0) {
			errno = EEXIST;
			goto fail;
		}
		if (rename(tmp, path) != 0)
			goto fail;
	} else
		unlink(tmp);
	free(tmp);
	identity_sync_dir(path);
	return (0);

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	free(tmp);
	return (xfail(cause, _("cannot write %s: %s"), path,
	    strerror(saved)));
}

/* Empty an identity. */
void
identity_init(struct identity *ident)
{
	memset(ident, 0, sizeof *ident);
}

/* Release what an identity holds and empty it. */
void
identity_destroy(struct identity *ident)
{
	EVP_PKEY_free(ident->key);
	X509_free(ident->cert);
	identity_init(ident);
}

/* Compute the node ID: SHA-256 of the DER SubjectPublicKeyInfo. */
int
identity_nodeid(const X509 *cert, uint8_t id[NODEID_LEN])
{
	unsigned char	*der = NULL;
	int		 n;

	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (n <= 0) {
		ERR_clear_error();
		return (-1);
	}
	nodeid_from_spki(der, (size_t)n, id);
	OPENSSL_free(der);
	return (0);
}

/* Check a name for a certificate's CN: it also goes into shoal.conf. */
static int
identity_check_cn(const char *name, char **cause)
{
	const char	*p;

	if (*name == '\0')
		return (xfail(cause, _("a node or CA name cannot be "
		    "empty")));
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			return (xfail(cause, _("\"%s\" cannot be a "
			    "node or CA name: it holds a control character"),
			    name));
		}
	}
	return (0);
}

/*
 * Check a DNS name for a SAN. libtorrent compares it byte for byte with
 * the torrent name (or takes "*"), and a SAN is an IA5String, so any
 * printable ASCII goes, spaces included.
 */
int
identity_check_dns(const char *name, char **cause)
{
	const char	*p;

	if (*name == '\0')
		return (xfail(cause, _("a certificate name cannot be "
		    "empty")));
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			return (xfail(cause, _("\"%s\" cannot be a "
			    "certificate name: use printable ASCII"), name));
		}
	}
	return (0);
}

/* Set a random positive serial number of IDENTITY_SERIAL_LEN bytes. */
static int
identity_set_serial(X509 *cert, char **cause)
{
	uint8_t	 b[IDENTITY_SERIAL_LEN];
	BIGNUM	*bn = NULL;
	int	 r = -1;

	do {
		BN_free(bn);
		bn = NULL;
		if (RAND_bytes(b, sizeof b) != 1) {
			identity_fail_ssl(cause, _("cannot make a serial "
			    "number"));
			goto out;
		}
		if ((bn = BN_bin2bn(b, sizeof b, NULL)) == NULL)
			fatalx("BN_bin2bn failed");
	} while (BN_is_zero(bn));
	if (BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) == NULL) {
		identity_fail_ssl(cause, _("cannot set a serial number"));
		goto out;
	}
	r = 0;
out:
	BN_free(bn);
	return (r);
}

/*
 * Add an extension given in OpenSSL's configuration syntax; issuer is the
 * certificate that signs cert (itself when self-signed).
 */
static int
identity_add_ext(X509 *cert, X509 *issuer, int nid, const char *value,
    char **cause)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;
	int		 r;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value)) == NULL) {
		return (identity_fail_ssl(cause, _("cannot add a certificate "
		    "extension")));
	}
	r = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	if (r != 1) {
		return (identity_fail_ssl(cause, _("cannot add a certificate "
		    "extension")));
	}
	return (0);
}

/*
 * Add the subjectAltName of DNS names. It is built rather than written in
 * configuration syntax, where a comma in a name would start another one.
 */
static int
identity_add_san(X509 *cert, const char *const *names, size_t nnames,
    char **cause)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*gn;
	ASN1_IA5STRING	*ia5;
	size_t		 i;
	int		 r = -1;

	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		fatalx("sk_GENERAL_NAME_new_null failed");
	for (i = 0; i < nnames; i++) {
		if ((gn = GENERAL_NAME_new()) == NULL ||
		    (ia5 = ASN1_IA5STRING_new()) == NULL)
			fatalx("GENERAL_NAME_new failed");
		if (ASN1_STRING_set(ia5, names[i], -1) != 1)
			fatalx("ASN1_STRING_set failed");
		GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
		if (sk_GENERAL_NAME_push(gens, gn) <= 0)
			fatalx("sk_GENERAL_NAME_push failed");
	}
	if (X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT) != 1) {
		identity_fail_ssl(cause, _("cannot add the certificate's "
		    "names"));
		goto out;
	}
	r = 0;
out:
	GENERAL_NAMES_free(gens);
	return (r);
}

/* A new certificate with the common parts: v3, serial, validity, key. */
static X509 *
identity_new_cert(EVP_PKEY *pub, int days, char **cause)
{
	X509	*cert;

	if ((cert = X509_new()) == NULL)
		fatalx("X509_new failed");
	if (X509_set_version(cert, X509_VERSION_3) != 1 ||
	    identity_set_serial(cert, cause) != 0)
		goto fail;
	if (X509_gmtime_adj(X509_getm_notBefore(cert),
	    -IDENTITY_BACKDATE) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), days, 0,
	    NULL) == NULL) {
		identity_fail_ssl(cause, _("cannot set the certificate's "
		    "validity"));
		goto fail;
	}
	if (X509_set_pubkey(cert, pub) != 1) {
		identity_fail_ssl(cause, _("cannot set the certificate's "
		    "key"));
		goto fail;
	}
	return (cert);

fail:
	X509_free(cert);
	return (NULL);
}

/* Make a key pair and a self-signed certificate, for a node or a CA. */
static int
identity_make(struct identity *ident, const char *name, int ca,
    char **cause)
{
	static const char *const	 star[] = { "*" };
	EVP_PKEY			*key = NULL;
	X509				*cert = NULL;
	X509_NAME			*subject = NULL;

	if (identity_check_cn(name, cause) != 0)
		return (-1);
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL) {
		return (identity_fail_ssl(cause, _("cannot make a key "
		    "pair")));
	}
	if ((cert = identity_new_cert(key, IDENTITY_DAYS, cause)) == NULL)
		goto fail;

	if ((subject = X509_NAME_new()) == NULL)
		fatalx("X509_NAME_new failed");
	if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
	    (const unsigned char *)name, -1, -1, 0) != 1) {
		ERR_clear_error();
		xfail(cause, _("\"%s\" cannot be a node or CA name: "
		    "give at most 64 characters of UTF-8"), name);
		goto fail;
	}
	if (X509_set_subject_name(cert, subject) != 1 ||
	    X509_set_issuer_name(cert, subject) != 1) {
		identity_fail_ssl(cause, _("cannot set the certificate's "
		    "name"));
		goto fail;
	}

	/* The key identifier first: the authority one refers to it. */
	if (identity_add_ext(cert, cert, NID_subject_key_identifier, "hash",
	    cause) != 0)
		goto fail;
	if (ca) {
		if (identity_add_ext(cert, cert, NID_basic_constraints,
		    "critical,CA:TRUE", cause) != 0 ||
		    identity_add_ext(cert, cert, NID_key_usage,
		    "critical,keyCertSign,cRLSign", cause) != 0)
			goto fail;
	} else {
		/*
		 * No extended key usage: each peer is both TLS client and
		 * server (PROTOCOL.md B 8.3).
		 */
		if (identity_add_ext(cert, cert, NID_basic_constraints,
		    "critical,CA:FALSE", cause) != 0 ||
		    identity_add_ext(cert, cert, NID_key_usage,
		    "critical,digitalSignature", cause) != 0 ||
		    identity_add_ext(cert, cert, NID_authority_key_identifier,
		    "keyid:always", cause) != 0 ||
		    identity_add_san(cert, star, 1, cause) != 0)
			goto fail;
	}
	if (X509_sign(cert, key, EVP_sha256()) <= 0) {
		identity_fail_ssl(cause, _("cannot sign the certificate"));
		goto fail;
	}
	if (identity_nodeid(cert, ident->id) != 0) {
		xfail(cause, _("cannot encode the new public key"));
		goto fail;
	}
	X509_NAME_free(subject);
	ident->key = key;
	ident->cert = cert;
	return (0);

fail:
	X509_NAME_free(subject);
	X509_free(cert);
	EVP_PKEY_free(key);
	return (-1);
}

/* Make a new key pair and a self-signed certificate named name. */
int
identity_generate(struct identity *ident, const char *name, char **cause)
{
	return (identity_make(ident, name, 0, cause));
}

/* The PEM text of a certificate; the caller frees it. */
char *
identity_cert_pem(X509 *cert, size_t *len)
{
	BIO	*bio;
	char	*data, *out;
	long	 n;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		fatalx("BIO_new failed");
	if (PEM_write_bio_X509(bio, cert) != 1)
		fatalx("PEM_write_bio_X509 failed");
	if ((n = BIO_get_mem_data(bio, &data)) <= 0)
		fatalx("BIO_get_mem_data failed");
	out = xmalloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	BIO_free(bio);
	return (out);
}

/* Write a certificate as PEM to path, mode 0644. */
int
identity_write_cert(const char *path, X509 *cert, char **cause)
{
	char	*pem;
	size_t	 len;
	int	 r;

	pem = identity_cert_pem(cert, &len);
	r = identity_write_file(path, pem, len, 0644, 0, cause);
	free(pem);
	return (r);
}

/*
 * Write the key (never over an existing file), then the certificate; if
 * the certificate cannot be written, the new key is removed again.
 */
int
identity_save(const struct identity *ident, const char *keypath,
    const char *certpath, char **cause)
{
	BIO	*bio;
	char	*data;
	long	 n;
	int	 r;

	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		fatalx("BIO_new failed");
	/* OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY") here. */
	if (PEM_write_bio_PrivateKey(bio, ident->key, NULL, NULL, 0, NULL,
	    NULL) != 1 || (n = BIO_get_mem_data(bio, &data)) <= 0) {
		BIO_free(bio);
		return (identity_fail_ssl(cause, _("cannot encode the "
		    "private key")));
	}
	r = identity_write_file(keypath, data, (size_t)n, 0600, 1, cause);
	OPENSSL_cleanse(data, (size_t)n);
	BIO_free(bio);
	if (r != 0)
		return (-1);
	if (identity_write_cert(certpath, ident->cert, cause) != 0) {
		/* The key is ours (it did not exist): no key without a cert. */
		unlink(keypath);
		return (-1);
	}
	return (0);
}

/* No passphrase prompt: an encrypted key is refused, not asked about. */
static int
identity_no_password(char *buf, int size, int rwflag, void *arg)
{
	return (-1);
}

/* Read a PEM private key; the caller frees it with EVP_PKEY_free(). */
static EVP_PKEY *
identity_read_key(const char *path, char **cause)
{
	EVP_PKEY	*key;
	BIO		*bio;
	char		*data;
	size_t		 len;

	if ((data = identity_read_file(path, &len, cause)) == NULL)
		return (NULL);
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
		fatalx("BIO_new_mem_buf failed");
	key = PEM_read_bio_PrivateKey(bio, NULL, identity_no_password, NULL);
	BIO_free(bio);
	if (key == NULL) {
		ERR_clear_error();
		if (strstr(data, "ENCRYPTED") != NULL) {
			xfail(cause, _("%s: the private key is "
			    "encrypted; shoal needs it unencrypted"), path);
		} else
			xfail(cause, _("%s: not a PEM private key"),
			    path);
	}
	OPENSSL_cleanse(data, len);
	free(data);
	return (key);
}

/* Read a PEM certificate from path. */
X509 *
identity_read_cert(const char *path, char **cause)
{
	X509	*cert;
	BIO	*bio;
	char	*data;
	size_t	 len;

	if ((data = identity_read_file(path, &len, cause)) == NULL)
		return (NULL);
	if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL)
		fatalx("BIO_new_mem_buf failed");
	cert = PEM_read_bio_X509(bio, NULL, identity_no_password, NULL);
	BIO_free(bio);
	free(data);
	if (cert == NULL) {
		ERR_clear_error();
		xfail(cause, _("%s: not a PEM certificate"), path);
	}
	return (cert);
}

/* Load a key and its certificate. */
int
identity_load(struct identity *ident, const char *keypath,
    const char *certpath, char **cause)
{
	EVP_PKEY	*key;
	X509		*cert;

	if ((key = identity_read_key(keypath, cause)) == NULL)
		return (-1);
	if ((cert = identity_read_cert(certpath, cause)) == NULL) {
		EVP_PKEY_free(key);
		return (-1);
	}
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		xfail(cause, _("%s: the private key does not match the "
		    "certificate %s"), keypath, certpath);
		goto fail;
	}
	if (identity_nodeid(cert, ident->id) != 0) {
		xfail(cause, _("%s: cannot encode the certificate's "
		    "public key"), certpath);
		goto fail;
	}
	ident->key = key;
	ident->cert = cert;
	return (0);

fail:
	X509_free(cert);
	EVP_PKEY_free(key);
	return (-1);
}

/* Check that leaf chains to ca, directly, and both are valid now. */
int
identity_verify_chain(X509 *leaf, X509 *ca, char **cause)
{
	X509_STORE	*store;
	X509_STORE_CTX	*ctx;
	uint8_t		 id[NODEID_LEN];
	char		 node[NODEID_SHORT_SIZE], cn[128], cacn[128];
	int		 r = -1, err;

	if (identity_nodeid(leaf, id) == 0)
		nodeid_short(id, node);
	else
		snprintf(node, sizeof node, "?");
	identity_cn(leaf, cn, sizeof cn);
	identity_cn(ca, cacn, sizeof cacn);

	if ((store = X509_STORE_new()) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL)
		fatalx("X509_STORE_new failed");
	if (X509_STORE_add_cert(store, ca) != 1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1) {
		identity_fail_ssl(cause, _("cannot set up certificate "
		    "verification"));
		goto out;
	}
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		ERR_clear_error();
		xfail(cause, _("the certificate of node %s (\"%s\") "
		    "does not verify against the CA \"%s\": %s"), node, cn,
		    cacn, X509_verify_cert_error_string(err));
		goto out;
	}
	/* Only the CA is trusted, so a chain of one is the CA itself. */
	if (sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) != 2) {
		xfail(cause, _("the certificate of node %s (\"%s\") "
		    "is the CA \"%s\" itself, not one it issued"), node, cn,
		    cacn);
		goto out;
	}
	r = 0;
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return (r);
}

/* Make a CA in dir: ca.key and a self-signed ca.crt. */
int
identity_ca_init(const char *dir, const char *name, char **cause)
{
	struct identity	 ca;
	char		*keypath, *certpath;
	int		 r;

	identity_init(&ca);
	if (identity_make(&ca, name, 1, cause) != 0)
		return (-1);
	xasprintf(&keypath, "%s/%s", dir, IDENTITY_CA_KEY_FILE);
	xasprintf(&certpath, "%s/%s", dir, IDENTITY_CA_CERT_FILE);
	r = identity_save(&ca, keypath, certpath, cause);
	free(certpath);
	free(keypath);
	identity_destroy(&ca);
	return (r);
}

/* Issue a CA-signed leaf certificate for subject's public key. */
int
identity_ca_sign(const char *ca_dir, const X509 *subject,
    const char *const *names, size_t nnames, int days, X509 **out,
    char **cause)
{
	static const char *const	 star[] = { "*" };
	struct identity			 ca;
	EVP_PKEY			*pub;
	X509				*cert = NULL;
	char				*keypath, *certpath;
	size_t				 i;

	*out = NULL;
	if (nnames == 0) {
		names = star;
		nnames = 1;
	}
	for (i = 0; i < nnames; i++) {
		if (identity_check_dns(names[i], cause) != 0)
			return (-1);
	}
	if (days == 0)
		days = IDENTITY_DAYS;
	if (days < 1 || days > IDENTITY_DAYS_MAX) {
		return (xfail(cause, _("%d days is not a validity: "
		    "give 1 to %d"), days, IDENTITY_DAYS_MAX));
	}
	/* X509_get0_pubkey() takes no const, but does not change subject. */
	if ((pub = X509_get0_pubkey((X509 *)subject)) == NULL) {
		return (identity_fail_ssl(cause, _("cannot read the "
		    "certificate's public key")));
	}

	identity_init(&ca);
	xasprintf(&keypath, "%s/%s", ca_dir, IDENTITY_CA_KEY_FILE);
	xasprintf(&certpath, "%s/%s", ca_dir, IDENTITY_CA_CERT_FILE);
	if (identity_load(&ca, keypath, certpath, cause) != 0)
		goto fail;
	if (X509_check_ca(ca.cert) < 1) {
		xfail(cause, _("%s: not a CA certificate"), certpath);
		goto fail;
	}

	if ((cert = identity_new_cert(pub, days, cause)) == NULL)
		goto fail;
	/* A leaf cannot outlive its CA and still verify. */
	if (X509_cmp_time(X509_get0_notAfter(ca.cert), NULL) <= 0) {
		xfail(cause, _("%s: the CA certificate has expired"),
		    certpath);
		goto fail;
	}
	if (ASN1_TIME_compare(X509_get0_notAfter(cert),
	    X509_get0_notAfter(ca.cert)) > 0 &&
	    X509_set1_notAfter(cert, X509_get0_notAfter(ca.cert)) != 1) {
		identity_fail_ssl(cause, _("cannot set the certificate's "
		    "validity"));
		goto fail;
	}
	if (X509_set_subject_name(cert, X509_get_subject_name(subject)) !=
	    1 || X509_set_issuer_name(cert,
	    X509_get_subject_name(ca.cert)) != 1) {
		identity_fail_ssl(cause, _("cannot set the certificate's "
		    "name"));
		goto fail;
	}
	if (identity_add_ext(cert, ca.cert, NID_basic_constraints,
	    "critical,CA:FALSE", cause) != 0 ||
	    identity_add_ext(cert, ca.cert, NID_key_usage,
	    "critical,digitalSignature", cause) != 0 ||
	    identity_add_ext(cert, ca.cert, NID_subject_key_identifier,
	    "hash", cause) != 0 ||
	    identity_add_ext(cert, ca.cert, NID_authority_key_identifier,
	    "keyid:always", cause) != 0 ||
	    identity_add_san(cert, names, nnames, cause) != 0)
		goto fail;
	if (X509_sign(cert, ca.key, EVP_sha256()) <= 0) {
		identity_fail_ssl(cause, _("cannot sign the certificate"));
		goto fail;
	}
	free(certpath);
	free(keypath);
	identity_destroy(&ca);
	*out = cert;
	return (0);

fail:
	X509_free(cert);
	free(certpath);
	free(keypath);
	identity_destroy(&ca);
	return (-1);
}
