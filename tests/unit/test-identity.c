/*
 * Node identity: a new key and certificate in a scratch folder, saved with
 * the right modes and never over an existing key, loaded back with the
 * same node ID; broken files refused with their names; the CA's leaf
 * certificates keep the node ID, verify under their CA only, and carry
 * what libtorrent checks (CA:FALSE, no EKU, the DNS names asked for).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../test.h"

#include "identity.h"
#include "nodeid.h"

static char	scratch[256];
/* Paths used across many checks (path() reuses its buffers). */
static char	keypath[512], certpath[512], cadir[512], ca2dir[512];

/* A label for one check; each CHECK_MSG prints it at once. */
static const char *
label(const char *fmt, ...)
{
	static char	buf[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return (buf);
}

/* A path in the scratch folder, in one of a few rotating buffers. */
static const char *
path(const char *fmt, ...)
{
	static char	bufs[8][512];
	static int	next;
	char		name[256];
	char		*p = bufs[next++ % 8];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	snprintf(p, sizeof bufs[0], "%s/%s", scratch, name);
	return (p);
}

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	remove(p);
	return (0);
}

static void
write_text(const char *p, const char *text)
{
	FILE	*f = fopen(p, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", p);
		exit(99);
	}
}

static int
file_mode(const char *p)
{
	struct stat	sb;

	if (stat(p, &sb) != 0)
		return (-1);
	return ((int)(sb.st_mode & 07777));
}

/* The number of entries in the scratch folder whose name has needle. */
static int
count_entries(const char *dir, const char *needle)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return (-1);
	while ((e = readdir(d)) != NULL) {
		if (strstr(e->d_name, needle) != NULL)
			n++;
	}
	closedir(d);
	return (n);
}

/* The cause must name what (usually a file and its problem). */
static void
check_cause(int r, char *cause, const char *what, const char *desc)
{
	if (!CHECK_MSG(r == -1 && cause != NULL && strstr(cause, what) !=
	    NULL, desc))
		printf("# got %d, cause: %s\n# want: %s\n", r,
		    cause != NULL ? cause : "(none)", what);
	free(cause);
}

/* The DNS names of a certificate's SAN, joined with commas. */
static const char *
san_names(const X509 *cert)
{
	static char		 out[256];
	GENERAL_NAMES		*gens;
	const GENERAL_NAME	*gn;
	const unsigned char	*s;
	int			 i, n;

	out[0] = '\0';
	gens = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return ("(no SAN)");
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		gn = sk_GENERAL_NAME_value(gens, i);
		if (gn->type != GEN_DNS)
			continue;
		s = ASN1_STRING_get0_data(gn->d.dNSName);
		n = ASN1_STRING_length(gn->d.dNSName);
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%.*s",
		    out[0] != '\0' ? "," : "", n, (const char *)s);
	}
	GENERAL_NAMES_free(gens);
	return (out);
}

/* The last CN of a certificate's subject. */
static const char *
cn(const X509 *cert)
{
	static char	out[128];

	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert),
	    NID_commonName, out, sizeof out) < 0)
		return ("(none)");
	return (out);
}

static int
has_eku(const X509 *cert)
{
	return (X509_get_ext_by_NID(cert, NID_ext_key_usage, -1) >= 0);
}

