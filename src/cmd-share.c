/*
 * shoal share new NAME: make a share's Ed25519 key (PROTOCOL.md A3) in the
 * state folder and print its share ID, which the receivers put in their
 * config; shoal share id NAME prints it again. The key is the 32-byte seed
 * in STATE/shares/NAME.key, mode 0600: whoever holds it can publish
 * versions of the share.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "i18n.h"
#include "nodeid.h"
#include "version.h"
#include "xmalloc.h"

static int	cmd_share_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_share_entry = {
	.name = "share",
	.args = N_("new|id NAME [--state-dir DIR]"),
	.help = N_("make a share's signing key and print its share ID"),
	.exec = cmd_share_exec,
};

/* A share name: what [share "NAME"] accepts, and safe as a file name. */
static int
cmd_share_name_ok(const char *name)
{
	const char	*p;

	if (*name == '\0' || strlen(name) > CONF_NAME_MAX ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return (0);
	for (p = name; *p != '\0'; p++) {
		if (*p == '/' || (unsigned char)*p < 0x20)
			return (0);
	}
	return (1);
}

/* Read the seed at path: exactly 32 bytes. */
static int
cmd_share_read(const char *path, uint8_t seed[VERSION_SEED_LEN])
{
	uint8_t	buf[VERSION_SEED_LEN + 1];
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			cli_error(_("%s: no such share key (\"shoal share new "
			    "NAME\" makes one)"), path);
		else
			cli_error("%s: %s", path, strerror(errno));
		return (-1);
	}
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n != VERSION_SEED_LEN) {
		cli_error(_("%s: not a share key (it should hold 32 bytes)"),
		    path);
		return (-1);
	}
	memcpy(seed, buf, VERSION_SEED_LEN);
	return (0);
}

static int
cmd_share_exec(const struct cmd_entry *self, int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char			*opt = NULL, *verb, *name;
	char				*state = NULL, *dir = NULL, *path = NULL;
	char				*cause = NULL, text[NODEID_TEXT_SIZE];
	uint8_t				 seed[VERSION_SEED_LEN], pk[32];
	int				 ch, r = EXIT_RUNTIME;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			opt = optarg;
			break;
		case 'h':
			return (cli_help(self));
		default:
			return (cli_usage(self));
		}
	}
	if (argc - optind != 2 || (strcmp(argv[optind], "new") != 0 &&
	    strcmp(argv[optind], "id") != 0))
		return (cli_usage(self));
	verb = argv[optind];
	name = argv[optind + 1];
	if (!cmd_share_name_ok(name)) {
		cli_error(_("bad share name \"%s\": give 1 to %d bytes, no "
		    "\"/\""), name, CONF_NAME_MAX);
		return (EXIT_USAGE);
	}
	if ((state = cli_state_dir(opt)) == NULL)
		return (EXIT_RUNTIME);
	xasprintf(&dir, "%s/shares", state);
	xasprintf(&path, "%s/%s.key", dir, name);
	if (strcmp(verb, "new") == 0) {
		if (access(path, F_OK) == 0) {
			cli_error(_("share %s has a key already (%s); \"shoal "
			    "share id %s\" prints its ID"), name, path, name);
			goto out;
		}
		if (cli_mkdirs(dir, 0700, &cause) != 0)
			goto fail;
		if (version_key_new(seed) != 0) {
			cli_error(_("no random bytes for a new key"));
			goto out;
		}
		if (cli_write_new_file(path, seed, sizeof seed, 0600,
		    &cause) != 0)
			goto fail;
	} else if (cmd_share_read(path, seed) != 0)
		goto out;
	if (version_key_public(seed, pk) != 0) {
		cli_error(_("%s: not a usable share key"), path);
		goto out;
	}
	nodeid_to_text(pk, text);
	printf("%s\n", text);
	r = EXIT_DONE;
	goto out;
fail:
	cli_error("%s", cause);
	free(cause);
out:
	explicit_bzero(seed, sizeof seed);
	free(path);
	free(dir);
	free(state);
	return (r);
}
