/*
 * shoal init: make this node's key pair, certificate and a starter config.
 * shoal id: print this node's ID. Both work on the state folder, the one
 * place a node's private key lives.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "identity.h"
#include "xmalloc.h"

/* The node name when the host has none. */
#define CMD_INIT_DEFAULT_NAME	"shoal"

static int	cmd_init_exec(const struct cmd_entry *, int, char **);
static int	cmd_id_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.args = N_("[--state-dir DIR] [--name NAME] [-c FILE]"),
	.help = N_("create this node's identity and a starter config"),
	.exec = cmd_init_exec,
};

const struct cmd_entry cmd_id_entry = {
	.name = "id",
	.args = N_("[--state-dir DIR] [--short]"),
	.help = N_("print this node's ID"),
	.exec = cmd_id_exec,
};

/* The starter config's comments; the values go between them. */
static const char cmd_init_head[] = N_(
"# shoal.conf: this node's settings, first written by \"shoal init\".\n"
"# shoal.conf(5) describes every key; lines starting with # are comments.\n");
static const char cmd_init_name_help[] = N_(
"# The name other nodes see for this node.\n");
static const char cmd_init_state_help[] = N_(
"# Where this node keeps its identity (node.key, node.crt), resume data\n"
"# and logs.\n");
static const char cmd_init_share[] = N_(
"# A share: a folder this node sends to the nodes it allows. To use it,\n"
"# remove the \"#\" in front of the four lines below and edit them. Add an\n"
"# \"allow\" line for each node that may receive the folder, with the ID\n"
"# that \"shoal id\" prints on that node.\n"
"#[share \"builds\"]\n"
"#path = /srv/builds\n"
"#mode = send\n"
"#allow = <node id>\n");

/* 1 if s holds a byte that would break a line of the config file. */
static int
cmd_init_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return (1);
	}
	return (0);
}

/*
 * Write the starter config unless the file exists. Returns 1 if it was
 * written, 0 if it was already there, -1 on error.
 */
static int
cmd_init_config_write(const char *path, const char *name,
    const char *state, char **cause)
{
	struct stat	 sb;
	const char	*slash;
	char		*dir, *text;
	int		 r;

	if (lstat(path, &sb) == 0)
		return (0);
	if (cmd_init_has_control(state)) {
		xasprintf(cause, _("cannot write %s: the state folder's name "
		    "holds a control character"), path);
		return (-1);
	}
	if ((slash = strrchr(path, '/')) != NULL && slash != path) {
		dir = xstrndup(path, (size_t)(slash - path));
		r = cli_mkdirs(dir, 0700, cause);
		free(dir);
		if (r != 0)
			return (-1);
	}
	xasprintf(&text, "%s\n[node]\n%sname = %s\n%sstate_dir = %s\n\n%s",
	    _(cmd_init_head), _(cmd_init_name_help), name,
	    _(cmd_init_state_help), state, _(cmd_init_share));
	r = cli_write_new_file(path, text, strlen(text), 0644, cause);
	free(text);
	if (r != 0) {
		/* Another "shoal init" wrote it first: that one is fine. */
		if (lstat(path, &sb) == 0) {
			free(*cause);
			*cause = NULL;
			return (0);
		}
		return (-1);
	}
	return (1);
}

static int
cmd_init_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "state-dir", required_argument, NULL, 'S' },
		{ "name", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct identity			 ident;
	const char			*state_opt = NULL, *config_opt = NULL;
	const char			*name = NULL;
	char				*state = NULL, *config = NULL;
	char				*keypath = NULL, *certpath = NULL;
	char				*abs = NULL, *cause = NULL;
	char				 host[HOST_NAME_MAX + 1];
	char				 text[NODEID_TEXT_SIZE];
	struct stat			 sb;
	int				 ch, written, r = EXIT_RUNTIME;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:n:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'S':
			state_opt = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'c':
			config_opt = optarg;
			break;
		case 'h':
			return (cli_help(self));
		default:
			return (cli_usage(self));
		}
	}
	if (argc != optind)
		return (cli_usage(self));
	if (name == NULL) {
		if (gethostname(host, sizeof host) != 0)
			host[0] = '\0';
		host[sizeof host - 1] = '\0';
		name = host[0] != '\0' ? host : CMD_INIT_DEFAULT_NAME;
	}

	identity_init(&ident);
	if ((state = cli_state_dir(state_opt)) == NULL ||
	    (config = cli_config_file(config_opt)) == NULL)
		goto out;
	xasprintf(&keypath, "%s/%s", state, IDENTITY_KEY_FILE);
	xasprintf(&certpath, "%s/%s", state, IDENTITY_CERT_FILE);
	if (lstat(keypath, &sb) == 0) {
		cli_error(_("this node already has an identity: %s exists; "
		    "\"shoal id\" prints its ID"), keypath);
		goto out;
	}

	/* Everything that can fail on bad input, before anything is written. */
	if (identity_generate(&ident, name, &cause) != 0)
		goto fail;
	if (cli_mkdirs(state, 0700, &cause) != 0)
		goto fail;
	if ((abs = realpath(state, NULL)) == NULL) {
		xasprintf(&cause, "%s: %s", state, strerror(errno));
		goto fail;
	}
	if ((written = cmd_init_config_write(config, name, abs, &cause)) < 0)
		goto fail;
	if (identity_save(&ident, keypath, certpath, &cause) != 0)
		goto fail;

	nodeid_to_text(ident.id, text);
	printf("%s\n", text);
	fprintf(stderr, _("private key: %s\n"), keypath);
	fprintf(stderr, _("certificate: %s\n"), certpath);
	if (written)
		fprintf(stderr, _("config:      %s\n"), config);
	else {
		fprintf(stderr, _("config:      %s (already there, left as "
		    "it was)\n"), config);
	}
	r = EXIT_DONE;
	goto out;

fail:
	cli_error("%s", cause);
	free(cause);
out:
	identity_destroy(&ident);
	free(abs);
	free(certpath);
	free(keypath);
	free(config);
	free(state);
	return (r);
}

static int
cmd_id_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "state-dir", required_argument, NULL, 'S' },
		{ "short", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct identity			 ident;
	const char			*state_opt = NULL;
	char				*state, *cause = NULL;
	char				 text[NODEID_TEXT_SIZE];
	int				 ch, want_short = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'S':
			state_opt = optarg;
			break;
		case 's':
			want_short = 1;
			break;
		case 'h':
			return (cli_help(self));
		default:
			return (cli_usage(self));
		}
	}
	if (argc != optind)
		return (cli_usage(self));

	if ((state = cli_state_dir(state_opt)) == NULL)
		return (EXIT_RUNTIME);
	identity_init(&ident);
	if (cli_identity_load(state, &ident, &cause) != 0) {
		cli_error("%s", cause);
		free(cause);
		free(state);
		return (EXIT_RUNTIME);
	}
	if (want_short)
		nodeid_short(ident.id, text);
	else
		nodeid_to_text(ident.id, text);
	printf("%s\n", text);
	identity_destroy(&ident);
	free(state);
	return (EXIT_DONE);
}