static void
test_generate(struct identity *node)
{
	uint8_t	id[NODEID_LEN];
	char	text[NODEID_TEXT_SIZE];
	char	*cause = NULL;
	time_t	now = time(NULL);
	BIGNUM	*serial;
	int	day;

	CHECK(identity_generate(node, "alpha.example", &cause) == 0);
	CHECK(cause == NULL);
	CHECK(node->key != NULL && node->cert != NULL);
	CHECK(identity_nodeid(node->cert, id) == 0);
	CHECK_MSG(memcmp(id, node->id, sizeof id) == 0,
	    "the identity's ID is its certificate's");
	nodeid_to_text(node->id, text);
	printf("# node ID %s\n", text);
	CHECK_STR(cn(node->cert), "alpha.example");
	CHECK_STR(san_names(node->cert), "*");
	CHECK_INT(X509_get_version(node->cert), X509_VERSION_3);
	CHECK_INT(X509_check_ca(node->cert), 0);
	CHECK_MSG(!has_eku(node->cert), "no extended key usage");
	CHECK_MSG((X509_get_key_usage(node->cert) & ~KU_DIGITAL_SIGNATURE) ==
	    0 && (X509_get_key_usage(node->cert) & KU_DIGITAL_SIGNATURE),
	    "key usage is digitalSignature");
	CHECK_MSG(X509_self_signed(node->cert, 1) == 1,
	    "self-signed, with a good signature");
	CHECK_STR(EVP_PKEY_get0_type_name(node->key), "EC");
	CHECK_INT(EVP_PKEY_get_bits(node->key), 256);
	CHECK_MSG(X509_cmp_time(X509_get0_notBefore(node->cert), &now) < 0,
	    "valid from before now");
	CHECK_MSG(ASN1_TIME_diff(&day, NULL, NULL,
	    X509_get0_notAfter(node->cert)) == 1 && day >= 7300 &&
	    day <= 7306, "valid for twenty years");
	serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(node->cert), NULL);
	/* 128 random bits: fewer than 96 happens once in 2^32 runs. */
	CHECK_MSG(serial != NULL && !BN_is_negative(serial) &&
	    BN_num_bits(serial) >= 96 && BN_num_bits(serial) <= 128,
	    "a random 128-bit serial number");
	BN_free(serial);
	CHECK_MSG(X509_check_purpose(node->cert, X509_PURPOSE_SSL_CLIENT,
	    0) == 1 && X509_check_purpose(node->cert, X509_PURPOSE_SSL_SERVER,
	    0) == 1, "fit for TLS client and server");
}

static void
test_generate_bad(const struct identity *node)
{
	struct identity	 other;
	char		*cause = NULL, long_name[80];
	int		 r;

	identity_init(&other);
	r = identity_generate(&other, "", &cause);
	check_cause(r, cause, "cannot be empty", "an empty name is refused");
	cause = NULL;
	r = identity_generate(&other, "two\nlines", &cause);
	check_cause(r, cause, "control character",
	    "a name with a newline is refused");
	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	cause = NULL;
	r = identity_generate(&other, long_name, &cause);
	check_cause(r, cause, "at most 64 characters",
	    "a 65-character name is refused");
	CHECK(other.key == NULL && other.cert == NULL);
	long_name[64] = '\0';
	CHECK(identity_generate(&other, long_name, NULL) == 0);
	CHECK_MSG(ASN1_INTEGER_cmp(X509_get0_serialNumber(other.cert),
	    X509_get0_serialNumber(node->cert)) != 0,
	    "two certificates, two serial numbers");
	identity_destroy(&other);
	CHECK(identity_generate(&other, "n\xc3\xb8" "de \xe2\x98\x83", NULL) ==
	    0);
	CHECK_STR(cn(other.cert), "n\xc3\xb8" "de \xe2\x98\x83");
	identity_destroy(&other);
}

static void
test_save_load(const struct identity *node)
{
	struct identity	 a, b;
	const char	*key = keypath, *crt = certpath;
	char		*cause = NULL, buf[64];
	FILE		*f;
	int		 r;

	CHECK(identity_save(node, key, crt, &cause) == 0);
	CHECK(cause == NULL);
	CHECK_INT(file_mode(key), 0600);
	CHECK_INT(file_mode(crt), 0644);
	f = fopen(key, "r");
	CHECK(f != NULL && fgets(buf, sizeof buf, f) != NULL &&
	    strcmp(buf, "-----BEGIN PRIVATE KEY-----\n") == 0);
	if (f != NULL)
		fclose(f);
	CHECK_INT(count_entries(scratch, ".tmp."), 0);

	identity_init(&a);
	CHECK(identity_load(&a, key, crt, &cause) == 0);
	CHECK_MSG(memcmp(a.id, node->id, sizeof a.id) == 0,
	    "the loaded identity has the same node ID");
	CHECK(EVP_PKEY_eq(a.key, node->key) == 1);
	CHECK(X509_cmp(a.cert, node->cert) == 0);
	identity_init(&b);
	CHECK(identity_load(&b, key, crt, NULL) == 0);
	CHECK_MSG(memcmp(a.id, b.id, sizeof a.id) == 0,
	    "loading twice gives the same node ID");
	identity_destroy(&b);

	/* A second save never replaces the key. */
	CHECK(identity_generate(&b, "beta", NULL) == 0);
	r = identity_save(&b, key, path("other.crt"), &cause);
	check_cause(r, cause, label("cannot write %s: File exists", key),
	    "saving over an existing key fails and names it");
	CHECK_MSG(file_mode(path("other.crt")) == -1,
	    "and writes no certificate");
	CHECK_INT(count_entries(scratch, ".tmp."), 0);
	identity_destroy(&a);
	CHECK(identity_load(&a, key, crt, NULL) == 0 &&
	    memcmp(a.id, node->id, sizeof a.id) == 0);
	identity_destroy(&a);

	/* A key with another node's certificate. */
	CHECK(identity_save(&b, path("b.key"), path("b.crt"), NULL) == 0);
	cause = NULL;
	r = identity_load(&a, key, path("b.crt"), &cause);
	check_cause(r, cause, label("%s: the private key does not match the "
	    "certificate %s", key, path("b.crt")),
	    "a key with another certificate is refused");
	CHECK(a.key == NULL && a.cert == NULL);
	identity_destroy(&b);

	/* A file that cannot be written. */
	cause = NULL;
	r = identity_save(node, path("nodir/node.key"), crt, &cause);
	check_cause(r, cause, label("cannot write %s: No such file or "
	    "directory", path("nodir/node.key")),
	    "saving into a missing folder names the file");

	/* No key is left behind without its certificate. */
	cause = NULL;
	r = identity_save(node, path("lone.key"), path("nodir/lone.crt"),
	    &cause);
	check_cause(r, cause, label("cannot write %s: No such file or "
	    "directory", path("nodir/lone.crt")),
	    "a certificate that cannot be written is named");
	CHECK_MSG(file_mode(path("lone.key")) == -1,
	    "and the key written before it is removed");
	CHECK_INT(count_entries(scratch, ".tmp."), 0);
}

