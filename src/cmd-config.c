/*
 * shoal config check [-c FILE]: read the config file as every running
 * command would and print the settings in effect, defaults filled in, or
 * the first problem with its file, line, section and key.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "conf.h"
#include "i18n.h"

static int	cmd_config_exec(const struct cmd_entry *, int, char **);

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.args = N_("check [-c FILE]"),
	.help = N_("check the config file and print the settings in effect"),
	.exec = cmd_config_exec,
};

static const char cmd_config_check_args[] = N_("check [-c FILE]");

/* Print the usage of "config check"; EXIT_USAGE on stderr, else 0. */
static int
cmd_config_usage(int to_stdout)
{
	fprintf(to_stdout ? stdout : stderr, _("usage: shoal config %s\n"),
	    _(cmd_config_check_args));
	return (to_stdout ? EXIT_DONE : EXIT_USAGE);
}

static int
cmd_config_check(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf			 c;
	struct buf			 b;
	struct stat			 sb;
	const char			*opt = NULL;
	char				*path, *cause = NULL;
	int				 ch, r;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opt = optarg;
			break;
		case 'h':
			return (cmd_config_usage(1));
		default:
			return (cmd_config_usage(0));
		}
	}
	if (argc != optind)
		return (cmd_config_usage(0));
	if ((path = cli_config_file(opt)) == NULL)
		return (EXIT_RUNTIME);

	if ((r = conf_load(&c, path, &cause)) != 0) {
		if (r == CONF_ERR_IO && stat(path, &sb) != 0 &&
		    errno == ENOENT) {
			cli_error(_("%s (\"shoal init\" writes a starter "
			    "file)"), cause);
		} else
			cli_error("%s", cause);
		free(cause);
		free(path);
		return (r == CONF_ERR_IO ? EXIT_RUNTIME : EXIT_USAGE);
	}
	buf_init(&b);
	conf_print(&c, &b);
	fwrite(b.data, 1, b.len, stdout);
	buf_destroy(&b);
	conf_free(&c);
	free(path);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(_("cannot write the settings: %s"), strerror(errno));
		return (EXIT_RUNTIME);
	}
	return (EXIT_DONE);
}

static int
cmd_config_exec(const struct cmd_entry *self, int argc, char **argv)
{
	if (argc < 2)
		return (cli_usage(self));
	if (strcmp(argv[1], "check") == 0)
		return (cmd_config_check(argc - 1, argv + 1));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return (cli_help(self));
	cli_error(_("unknown config command \"%s\": use check"), argv[1]);
	return (cli_usage(self));
}
