/*
 * shoal ca init DIR / shoal ca sign --ca DIR CERT.pem: a small organisation
 * CA. It issues each node a certificate for the node's own public key, so
 * the node ID stays the same, with the DNS names libtorrent checks for
 * SSL torrents ("*" or the torrent names).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "identity.h"
#include "xmalloc.h"

/* The CA's name when --name is not given. */
#define CMD_CA_DEFAULT_NAME	"shoal CA"

static int	cmd_ca_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_ca_entry = {
	.name = "ca",
	.args = N_("init DIR [--name NAME] | sign --ca DIR CERT.pem "
	    "[-o OUT.crt] [--name NAME]... [--days N]"),
	.help = N_("run a small CA: make it, sign node certificates"),
	.exec = cmd_ca_exec,
};

static const char cmd_ca_init_args[] = N_("init DIR [--name NAME]");
static const char cmd_ca_sign_args[] = N_("sign --ca DIR CERT.pem "
    "[-o OUT.crt] [--name NAME]... [--days N]");

/* Print the usage of one subcommand; EXIT_USAGE on stderr, else 0. */
static int
cmd_ca_usage(const char *args, int to_stdout)
{
	fprintf(to_stdout ? stdout : stderr, _("usage: shoal ca %s\n"),
	    _(args));
	return (to_stdout ? EXIT_DONE : EXIT_USAGE);
}

static int
cmd_ca_init(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*name = CMD_CA_DEFAULT_NAME, *dir;
	char				*keypath, *certpath, *cause = NULL;
	struct stat			 sb;
	int				 ch, r = EXIT_RUNTIME;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'h':
			return (cmd_ca_usage(cmd_ca_init_args, 1));
		default:
			return (cmd_ca_usage(cmd_ca_init_args, 0));
		}
	}
	if (argc - optind != 1)
		return (cmd_ca_usage(cmd_ca_init_args, 0));
	dir = argv[optind];

	xasprintf(&keypath, "%s/%s", dir, IDENTITY_CA_KEY_FILE);
	xasprintf(&certpath, "%s/%s", dir, IDENTITY_CA_CERT_FILE);
	if (lstat(keypath, &sb) == 0) {
		cli_error(_("there is already a CA in %s: %s exists"), dir,
		    keypath);
		goto out;
	}
	if (cli_mkdirs(dir, 0700, &cause) != 0 ||
	    identity_ca_init(dir, name, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		goto out;
	}
	printf("%s\n", certpath);
	fprintf(stderr, _("private key: %s\n"), keypath);
	r = EXIT_DONE;
out:
	free(certpath);
	free(keypath);
	return (r);
}

static int
cmd_ca_sign(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "ca", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*ca_dir = NULL, *output = NULL;
	const char			*subject_path;
	const char			**names = NULL;
	size_t				 nnames = 0, i, len;
	X509				*subject = NULL, *cert = NULL;
	X509				*ca = NULL;
	char				*cause = NULL, *capath = NULL;
	char				*keypath = NULL;
	char				*pem, *end;
	char				 text[NODEID_TEXT_SIZE];
	uint8_t				 id[NODEID_LEN], id2[NODEID_LEN];
	struct stat			 sb;
	long				 days = 0;
	int				 ch, r = EXIT_RUNTIME;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			ca_dir = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			if (identity_check_dns(optarg, &cause) != 0) {
				cli_error("%s", cause);
				free(cause);
				free(names);
				return (EXIT_USAGE);
			}
			names = xreallocarray(names, nnames + 1,
			    sizeof *names);
			names[nnames++] = optarg;
			break;
		case 'd':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    days < 1 || days > IDENTITY_DAYS_MAX) {
				cli_error(_("bad number of days \"%s\": give "
				    "1 to %d"), optarg, IDENTITY_DAYS_MAX);
				free(names);
				return (EXIT_USAGE);
			}
			break;
		case 'h':
			free(names);
			return (cmd_ca_usage(cmd_ca_sign_args, 1));
		default:
			free(names);
			return (cmd_ca_usage(cmd_ca_sign_args, 0));
		}
	}
	if (argc - optind != 1 || ca_dir == NULL) {
		free(names);
		return (cmd_ca_usage(cmd_ca_sign_args, 0));
	}
	subject_path = argv[optind];
	xasprintf(&capath, "%s/%s", ca_dir, IDENTITY_CA_CERT_FILE);
	xasprintf(&keypath, "%s/%s", ca_dir, IDENTITY_CA_KEY_FILE);
	if (lstat(keypath, &sb) != 0 && errno == ENOENT) {
		xasprintf(&cause, _("no CA in %s: run shoal ca init %s"),
		    ca_dir, ca_dir);
		goto fail;
	}

	if ((subject = identity_read_cert(subject_path, &cause)) == NULL)
		goto fail;
	if (identity_nodeid(subject, id) != 0) {
		xasprintf(&cause, _("%s: cannot read the certificate's public "
		    "key"), subject_path);
		goto fail;
	}
	if (identity_ca_sign(ca_dir, subject, names, nnames, (int)days,
	    &cert, &cause) != 0)
		goto fail;

	/* Check what was made the way a peer will, before handing it out. */
	if ((ca = identity_read_cert(capath, &cause)) == NULL ||
	    identity_verify_chain(cert, ca, &cause) != 0)
		goto fail;
	if (identity_nodeid(cert, id2) != 0 || memcmp(id, id2, sizeof id) != 0)
		fatalx("the issued certificate has another node ID");

	if (output != NULL) {
		if (identity_write_cert(output, cert, &cause) != 0)
			goto fail;
	} else {
		pem = identity_cert_pem(cert, &len);
		if (fwrite(pem, 1, len, stdout) != len || fflush(stdout) != 0) {
			xasprintf(&cause, _("cannot write the certificate to "
			    "standard output: %s"), strerror(errno));
			free(pem);
			goto fail;
		}
		free(pem);
	}
	nodeid_to_text(id2, text);
	fprintf(stderr, _("node ID: %s\n"), text);
	fprintf(stderr, _("names:   %s"), nnames == 0 ? "*" : names[0]);
	for (i = 1; i < nnames; i++)
		fprintf(stderr, ", %s", names[i]);
	fputc('\n', stderr);
	if (output != NULL)
		fprintf(stderr, _("certificate: %s\n"), output);
	r = EXIT_DONE;
	goto out;

fail:
	cli_error("%s", cause);
	free(cause);
out:
	X509_free(ca);
	X509_free(cert);
	X509_free(subject);
	free(keypath);
	free(capath);
	free(names);
	return (r);
}

static int
cmd_ca_exec(const struct cmd_entry *self, int argc, char **argv)
{
	if (argc < 2)
		return (cli_usage(self));
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return (cli_help(self));
	if (strcmp(argv[1], "init") == 0)
		return (cmd_ca_init(argc - 1, argv + 1));
	if (strcmp(argv[1], "sign") == 0)
		return (cmd_ca_sign(argc - 1, argv + 1));
	cli_error(_("unknown ca command \"%s\": use init or sign"), argv[1]);
	return (cli_usage(self));
}