static void
test_load_bad(void)
{
	struct identity	 a;
	const char	*crt = certpath, *bad;
	char		*cause = NULL;
	EVP_PKEY	*k;
	BIO		*bio;
	int		 r;

	identity_init(&a);
	bad = path("garbage.key");
	write_text(bad, "this is not a key\n");
	r = identity_load(&a, bad, crt, &cause);
	check_cause(r, cause, label("%s: not a PEM private key", bad),
	    "a garbage key file is refused, by name");
	CHECK_MSG(ERR_peek_error() == 0, "and OpenSSL's error queue is empty");

	cause = NULL;
	r = identity_load(&a, keypath, path("garbage.key"), &cause);
	check_cause(r, cause, label("%s: not a PEM certificate",
	    path("garbage.key")), "a garbage certificate is refused, by name");

	bad = path("empty.key");
	write_text(bad, "");
	cause = NULL;
	r = identity_load(&a, bad, crt, &cause);
	check_cause(r, cause, label("%s: the file is empty", bad),
	    "an empty key file is refused, by name");

	bad = path("missing.key");
	cause = NULL;
	r = identity_load(&a, bad, crt, &cause);
	check_cause(r, cause, label("%s: No such file or directory", bad),
	    "a missing key file is refused, by name");

	cause = NULL;
	r = identity_load(&a, scratch, crt, &cause);
	check_cause(r, cause, label("%s: not a regular file", scratch),
	    "a folder is refused, by name");

	/* The certificate where the key should be. */
	cause = NULL;
	r = identity_load(&a, crt, crt, &cause);
	check_cause(r, cause, label("%s: not a PEM private key", crt),
	    "a certificate as the key is refused");

	/* An encrypted key is refused without asking for a passphrase. */
	CHECK((k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) != NULL);
	bad = path("encrypted.key");
	bio = BIO_new_file(bad, "w");
	CHECK(bio != NULL && PEM_write_bio_PKCS8PrivateKey(bio, k,
	    EVP_aes_256_cbc(), "secret", 6, NULL, NULL) == 1);
	BIO_free(bio);
	EVP_PKEY_free(k);
	cause = NULL;
	r = identity_load(&a, bad, crt, &cause);
	check_cause(r, cause, label("%s: the private key is encrypted", bad),
	    "an encrypted key is refused, by name");
	CHECK(a.key == NULL && a.cert == NULL);

	cause = NULL;
	CHECK(identity_read_cert(path("missing.crt"), &cause) == NULL);
	check_cause(-1, cause, label("%s: No such file or directory",
	    path("missing.crt")), "reading a missing certificate names it");
}

