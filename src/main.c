/*
 * shoal: send folders from one place to many over BitTorrent inside
 * mutual TLS. This file finds the verb and hands over; each verb lives in
 * its own cmd-*.c.
 */
#include "config.h"

#include <locale.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"

static const struct cmd_entry *const cmd_table[] = {
	&cmd_ca_entry,
	&cmd_config_entry,
	&cmd_create_entry,
	&cmd_demo_entry,
	&cmd_get_entry,
	&cmd_id_entry,
	&cmd_info_entry,
	&cmd_init_entry,
	&cmd_receive_entry,
	&cmd_run_entry,
	&cmd_seed_entry,
	&cmd_send_entry,
	&cmd_share_entry,
	&cmd_verify_entry,
	NULL
};

static void
main_help(FILE *fp)
{
	const struct cmd_entry *const	*e;

	fprintf(fp, _("usage: shoal COMMAND [ARGS]\n\nCommands:\n"));
	for (e = cmd_table; *e != NULL; e++)
		fprintf(fp, "  %-8s %s\n", (*e)->name, _((*e)->help));
	fprintf(fp, _("\nRun \"shoal COMMAND --help\" for a command's options, "
	    "or see shoal(1).\n"));
}

/* Hashing runs on libuv's threadpool: give it at least one thread a core. */
static void
main_threadpool(void)
{
	long	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char	n[16];

	if (getenv("UV_THREADPOOL_SIZE") != NULL)
		return;
	if (ncpu < 4)
		ncpu = 4;
	if (ncpu > 64)
		ncpu = 64;
	snprintf(n, sizeof n, "%ld", ncpu);
	setenv("UV_THREADPOOL_SIZE", n, 1);
}

/*
 * Pieces are buffers of up to 16 MiB, made and freed thousands of times a
 * transfer. Left to its defaults glibc maps and unmaps each one, and the
 * page faults of touching fresh pages cost more CPU than the copying.
 */
static void
main_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *const	*e;
	char				*conf;

	setlocale(LC_ALL, "");
#ifdef ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
#endif
	main_threadpool();
	main_malloc();

	/* "shoal" alone runs the config's shares, once there is a config. */
	if (argc < 2) {
		if ((conf = cli_config_file(NULL)) != NULL &&
		    access(conf, F_OK) == 0) {
			free(conf);
			return (cmd_run_entry.exec(&cmd_run_entry, 1, argv));
		}
		main_help(stderr);
		if (conf != NULL)
			fprintf(stderr, _("\nThere is no config file at %s "
			    "yet: \"shoal init\" makes this node's identity "
			    "and a starter config.\n"), conf);
		free(conf);
		return (EXIT_USAGE);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("shoal %s\n", PACKAGE_VERSION);
		return (EXIT_DONE);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		main_help(stdout);
		return (EXIT_DONE);
	}
	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, argv[1]) == 0)
			return ((*e)->exec(*e, argc - 1, argv + 1));
	}
	cli_error(_("unknown command \"%s\"; run \"shoal help\" for the list"),
	    argv[1]);
	return (EXIT_USAGE);
}