/* Re-sign cert with the CA in dir, valid until an hour ago. */
static X509 *
make_expired(const char *dir, const X509 *cert)
{
	struct identity	 ca;
	X509		*x;
	char		 k[512], c[512];

	if (snprintf(k, sizeof k, "%s/ca.key", dir) >= (int)sizeof k ||
	    snprintf(c, sizeof c, "%s/ca.crt", dir) >= (int)sizeof c)
		return (NULL);
	identity_init(&ca);
	if (identity_load(&ca, k, c, NULL) != 0)
		return (NULL);
	x = X509_dup(cert);
	X509_gmtime_adj(X509_getm_notBefore(x), -7200);
	X509_gmtime_adj(X509_getm_notAfter(x), -3600);
	X509_sign(x, ca.key, EVP_sha256());
	identity_destroy(&ca);
	return (x);
}

static void
test_ca(const struct identity *node)
{
	static const char *const	 names[] = { "share", "builds 2024" };
	static const char *const	 bad_names[] = { "ok", "tab\there" };
	struct identity			 loaded;
	X509				*ca, *ca2, *leaf = NULL, *leaf2 = NULL;
	X509				*foreign = NULL, *expired, *x;
	uint8_t				 id[NODEID_LEN];
	char				*cause = NULL, *pem;
	const char			*dir = cadir, *dir2 = ca2dir;
	BIO				*bio;
	size_t				 len;
	int				 r, day;

	mkdir(dir, 0700);
	mkdir(dir2, 0700);
	CHECK(identity_ca_init(dir, "Acme CA", &cause) == 0);
	CHECK_INT(file_mode(path("ca/ca.key")), 0600);
	CHECK_INT(file_mode(path("ca/ca.crt")), 0644);
	cause = NULL;
	r = identity_ca_init(dir, "Acme CA", &cause);
	check_cause(r, cause, label("cannot write %s: File exists",
	    path("ca/ca.key")), "a second CA in the same folder is refused");
	CHECK(identity_ca_init(dir2, "Other CA", NULL) == 0);

	CHECK((ca = identity_read_cert(path("ca/ca.crt"), NULL)) != NULL);
	CHECK((ca2 = identity_read_cert(path("ca2/ca.crt"), NULL)) != NULL);
	if (ca == NULL || ca2 == NULL)
		return;
	CHECK_STR(cn(ca), "Acme CA");
	CHECK_INT(X509_check_ca(ca), 1);
	CHECK_MSG(X509_get_extension_flags(ca) & EXFLAG_CA,
	    "the CA has basicConstraints CA:TRUE");
	CHECK_MSG((X509_get_key_usage(ca) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN))
	    == (KU_KEY_CERT_SIGN | KU_CRL_SIGN), "keyCertSign and cRLSign");
	CHECK_INT(X509_get_ext_by_critical(ca, 1, -1) >= 0, 1);

	/* A leaf with the default name. */
	CHECK(identity_ca_sign(dir, node->cert, NULL, 0, 0, &leaf, &cause) ==
	    0);
	if (leaf == NULL)
		return;
	CHECK(identity_nodeid(leaf, id) == 0);
	CHECK_MSG(memcmp(id, node->id, sizeof id) == 0,
	    "the CA-signed certificate keeps the node ID");
	CHECK_MSG(X509_cmp(leaf, node->cert) != 0, "but is a new certificate");
	CHECK_STR(cn(leaf), "alpha.example");
	CHECK_STR(san_names(leaf), "*");
	CHECK_INT(X509_check_ca(leaf), 0);
	CHECK_MSG(!has_eku(leaf), "no extended key usage on the leaf");
	CHECK_MSG(X509_check_issued(ca, leaf) == X509_V_OK,
	    "issued by the CA");
	CHECK_MSG(X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) == 1 &&
	    X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) == 1,
	    "fit for TLS client and server");
	CHECK_MSG(ASN1_TIME_compare(X509_get0_notAfter(leaf),
	    X509_get0_notAfter(ca)) <= 0, "does not outlive its CA");

	cause = NULL;
	CHECK(identity_verify_chain(leaf, ca, &cause) == 0);
	if (cause != NULL)
		printf("# %s\n", cause);
	free(cause);

	/* The node's key goes with its new certificate. */
	CHECK(identity_write_cert(path("signed.crt"), leaf, NULL) == 0);
	CHECK_INT(file_mode(path("signed.crt")), 0644);
	identity_init(&loaded);
	CHECK(identity_load(&loaded, keypath, path("signed.crt"), NULL) ==
	    0);
	CHECK_MSG(memcmp(loaded.id, node->id, sizeof id) == 0,
	    "node.key with the signed certificate: the same node ID");
	identity_destroy(&loaded);

	/* The PEM text reads back as the same certificate. */
	pem = identity_cert_pem(leaf, &len);
	CHECK(len == strlen(pem) && strncmp(pem, "-----BEGIN CERTIFICATE-----",
	    27) == 0);
	bio = BIO_new_mem_buf(pem, (int)len);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	CHECK(x != NULL && X509_cmp(x, leaf) == 0);
	X509_free(x);
	BIO_free(bio);
	free(pem);

	/* Names and days. */
	cause = NULL;
	CHECK(identity_ca_sign(dir, node->cert, names, 2, 30, &leaf2,
	    &cause) == 0);
	free(cause);
	if (leaf2 != NULL) {
		CHECK_STR(san_names(leaf2), "share,builds 2024");
		CHECK_MSG(ASN1_TIME_diff(&day, NULL, NULL,
		    X509_get0_notAfter(leaf2)) == 1 && day >= 29 && day <= 30,
		    "--days 30: valid for 30 days");
		CHECK(identity_verify_chain(leaf2, ca, NULL) == 0);
	}
	cause = NULL;
	r = identity_ca_sign(dir, node->cert, bad_names, 2, 0, &x, &cause);
	check_cause(r, cause, "\"tab\there\" cannot be a certificate name",
	    "a name with a tab is refused");
	CHECK(x == NULL);
	cause = NULL;
	r = identity_ca_sign(dir, node->cert, NULL, 0, IDENTITY_DAYS_MAX + 1,
	    &x, &cause);
	check_cause(r, cause, "36526 days is not a validity",
	    "too many days are refused");
	cause = NULL;
	r = identity_ca_sign(path("nowhere"), node->cert, NULL, 0, 0, &x,
	    &cause);
	check_cause(r, cause, label("%s: No such file or directory",
	    path("nowhere/ca.key")), "a missing CA is named");
	/* A node certificate is no CA. */
	mkdir(path("fake"), 0700);
	rename(path("b.key"), path("fake/ca.key"));
	rename(path("b.crt"), path("fake/ca.crt"));
	cause = NULL;
	r = identity_ca_sign(path("fake"), node->cert, NULL, 0, 0, &x,
	    &cause);
	check_cause(r, cause, label("%s: not a CA certificate",
	    path("fake/ca.crt")), "a node certificate cannot sign");

	/* What the CA must refuse. */
	cause = NULL;
	r = identity_verify_chain(node->cert, ca, &cause);
	check_cause(r, cause, "does not verify against the CA \"Acme CA\": "
	    "self-signed certificate",
	    "the self-signed certificate is refused");
	CHECK(identity_ca_sign(dir2, node->cert, NULL, 0, 0, &foreign,
	    NULL) == 0);
	cause = NULL;
	r = identity_verify_chain(foreign, ca, &cause);
	check_cause(r, cause, "does not verify against the CA \"Acme CA\": "
	    "unable to get local issuer certificate",
	    "a certificate from another CA is refused");
	CHECK(identity_verify_chain(foreign, ca2, NULL) == 0);
	cause = NULL;
	r = identity_verify_chain(ca, ca, &cause);
	check_cause(r, cause, "is the CA \"Acme CA\" itself",
	    "the CA's own certificate is no leaf");
	expired = make_expired(dir, leaf);
	CHECK(expired != NULL);
	if (expired != NULL) {
		cause = NULL;
		r = identity_verify_chain(expired, ca, &cause);
		check_cause(r, cause, "certificate has expired",
		    "an expired certificate is refused");
		X509_free(expired);
	}
	CHECK_MSG(ERR_peek_error() == 0, "OpenSSL's error queue is empty");

	X509_free(foreign);
	X509_free(leaf2);
	X509_free(leaf);
	X509_free(ca2);
	X509_free(ca);
}

int
main(void)
{
	struct identity	 node;
	const char	*tmp = getenv("TMPDIR");

	snprintf(scratch, sizeof scratch, "%s/test-identity.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL) {
		printf("Bail out! cannot make a scratch folder: %s\n",
		    strerror(errno));
		return (99);
	}
	snprintf(keypath, sizeof keypath, "%s/node.key", scratch);
	snprintf(certpath, sizeof certpath, "%s/node.crt", scratch);
	snprintf(cadir, sizeof cadir, "%s/ca", scratch);
	snprintf(ca2dir, sizeof ca2dir, "%s/ca2", scratch);
	identity_init(&node);
	test_generate(&node);
	test_generate_bad(&node);
	test_save_load(&node);
	test_load_bad();
	test_ca(&node);
	identity_destroy(&node);
	CHECK(node.key == NULL && node.cert == NULL);
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return (test_done());
}
